// A failed write's hits replayed one by one (after a bad line in their chunk), and the replay cut short between them
// (the database away again, or a crash): the next replay must record the rest, the write never having committed. A
// first version kept the replay's claim of the write's commit key in memory only, and the rest was lost as
// "committed". Found by a review of the change, 2026-12-06.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLE_NETWORK, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { createClickRecorder } from '../../service/src/engagement/clicks.js';
import { createFactRecorder } from '../../service/src/engagement/facts.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';
import { createRecipientLookup } from '../../service/src/engagement/recipients.js';
import { createSpooling } from '../../service/src/engagement/spooling.js';
import { openFileSpool } from '../../service/src/spool/file-spool.js';
import { outage, type Seeded, seededStore } from './helpers.js';

const rules = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK]) };
const UA = 'Mozilla/5.0 (X11) AppleWebKit/537.36 Chrome/131';
const at = '2026-11-26T12:00:00.000Z';
const line = (key: string, rowId: number, when: string, commitKey?: string) =>
  JSON.stringify({ key, kind: 'open', rowId, method: 'GET', userAgent: UA, ip: '192.0.2.1', at: when, ...(commitKey ? { commitKey } : {}) });

let s: Seeded;
let dir: string;
afterEach(() => {
  s?.store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function spoolingOver(store: Seeded['store']) {
  const lookup = createRecipientLookup(store);
  const facts = createFactRecorder({ store, lookup, softBounceLimit: 3 });
  const clicks = createClickRecorder({ store, lookup, rules });
  return createSpooling({
    spool: openFileSpool(dir),
    store,
    lookup,
    rules,
    maxEventsPerRecipient: 50,
    clicks: () => clicks,
    facts: () => facts,
    retryMs: 60_000,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

describe('hit-by-hit replay of a failed write, cut short', () => {
  it("records every hit of a write that never committed, when the replay stops between that write's hits", async () => {
    s = await seededStore({ n: 2 });
    dir = mkdtempSync(join(tmpdir(), 'leadfwd-spool-'));
    // One pixel batch (commit:w, two rows) whose write failed without committing, then a line the store refuses.
    writeFileSync(
      join(dir, 'hits-0-000000000000.jsonl'),
      [line('x.0', s.rows[0].rowId, at, 'commit:w'), line('x.1', s.rows[1].rowId, at, 'commit:w'), line('x.2', s.rows[1].rowId, 'not a time'), ''].join('\n'),
    );
    const { store: gated, down } = outage(s.store);
    let committed = 0;
    const store = new Proxy(gated, {
      get(t, p) {
        if (p !== 'transaction') return Reflect.get(t, p);
        return async (fn: never) => {
          const r = await (t.transaction as (f: never) => Promise<unknown>)(fn);
          if (++committed === 1) down.now = true; // the database goes away again right after the first hit's commit
          return r;
        };
      },
    });
    const first = spoolingOver(store);
    await first.replay();
    await first.close(); // the process stops (or crashes) before the database is back
    down.now = false;
    const second = spoolingOver(s.store);
    await second.replay();
    await second.close();
    expect(second.stats()).toMatchObject({ waiting: 0 });
    // x.0 and x.1 each count once; the bad line x.2 is dropped.
    expect((await s.store.engagement.summary(s.campaignId)).opens.humanHits).toBe(2);
  });
});
