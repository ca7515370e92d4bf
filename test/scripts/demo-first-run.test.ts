// `npm run demo` on a first run (issue 13 item 5): a default port held by something else (a local Postfix on 2525)
// moves to a free one and says so; a DKIM key is made once, kept owner-only, and its TXT record matches it; the
// per-request log line drops to debug so the banner stays readable.
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { choosePort, demoDkimKey, quietRequests } from '../../scripts/demo/first-run.js';

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo's first run", () => {
  it('keeps a free default port, moves off a taken one, and uses the one the environment names', async () => {
    const held: Server = await new Promise((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const taken = (held.address() as { port: number }).port;
    const moved = await choosePort('SMTP sink', undefined, taken);
    expect(moved).toMatchObject({ name: 'SMTP sink', wanted: taken, moved: true });
    expect(moved.port).not.toBe(taken);
    const kept = await choosePort('service', undefined, moved.port);
    expect(kept).toMatchObject({ port: moved.port, moved: false });
    expect(await choosePort('service', String(taken), 8080)).toMatchObject({ port: taken, moved: false });
    await new Promise((r) => held.close(r));
  });

  it('makes a DKIM key once, owner-only, with the TXT record a domain would publish', () => {
    const first = demoDkimKey(dir, 'leadfwd.localhost', 'demo');
    expect(first.created).toBe(true);
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(first.dnsName).toBe('demo._domainkey.leadfwd.localhost');
    const spki = createPublicKey(readFileSync(first.keyFile, 'utf8')).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(first.dnsRecord).toBe(`v=DKIM1; k=rsa; p=${spki}`);
    expect(createPublicKey(readFileSync(first.keyFile, 'utf8')).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const again = demoDkimKey(dir, 'leadfwd.localhost', 'demo');
    expect(again).toMatchObject({ created: false, dnsRecord: first.dnsRecord });
  });

  it('logs HTTP requests at debug, everything else as it was', () => {
    const lines: Array<{ level: number; msg: string; component?: string }> = [];
    const sink = new Writable({
      write(chunk, _e, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const logger = quietRequests(pino({ level: 'info', base: undefined }, sink));
    const http = logger.child({ component: 'http' });
    http.info({ status: 200 }, 'http.request');
    http.info({ port: 1 }, 'service.started');
    http.warn({}, 'something.odd');
    expect(lines.map((l) => [l.msg, l.level])).toEqual([
      ['service.started', 30],
      ['something.odd', 40],
    ]);
    const loud = quietRequests(pino({ level: 'debug', base: undefined }, sink));
    loud.child({ component: 'http' }).info({}, 'http.request');
    expect(lines.at(-1)).toMatchObject({ msg: 'http.request', level: 20 });
  });
});
