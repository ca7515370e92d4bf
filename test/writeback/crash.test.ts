// The worker killed with SIGKILL between Sugar's answer and the local commit, three times over:
// after creating the Sugar Campaign, after linking the list, after writing the activity. Each
// restart replays what it never committed; Sugar recognises the deterministic ids (422 "already
// exists") and ends with exactly one row per fact.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { sugarIds } from '../../service/src/domain/writeback-ids.js';
import { openStore } from '../../service/src/store/db.js';
import { accept, click, drained, type Harness, harnessWithCampaign, numberedPeople, open, openHarness, startWritebackSim, sugarLog } from './helpers.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/kill-after-answer.ts');
let sim: SugarSim;
let dir: string;
let campaignId: string;
let listId: string;
let rowIds: number[];
const N = 12;

function runUntilKilled(storePath: string, killAt: number): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, storePath, sim.url, String(killAt)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach answer ${killAt}: ${err}`));
    }, 20_000);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

const sid = () => sugarIds.campaign(campaignId);
const outboxState = (path: string, key: string) => {
  const s = openStore(path);
  try {
    return s.outbox.states([key]).get(key);
  } finally {
    s.close();
  }
};

beforeAll(async () => {
  sim = await startWritebackSim();
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-wb-crash-'));
  let h: Harness;
  ({ h, listId, campaignId, rowIds } = await harnessWithCampaign(sim, numberedPeople(N, 'lead', 'Leads'), { harness: { dir } }));
  await accept(h, rowIds);
  for (const rowId of rowIds) await open(h, rowId, 2);
  for (const rowId of rowIds.slice(0, 4)) await click(h, rowId, 1);
  await h.close();
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SIGKILL between Sugar's answer and the local commit", () => {
  const path = () => join(dir, 'leadfwd.sqlite');

  it('replays the Campaign create and is recognised', async () => {
    expect(await runUntilKilled(path(), 1)).toBe('SIGKILL');
    expect(sim.db.prepare('SELECT count(*) FROM campaigns WHERE id = ?').pluck().get(sid())).toBe(1);
    expect(outboxState(path(), `campaign:${campaignId}`)).toBe('pending'); // Sugar has it, we never heard
  });

  it('replays the list link', async () => {
    expect(await runUntilKilled(path(), 2)).toBe('SIGKILL');
    expect(outboxState(path(), `campaign:${campaignId}`)).toBe('done');
    expect(sim.db.prepare('SELECT count(*) FROM prospect_list_campaigns WHERE campaign_id = ? AND deleted = 0').pluck().get(sid())).toBe(1);
    expect(outboxState(path(), `list:${campaignId}:${listId}`)).toBe('pending');
  });

  it('replays the activity rows', async () => {
    expect(await runUntilKilled(path(), 2)).toBe('SIGKILL');
    expect(sim.campaignLogCounts(sid())).toEqual({ targeted: N, viewed: N, link: 4 });
    const s = openStore(path());
    expect(s.outbox.stats(campaignId).pending).toBe(N * 2 + 4);
    s.close();
  });

  it('ends, after a normal restart, with every row exactly once and the local record in step', async () => {
    const h: Harness = openHarness(sim, { dir });
    await open(h, rowIds[0]); // a third open while down: Sugar's row says 2 until the replay sets 3
    await h.writeback.start();
    try {
      await drained(h, campaignId);
      expect(sim.campaignLogCounts(sid())).toEqual({ targeted: N, viewed: N, link: 4 });
      expect(sim.db.prepare('SELECT count(*) FROM campaigns WHERE id = ?').pluck().get(sid())).toBe(1);
      expect(sim.db.prepare('SELECT count(*) FROM campaign_trkrs WHERE campaign_id = ?').pluck().get(sid())).toBe(2);
      const rows = sugarLog(sim, sid());
      const viewed = rows.filter((r) => r.activity_type === 'viewed');
      expect(viewed.filter((r) => r.hits === 2)).toHaveLength(N - 1);
      expect(viewed.find((r) => r.hits === 3)?.target_id).toBe((await h.store.recipients.get(rowIds[0]))!.id);
      expect((await h.store.writeback.rows(campaignId)).map((r) => r.logId).sort()).toEqual(rows.map((r) => r.id).sort());
      expect(await h.writeback.state(campaignId)).toMatchObject({ pending: 0, dead: 0 });
    } finally {
      await h.close();
    }
  });
});
