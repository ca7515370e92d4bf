// Issue 15 item 3, the review's case: a rate-limited send (8 messages/s, 40 targets) SIGKILLed mid-send. A row
// becomes 'sending' only when it is handed to SMTP, so after the restart 'uncertain' is at most the messages that
// were in SMTP transactions at the kill, as the SMTP server saw them; every other target gets exactly one message, and
// the operator's "send again" gives the uncertain ones theirs.
//
// The SMTP server here answers every message at once except one: at the end of that one's DATA it holds the reply, and
// the service is killed as soon as the ledger has recorded the answers already given (outcomes are flushed every
// 25 ms, later on a loaded machine; rows answered but not yet recorded are a different window, not this one's), or
// after 100 ms at the latest: before the next hand-off (1/8 s apart), so the send cannot drain meanwhile. The old
// code, whose rows waited for the rate limiter as 'sending', never gets below that and fails the bound. A message whose reply never went out was not taken (the client cannot
// know it arrived): it is not counted as received.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../service/src/store/db.js';
import { cleanLists, createServiceRig, type ServiceRig } from '../support/service-process.js';
import { listenSmtp, type ScriptedSmtp } from '../support/smtp-server.js';
import { waitFor } from '../support/stack.js';

const TARGETS = 40;
/** The message whose DATA end triggers the kill: past the rate limiter's first burst (8), in its steady 8/s. */
const KILL_AT = 16;

let rig: ServiceRig;
let proc: ChildProcess | undefined;
let server: ScriptedSmtp | undefined;
const received = new Map<string, number>();
/** Sessions in a transaction (MAIL FROM seen, final reply not sent) and those of them past the start of DATA. */
const inTransaction = new Set<string>();
const inData = new Set<string>();
let ended = 0;
let atKill: { inTransaction: number; inData: number; received: number; ledgerSending: number } | undefined;
let dbFile = '';

/** Kills the service once the ledger's 'sending' rows are no more than the transactions open here, or after 100 ms. */
function killWhenRecorded(victim: ChildProcess) {
  const db = new Database(dbFile, { fileMustExist: true });
  const sending = db.prepare("SELECT count(*) FROM recipients WHERE state = 'sending'").pluck();
  const deadline = Date.now() + 100;
  const tick = () => {
    const ledgerSending = sending.get() as number;
    if (ledgerSending > inData.size && Date.now() < deadline) return setTimeout(tick, 2);
    // Same tick as the read: nothing of the service runs in between but what was already under way.
    atKill = { inTransaction: inTransaction.size, inData: inData.size, received: [...received.values()].reduce((a, b) => a + b, 0), ledgerSending };
    victim.kill('SIGKILL');
    db.close();
  };
  tick();
}

beforeAll(async () => {
  server = await listenSmtp({
    onMailFrom(_address, session, callback) {
      inTransaction.add(session.id);
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      inData.add(session.id);
      stream.on('data', () => {});
      stream.on('end', () => {
        if (++ended === KILL_AT && proc) return killWhenRecorded(proc); // held: open at the kill, never answered
        inTransaction.delete(session.id);
        inData.delete(session.id);
        for (const r of session.envelope.rcptTo) received.set(r.address.toLowerCase(), (received.get(r.address.toLowerCase()) ?? 0) + 1);
        callback();
      });
    },
    onClose(session) {
      inTransaction.delete(session.id);
      inData.delete(session.id);
    },
  });
  rig = await createServiceRig('crash-rate', { LEADFWD_SMTP_RATE: '8', LEADFWD_SMTP_URL: `smtp://127.0.0.1:${server.port}` });
  dbFile = join(rig.dir, 'data', 'leadfwd.sqlite');
}, 60_000);

afterAll(async () => {
  proc?.kill('SIGKILL');
  await rig?.close();
  await server?.close();
});

describe('SIGKILL in the middle of a rate-limited send (8/s, 40 targets)', () => {
  it("leaves uncertain only what was in SMTP transactions; everyone else gets exactly one message; 'send again' completes", async () => {
    const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: TARGETS }));
    proc = await rig.start();
    const killed = proc;
    const exited = new Promise((r) => killed.once('exit', r));
    const id = await rig.createCampaign('Rate-limited crash', listIds);
    await waitFor(() => atKill, 'the kill mid-transaction', 30_000);
    await exited;
    expect(atKill!.inData).toBeGreaterThanOrEqual(1);
    expect(atKill!.received).toBeGreaterThanOrEqual(KILL_AT - 1);

    proc = await rig.start(); // recovery runs at start: 'sending' rows → 'uncertain', reserved rows queued again
    const done = await rig.untilSent(id, 'sent after restart');
    expect(done.audit.queued).toBe(TARGETS);

    const store = openStore(dbFile);
    let uncertainIds: number[];
    try {
      const rows = store.recipients.list(id, { limit: 1000, offset: 0 });
      expect(rows).toHaveLength(TARGETS);
      const uncertain = rows.filter((r) => r.state === 'uncertain');
      // The bound, from what the SMTP server saw: connections with DATA started and not answered at the kill.
      expect(uncertain.length, JSON.stringify(atKill)).toBeLessThanOrEqual(atKill!.inData);
      expect(uncertain.length).toBeGreaterThanOrEqual(1); // the held transaction's row
      for (const r of rows) {
        const n = received.get(r.email.toLowerCase()) ?? 0;
        if (r.state === 'uncertain') expect(n, r.email).toBe(0);
        else {
          expect(r.state, r.email).toBe('accepted');
          expect(n, r.email).toBe(1);
        }
      }
      uncertainIds = uncertain.map((r) => r.rowId);
    } finally {
      store.close();
    }

    // The operator sends the uncertain ones again; the decision is audited (the API key: no Sugar user) with its time.
    const decided = await rig.api(`/campaigns/${id}/uncertain`, { method: 'POST', body: JSON.stringify({ action: 'resend', all: true }) });
    expect(decided).toMatchObject({ action: 'resend', changed: uncertainIds.length });
    await waitFor(
      async () => {
        const c = await rig.api(`/campaigns/${id}`);
        return c.status === 'sent' && c.progress.uncertain === 0 && c.progress.queued === 0 ? c : undefined;
      },
      'sent again',
      30_000,
    );
    proc.kill('SIGTERM');
    await new Promise((r) => proc!.once('exit', r));
    proc = undefined;

    expect(received.size).toBe(TARGETS);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    const db = new Database(dbFile, { readonly: true });
    try {
      const audit = db
        .prepare('SELECT recipient_row_id AS rowId, action, by_id AS byId, at FROM uncertain_resolutions WHERE campaign_id = ? ORDER BY recipient_row_id')
        .all(id) as Array<{ rowId: number; action: string; byId: string | null; at: string }>;
      expect(audit.map((a) => [a.rowId, a.action, a.byId])).toEqual(uncertainIds.map((r) => [r, 'resend', null]));
      for (const a of audit) expect(Number.isNaN(Date.parse(a.at))).toBe(false);
    } finally {
      db.close();
    }
  }, 150_000);
});
