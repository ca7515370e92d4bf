// The end of DATA mark (issue 15 item 3) across a SIGKILL mid-send: a rate-limited send (8 messages/s, 40 targets)
// to a real SMTP server that, after 16 messages, stops answering: the next transaction is held after its final dot
// (the server may have it), every later one mid-transaction at RCPT TO, and rows waiting for a connection stay with
// the send threads. The service is killed once the ledger has recorded every answer given and at least three rows are
// 'sending' whose final dot never left. After the restart, with the mark (the default) only rows whose dot the server
// saw are 'uncertain'; the others come back 'queued' and are sent once. Without it (LEADFWD_DATA_END_MARK=false, the
// control) every row in flight is 'uncertain'. The operator's "send again" then completes both: everyone exactly once.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { expectResendLeavesEveryoneOnce, expectUncertainOnlyPastTheDot } from '../support/data-end-checks.js';
import { cleanLists, createServiceRig, type ServiceRig } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';
import { type StallingSmtp, startStallingSmtp } from '../support/stalling-smtp.js';

const TARGETS = 40;
const STALL_AT = 16;
const NEVER_ENDED = 3; // rows 'sending' whose dot never left, at least, at the kill

let rig: ServiceRig | undefined;
let smtp: StallingSmtp | undefined;
let proc: ChildProcess | undefined;
afterEach(async () => {
  proc?.kill('SIGKILL');
  await rig?.close();
  await smtp?.close();
  rig = smtp = proc = undefined;
});

interface AtKill {
  sending: number;
  marked: number;
  heldAfterDot: number;
  heldBeforeDot: number;
}

/** Kills the service once the ledger recorded every answer and enough rows wait short of their dot (or after 10 s). */
async function killStalled(victim: ChildProcess, dbFile: string, id: string, s: StallingSmtp): Promise<AtKill> {
  await waitFor(() => s.stalling() || undefined, 'the server to stall', 30_000);
  const db = new Database(dbFile, { fileMustExist: true });
  const read = db.prepare(`SELECT count(*) FILTER (WHERE state = 'accepted') AS accepted, count(*) FILTER (WHERE state = 'sending') AS sending,
      count(*) FILTER (WHERE state = 'sending' AND data_end_at IS NOT NULL) AS marked FROM recipients WHERE campaign_id = ?`);
  const deadline = Date.now() + 10_000;
  try {
    for (;;) {
      const now = read.get(id) as { accepted: number; sending: number; marked: number };
      const taken = [...s.received.values()].reduce((a, b) => a + b, 0);
      const ready = now.accepted >= taken && s.heldBeforeDot() >= NEVER_ENDED && now.sending >= s.heldAfterDot() + NEVER_ENDED;
      if (ready || Date.now() > deadline) {
        // Same tick as the read: the server answers nothing now, so no row reaches its dot in between.
        const atKill = { sending: now.sending, marked: now.marked, heldAfterDot: s.heldAfterDot(), heldBeforeDot: s.heldBeforeDot() };
        victim.kill('SIGKILL');
        return atKill;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    db.close();
  }
}

async function crashAndRestart(name: string, env: Record<string, string>) {
  smtp = await startStallingSmtp(STALL_AT);
  rig = await createServiceRig(name, { LEADFWD_SMTP_RATE: '8', LEADFWD_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...env });
  const dbFile = join(rig.dir, 'data', 'leadfwd.sqlite');
  const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: TARGETS }));
  proc = await rig.start();
  const killed = proc;
  const exited = new Promise((r) => killed.once('exit', r));
  const id = await rig.createCampaign(name, listIds);
  const atKill = await killStalled(killed, dbFile, id, smtp);
  await exited;
  expect(atKill.heldAfterDot, JSON.stringify(atKill)).toBeGreaterThanOrEqual(1);
  expect(atKill.sending - atKill.heldAfterDot, JSON.stringify(atKill)).toBeGreaterThanOrEqual(NEVER_ENDED);
  const sendingAtKill = rig
    .ledger(id)
    .filter((r) => r.state === 'sending')
    .map((r) => r.email.toLowerCase());

  smtp.release();
  proc = await rig.start(); // recovery at start
  await rig.untilSent(id, 'sent after restart');
  const rows = rig.ledger(id);
  expect(rows).toHaveLength(TARGETS);
  return { id, atKill, rows, sendingAtKill, uncertain: rows.filter((r) => r.state === 'uncertain') };
}

describe('SIGKILL while the SMTP server stalls a rate-limited send (8/s, 40 targets)', () => {
  it("with the end of DATA mark, leaves 'uncertain' only rows whose dot the server saw; the rest are queued again and sent once", async () => {
    const { id, atKill, rows, sendingAtKill, uncertain } = await crashAndRestart('data-end-on', {});
    const s = smtp!;
    // Exactly the rows whose mark was recorded, each one a message whose final dot reached the server, none taken twice.
    expect(uncertain.length, JSON.stringify(atKill)).toBe(atKill.marked);
    expect(uncertain.length).toBeGreaterThanOrEqual(1);
    expectUncertainOnlyPastTheDot(s, rows, { sendingAtKill, heldAfterDot: atKill.heldAfterDot, neverEnded: NEVER_ENDED });
    await expectResendLeavesEveryoneOnce(rig!.api, s, id, { uncertain: uncertain.length, targets: TARGETS });
  }, 150_000);

  it("without it (the control, LEADFWD_DATA_END_MARK=false) every row in flight is left 'uncertain', also those whose dot never left", async () => {
    const { id, atKill, uncertain } = await crashAndRestart('data-end-off', { LEADFWD_DATA_END_MARK: 'false' });
    const s = smtp!;
    expect(uncertain.length, JSON.stringify(atKill)).toBe(atKill.sending);
    expect(uncertain.length).toBeGreaterThan(atKill.heldAfterDot);
    expect(uncertain.filter((r) => !s.dotSeen.has(r.email.toLowerCase())).length).toBeGreaterThanOrEqual(NEVER_ENDED);
    await expectResendLeavesEveryoneOnce(rig!.api, s, id, { uncertain: uncertain.length, targets: TARGETS });
  }, 150_000);
});
