// Start-up on the SQLite file, as a real process: a damaged file stops it with one clear line (the store's own
// words), before which the check for a move's marks (service/src/store/move-marks.ts) must not fail with a stack.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomSecret } from '../support/secrets.js';

describe('start-up on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-sqlite-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops with one line and no stack trace when the file is not a database', async () => {
    writeFileSync(join(dir, 'leadfwd.sqlite'), 'not a database, only text that is long enough to be read as a header '.repeat(4));
    const env = { ...process.env, NODE_ENV: 'development', LEADFWD_PORT: '0', LEADFWD_DATA_DIR: dir, LEADFWD_SECRET: randomSecret() };
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += String(c)));
    child.stderr!.on('data', (c) => (out += String(c)));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(guard);
    expect(code, out).toBe(1);
    expect(out).toMatch(/LeadFWD cannot start: The data store is unavailable \(database file is damaged\)/);
    expect(out).not.toMatch(/\n\s+at |SqliteError|node:internal/);
  }, 30_000);
});
