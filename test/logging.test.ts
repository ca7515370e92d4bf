// One logger call shape (service/src/logger.ts): log.<level>({ ...fields }, 'area.event_name'), the message a stable
// dotted event name. Checked over the source, so a new call in another shape fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../service/src/logger.js';

const SRC = new URL('../service/src/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('log calls', () => {
  it("all read log.<level>({ fields }, 'dotted.event_name')", () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      const text = readFileSync(f, 'utf8');
      // Every call through a logger: from `.info(`/`.warn(`/`.error(`/`.debug(` to the matching close, on one or more lines.
      for (const m of text.matchAll(/\b(?:logger|log|Log)\??!?\.(?:info|warn|error|debug)!?\??\.?\(/g)) {
        let depth = 0;
        let end = m.index! + m[0].length - 1;
        for (; end < text.length; end++) {
          if (text[end] === '(') depth++;
          else if (text[end] === ')' && --depth === 0) break;
        }
        const call = text.slice(m.index!, end + 1);
        if (/\(o, m\)$/.test(call)) continue; // a pass-through wrapper, not a call site
        // turnFailures (ports/log.ts) logs the event its callers name, each a dotted literal (checked below).
        if (f.endsWith('ports/log.ts') && /, `?\$?\{?event(\}\.recovered`)?\)$/.test(call)) continue;
        if (!/^[\s\S]*\{[\s\S]*\},\s*'[a-z][a-z_]*(\.[a-z][a-z_]*)+',?\s*\)$/.test(call)) bad.push(`${f.slice(SRC.length)}: ${call.slice(0, 120)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('names each loop that logs through turnFailures with a dotted event', () => {
    const calls = files(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bturnFailures\(([^)]*)\)/g)].map((m) => `${f.slice(SRC.length)}: ${m[1]}`));
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.filter((c) => !/, '[a-z][a-z_]*(\.[a-z][a-z_]*)+'(, \{[^}]*\})?$/.test(c) && !c.startsWith('ports/log.ts'))).toEqual([]);
  });

  it('stamps the event name on every line as `event`', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s)) });
    log.child({ component: 'x' }).warn({ campaignId: 'c1' }, 'campaign.extraction_retry');
    expect(lines[0]).toMatchObject({ event: 'campaign.extraction_retry', msg: 'campaign.extraction_retry', campaignId: 'c1', component: 'x' });
  });
});
