// Fault matrix, relay side: one small campaign per fault on loopback (simulator, SMTP sink with a
// behaviour per recipient, the service). Invariants after each: every eligible target got at most
// one message; every row is accepted with exactly one delivery, waiting for a retry with the
// relay's reason, or uncertain (shown, never resent); nobody outside the list was mailed.
// Faults already proven elsewhere are listed in README "Guarantees".
import { afterEach, describe, expect, it } from 'vitest';
import type { SinkBehaviour } from '../../service/src/mail/sink.js';
import { freePort } from '../support/postgres.js';
import { type Stack, startStack, untilReadyz, waitFor } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';

const TARGETS = 120;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/**
 * Seeds TARGETS contacts (every 10th address contains "fault"), creates and starts a campaign. The faulty addresses
 * are at Gmail, the others at a company domain: another mailbox provider, which a provider's pushback must not stop.
 */
async function runCampaign(s: Stack): Promise<{ id: string; addresses: string[] }> {
  const sugar = adminClient(s.sim.url);
  const addresses = Array.from({ length: TARGETS }, (_, i) => (i % 10 === 0 ? `fault${i}@gmail.com` : `ok${i}@example.com`));
  const ids: string[] = [];
  for (const [i, a] of addresses.entries()) ids.push(await createPerson(sugar, { module: 'Contacts', first_name: `P${i}`, emails: [{ address: a }] }));
  const list = await createList(sugar, 'Fault matrix');
  await addToList(sugar, list, 'Contacts', ids);
  const created = await s.api('POST', '/campaigns', {
    name: 'Fault matrix',
    subject: 'Hi',
    fromName: 'A',
    fromEmail: 'a@news.example.test',
    html: '<p>Hi</p>',
    targetListIds: [list],
    sendAt: new Date().toISOString(),
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, addresses };
}

const ledger = (s: Stack, id: string) => s.service.store.recipients.list(id, { limit: 10_000, offset: 0 });

/** Waits until no row is queued-and-due or sending, then checks the invariants. */
async function settled(s: Stack, id: string, addresses: string[]) {
  let last: Awaited<ReturnType<typeof ledger>> = [];
  const rows = await waitFor(
    async () => {
      const r = await ledger(s, id);
      const status = (await s.service.store.campaigns.get(id))?.status ?? 'draft';
      if (['draft', 'extracting', 'pending'].includes(status)) return undefined;
      const sending = status === 'sending';
      const busy = r.some((x) => x.state === 'sending' || (sending && x.state === 'queued' && !x.retryAt));
      last = r;
      return r.length === addresses.length && !busy ? r : undefined;
    },
    'the campaign to settle',
    20_000,
  ).catch((e: Error) => {
    const states: Record<string, number> = {};
    for (const x of last) states[`${x.state}${x.retryAt ? '+retry' : ''}`] = (states[`${x.state}${x.retryAt ? '+retry' : ''}`] ?? 0) + 1;
    throw new Error(`${e.message}: ${JSON.stringify(states)} ${last.find((x) => x.lastError)?.lastError ?? ''}`);
  });
  const delivered = new Map<string, number>();
  for (const m of s.sink.messages) for (const to of m.envelope.to) delivered.set(to, (delivered.get(to) ?? 0) + 1);
  for (const [to, n] of delivered) {
    expect(addresses, `mailed outside the list: ${to}`).toContain(to);
    expect(n, `mailed twice: ${to}`).toBe(1);
  }
  for (const r of rows) {
    if (r.state === 'accepted') expect(delivered.get(r.email), r.email).toBe(1);
    else expect(delivered.has(r.email), `${r.email} is ${r.state} yet was delivered`).toBe(false);
  }
  return { rows, byState: (st: string) => rows.filter((r) => r.state === st) };
}

const startWith = (behaviour: (rcpt: string) => SinkBehaviour, threads = '0') => startStack({ sink: { behaviour }, env: { LEADFWD_SEND_THREADS: threads } });

describe('relay faults', () => {
  it.each([
    ['451 at DATA', { code: 451, message: '4.3.0 Temporary failure', at: 'data' as const }, '451'],
    ['421 at RCPT', { code: 421, message: '4.3.2 Service shutting down', at: 'rcpt' as const }, '421'],
  ])(
    '%s for some recipients: those wait for a retry with the reason, the rest are sent exactly once',
    async (_n, verdict, code) => {
      stack = await startWith((rcpt) => (rcpt.startsWith('fault') ? verdict : 'accept'));
      const { id, addresses } = await runCampaign(stack);
      const { rows, byState } = await settled(stack, id, addresses);
      const waiting = byState('queued');
      expect(waiting.map((r) => r.email).sort()).toEqual(addresses.filter((a) => a.startsWith('fault')).sort());
      for (const r of waiting) {
        expect(r.lastError).toContain(code);
        expect(Date.parse(r.retryAt!)).toBeGreaterThan(Date.now());
      }
      expect(byState('accepted')).toHaveLength(rows.length - waiting.length);
      expect(byState('uncertain')).toHaveLength(0);
    },
    90_000,
  );

  it("421 4.7.0 (a policy refusal) slows that provider for the identity, with the provider's words; the other provider's mail all goes, nobody is lost", async () => {
    stack = await startWith((rcpt) => (rcpt === 'fault10@gmail.com' ? { code: 421, message: '4.7.0 Try again later', at: 'rcpt' } : 'accept'));
    const { id, addresses } = await runCampaign(stack);
    const { byState } = await settled(stack, id, addresses);
    const view = (await stack.api('GET', `/campaigns/${id}`)).body;
    expect(view.status).toBe('sending'); // the refused row waits for its retry
    expect(view.sender.providers).toEqual([
      expect.objectContaining({ provider: 'google', level: 'slowed', reason: expect.stringContaining('4.7.0 Try again later') }),
    ]);
    expect(byState('uncertain')).toHaveLength(0);
    expect(byState('queued').map((r) => r.email)).toEqual(['fault10@gmail.com']);
    expect(byState('accepted')).toHaveLength(addresses.length - 1);
  }, 90_000);

  it('drops the connection after DATA: those rows are uncertain, shown on the campaign, never resent', async () => {
    stack = await startWith((rcpt) => (rcpt.startsWith('fault') ? 'drop-after-data' : 'accept'));
    const { id, addresses } = await runCampaign(stack);
    const { byState } = await settled(stack, id, addresses);
    const faulty = addresses.filter((a) => a.startsWith('fault')).sort();
    expect(
      byState('uncertain')
        .map((r) => r.email)
        .sort(),
    ).toEqual(faulty);
    expect(byState('accepted')).toHaveLength(addresses.length - faulty.length);
    const view = (await stack.api('GET', `/campaigns/${id}`)).body;
    expect(view.progress).toMatchObject({ uncertain: faulty.length, accepted: addresses.length - faulty.length });
  }, 90_000);

  it('refuses connections: nothing is sent, every row waits for a retry, none is uncertain', async () => {
    stack = await startStack({ env: { LEADFWD_SEND_THREADS: '0', LEADFWD_SMTP_URL: `smtp://127.0.0.1:${await freePort()}` } });
    const { id, addresses } = await runCampaign(stack);
    const { rows, byState } = await settled(stack, id, addresses);
    expect(byState('queued')).toHaveLength(rows.length);
    expect(stack.sink.messages).toHaveLength(0);
    for (const r of rows) expect(r.lastError).toMatch(/ECONNREFUSED|refused/i);
    const ready = await untilReadyz(stack.service.url, 503);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.smtp).toMatchObject({ ok: false, reason: 'SMTP relay unreachable (ECONNREFUSED)' });
  }, 90_000);
});
