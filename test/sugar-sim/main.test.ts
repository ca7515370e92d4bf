// `npm run sugar-sim` as a separate process: banner, a real request, clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function start(env: Record<string, string>) {
  // One process, as `npm run sugar-sim` runs it: tsx's CLI would stand between the signal and the simulator (once in CI,
  // the CLI ended on the SIGTERM itself, 143, before the simulator's own exit code came back).
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sugar-sim/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const banner = new Promise<string>((res, rej) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('/__sim/')) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`exited ${code}: ${err}`)));
  });
  return { child, banner, output: () => out, errors: () => err };
}

describe('main.ts', () => {
  it('starts on the given port, prints the URL and users, serves requests and stops on SIGTERM', async () => {
    const p = start({ SUGAR_SIM_PORT: '0', SUGAR_SIM_SEED: 'empty' });
    const url = await p.banner;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const u of ['admin', 'sally', 'max', 'chris']) expect(p.output()).toContain(`password: ${u}`);
    const res = await fetch(`${url}/rest/v11_1/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'max', password: 'max', platform: 'base' }),
    });
    expect(res.status).toBe(200);
    const faults = await fetch(`${url}/__sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"failNext":{"count":1}}' });
    expect(faults.status).toBe(200);
    expect((await fetch(`${url}/rest/v11_1/ping`)).status).toBe(503);
    p.child.kill('SIGTERM');
    const [code] = await once(p.child, 'exit');
    expect(code).toBe(0);
    expect(p.output()).toContain('stopping Sugar simulator');
  });

  it('refuses a bad port or seed with a clear message and exit code 2', async () => {
    const cases: Array<Record<string, string>> = [{ SUGAR_SIM_PORT: 'eighty' }, { SUGAR_SIM_SEED: 'lots', SUGAR_SIM_PORT: '0' }];
    for (const env of cases) {
      const p = start(env);
      p.banner.catch(() => undefined); // it never prints one; the exit code is what we check
      const [code] = await once(p.child, 'exit');
      expect(code).toBe(2);
      expect(p.errors()).toMatch(/SUGAR_SIM_(PORT|SEED) must be/);
      expect(p.errors()).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });
});
