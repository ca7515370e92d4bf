// The end of DATA mark on PostgreSQL (in-process delivery, as the PostgreSQL rig runs it): one service process
// sending at 8 messages/s to a real SMTP server that stops answering after 16 messages (the next transaction held
// after its final dot, later ones at RCPT TO, before DATA) is SIGKILLed; a new process takes its rows over once its
// lease expired. Only rows whose dot the server saw become 'uncertain'; the others are queued again and sent once, and
// after the operator's "send again" (refused until the killed process has been silent for LEADFWD_ANSWER_GRACE_MS)
// every person has exactly one message.
import { describe, expect, it } from 'vitest';
import { expectResendLeavesEveryoneOnce, expectUncertainOnlyPastTheDot } from '../support/data-end-checks.js';
import { createPgProcessRig, type PgProcessRig } from '../support/pg-processes.js';
import { debianPgBin } from '../support/postgres.js';
import { cleanLists } from '../support/service-process.js';
import { waitFor } from '../support/stack.js';
import { type StallingSmtp, startStallingSmtp } from '../support/stalling-smtp.js';

const TARGETS = 40;
const NEVER_ENDED = 3;

describe.skipIf(!debianPgBin())('SIGKILL while the SMTP server stalls a rate-limited send, on PostgreSQL', () => {
  it("leaves 'uncertain' only rows whose dot the server saw; the rest are queued again and sent once", async () => {
    const smtp: StallingSmtp = await startStallingSmtp(16);
    const rig: PgProcessRig = await createPgProcessRig('data-end-pg');
    try {
      // The killed process's uncertain rows may be sent again once it has been silent this long (by default 10 minutes;
      // here more than the rest of the campaign takes on a loaded machine, so the first resend is always refused).
      const env = { LEADFWD_SMTP_RATE: '8', LEADFWD_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LEADFWD_ANSWER_GRACE_MS: '45000' };
      const { listIds } = rig.sim.seedBulk(cleanLists({ lists: 1, perList: TARGETS }));
      const p1 = await rig.start('p1', env);
      const id = await rig.createCampaign(p1, 'Stalled', listIds);

      await waitFor(() => smtp.stalling() || undefined, 'the server to stall', 30_000);
      const deadline = Date.now() + 10_000;
      let atKill: { accepted: number; sending: number; marked: number; heldAfterDot: number };
      for (;;) {
        const [accepted, sending, marked] = rig.pg
          .psql(
            `SELECT count(*) FILTER (WHERE state = 'accepted'), count(*) FILTER (WHERE state = 'sending'),
              count(*) FILTER (WHERE state = 'sending' AND data_end_at IS NOT NULL) FROM recipients WHERE campaign_id = '${id}'`,
            'leadfwd',
          )
          .split('|')
          .map(Number);
        const taken = [...smtp.received.values()].reduce((a, b) => a + b, 0);
        atKill = { accepted, sending, marked, heldAfterDot: smtp.heldAfterDot() };
        if ((accepted >= taken && smtp.heldBeforeDot() >= NEVER_ENDED && sending >= smtp.heldAfterDot() + NEVER_ENDED) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const sendingAtKill = (await rig.store.recipients.list(id, { state: 'sending', limit: 100, offset: 0 })).map((r) => r.email.toLowerCase());
      await rig.kill(p1);
      expect(atKill.sending - atKill.heldAfterDot, JSON.stringify(atKill)).toBeGreaterThanOrEqual(NEVER_ENDED);

      smtp.release();
      const p2 = await rig.start('p2', env);
      await waitFor(async () => (await rig.store.campaigns.get(id))?.status === 'sent' || undefined, 'sent by the new process', 60_000);
      const rows = await rig.store.recipients.list(id, { limit: 1000, offset: 0 });
      expect(rows).toHaveLength(TARGETS);
      const uncertain = rows.filter((r) => r.state === 'uncertain');
      expect(uncertain.length, JSON.stringify(atKill)).toBeGreaterThanOrEqual(1);
      expectUncertainOnlyPastTheDot(smtp, rows, { sendingAtKill, heldAfterDot: atKill.heldAfterDot, neverEnded: NEVER_ENDED });
      await expectResendLeavesEveryoneOnce(
        (path, init) => rig.api(p2, path, init),
        smtp,
        id,
        { uncertain: uncertain.length, targets: TARGETS },
        { afterGrace: true },
      );
    } finally {
      await rig.close();
      await smtp.close();
    }
  }, 180_000);
});
