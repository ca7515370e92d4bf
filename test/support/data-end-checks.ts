// What the end of DATA mark tests assert after a kill against the stalling SMTP server, shared so the SQLite and the
// PostgreSQL runs check the same things the same way.
import { expect } from 'vitest';
import { waitFor } from './stack.js';
import type { StallingSmtp } from './stalling-smtp.js';

interface LedgerRow {
  email: string;
  state: string;
  attempts: number;
}

/**
 * Only rows whose final dot the server saw (and never took) are 'uncertain', at most those held after it; the rows
 * in flight short of their dot at the kill were queued again and sent once, their attempt not counted twice.
 */
export function expectUncertainOnlyPastTheDot(
  smtp: StallingSmtp,
  rows: LedgerRow[],
  kill: { sendingAtKill: string[]; heldAfterDot: number; neverEnded: number },
): void {
  const uncertain = rows.filter((r) => r.state === 'uncertain');
  expect(uncertain.length).toBeLessThanOrEqual(kill.heldAfterDot);
  for (const r of uncertain) {
    expect(smtp.dotSeen.has(r.email.toLowerCase()), r.email).toBe(true);
    expect(smtp.received.get(r.email.toLowerCase()) ?? 0, r.email).toBe(0);
  }
  const requeued = rows.filter((r) => kill.sendingAtKill.includes(r.email.toLowerCase()) && r.state !== 'uncertain');
  expect(requeued.length).toBeGreaterThanOrEqual(kill.neverEnded);
  for (const r of requeued) {
    expect(r.state, r.email).toBe('accepted');
    expect(r.attempts, r.email).toBe(1);
  }
  for (const r of rows.filter((x) => x.state !== 'uncertain')) expect(smtp.received.get(r.email.toLowerCase()), r.email).toBe(1);
}

/**
 * The operator's "send again" for the uncertain rows; then each of the `targets` people has exactly one message. With
 * `afterGrace`, the rows were taken from a process killed moments ago: refused until LEADFWD_ANSWER_GRACE_MS passed.
 */
export async function expectResendLeavesEveryoneOnce(
  api: (path: string, init?: RequestInit) => Promise<any>,
  smtp: StallingSmtp,
  id: string,
  counts: { uncertain: number; targets: number },
  o: { afterGrace?: boolean } = {},
): Promise<void> {
  const resend = () => api(`/campaigns/${id}/uncertain`, { method: 'POST', body: JSON.stringify({ action: 'resend', all: true }) });
  if (o.afterGrace) {
    expect(await resend()).toMatchObject({ error: 'sender_still_running' });
  }
  const decided = o.afterGrace
    ? await waitFor(
        async () => {
          const r = await resend();
          return r.changed ? r : undefined;
        },
        'the grace to pass',
        90_000,
      )
    : await resend();
  expect(decided).toMatchObject({ changed: counts.uncertain });
  await waitFor(
    async () => {
      const c = await api(`/campaigns/${id}`);
      return c.status === 'sent' && c.progress.uncertain === 0 && c.progress.queued === 0 ? c : undefined;
    },
    'sent again',
    30_000,
  );
  expect(smtp.received.size).toBe(counts.targets);
  expect([...smtp.received.entries()].filter(([, n]) => n !== 1)).toEqual([]);
}
