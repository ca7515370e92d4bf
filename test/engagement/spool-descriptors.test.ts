// The spool under a flood that holds every file descriptor (slow clients, one connection each): a spool file that
// cannot be read just now is not taken for an empty one, so the hits on it (one-click opt-outs answered 200) are not
// removed with it. Run in a child process with a low descriptor limit, so the test's own process keeps its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import { openSync } from 'node:fs';
import { openFileSpool } from ${JSON.stringify(resolve('service/src/spool/file-spool.ts'))};
const spool = openFileSpool(process.argv[2]);
await spool.append([{ kind: 'optout', rowId: 1, reason: 'one_click', method: 'POST', at: new Date().toISOString() }]);
const [file] = await spool.ended();
const held = [];
const exhaust = () => { try { for (;;) held.push(openSync('/dev/null', 'r')); } catch {} };
exhaust();
// The loader's own threads may still close a file or two after start-up (seen under a loaded suite): take those too.
await new Promise((r) => setTimeout(r, 300));
exhaust();
try {
  const hits = await file.hits();
  await file.done();
  console.log('read', hits.length);
} catch (err) {
  console.log('failed', err.code);
}
process.exit(0);
`;

it('fails the replay of a spool file it cannot open for want of descriptors, and keeps the file', () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-spool-fds-'));
  const script = join(dir, 'exhaust.mts');
  writeFileSync(script, SCRIPT);
  const spoolDir = join(dir, 'spool');
  const run = spawnSync('bash', ['-c', `ulimit -n 200 && exec "${process.execPath}" --import tsx "${script}" "${spoolDir}"`], { encoding: 'utf8' });
  expect(run.stdout.trim(), run.stderr).toBe('failed EMFILE');
  const [kept] = readdirSync(spoolDir).filter((f) => f.startsWith('hits-'));
  expect(readFileSync(join(spoolDir, kept), 'utf8')).toContain('"kind":"optout"');
});
