// An operator resends a campaign's uncertain message (through one process's API) at the moment another process's
// send loop, having found nothing left to send, ends the campaign. Whichever decides first, the row must not be left
// queued in a 'sent' campaign (the scheduler sends only 'sending' ones, so that message would never go).
import { describe, expect, it } from 'vitest';
import { benchTarget, seedCampaign } from '../../scripts/bench/support.js';
import { finishSending } from '../../service/src/campaigns/scheduler.js';
import { resolveUncertain } from '../../service/src/campaigns/uncertain.js';
import type { PgStore } from '../../service/src/store/pg/db.js';
import { debianPgBin, useProcessStores, whileHeldOpen } from '../support/postgres.js';

describe.skipIf(!debianPgBin())('a resend of uncertain rows while another process ends the campaign', () => {
  const { stores } = useProcessStores('resend', { owners: ['api', 'sender'] });

  /** A sending campaign whose two rows ended accepted and uncertain: nothing left to send. */
  async function endedUncertain(id: string) {
    const [api] = stores;
    await seedCampaign(api, id);
    await api.recipients.insertMany(id, [benchTarget(0, `${id}.test`, 'tl'), benchTarget(1, `${id}.test`, 'tl')]);
    const now = new Date().toISOString();
    const rows = await api.recipients.reserve(id, 2, now, 'h', new Date(Date.now() + 60_000).toISOString());
    await api.recipients.markSending(
      rows.map((r) => r.rowId),
      'h',
      now,
    );
    await api.recipients.applyOutcomes([
      { rowId: rows[0].rowId, state: 'accepted' },
      { rowId: rows[1].rowId, state: 'uncertain', error: 'connection lost after DATA' },
    ]);
  }

  const resend = (store: PgStore, id: string) =>
    resolveUncertain({ store, campaigns: { allowed: async () => (await store.campaigns.get(id))! } }, id, { action: 'resend', all: true }, {
      kind: 'apiKey',
    } as never);

  const state = async (id: string) => ({ queued: (await stores[0].recipients.counts(id)).queued, status: (await stores[0].campaigns.get(id))?.status });

  it('the send loop ends it first: the resend finds it sent and reopens it', async () => {
    const [api, sender] = stores;
    await endedUncertain('end-first');
    const [finished, resent] = await whileHeldOpen(
      sender,
      async (tx) => {
        await tx.campaigns.get('end-first', { lock: true });
        return await tx.campaigns.transition('end-first', ['sending'], 'sent', 'every recipient handed off');
      },
      () => resend(api, 'end-first'),
    );
    expect([finished, resent.changed]).toEqual([true, 1]);
    expect(await state('end-first')).toEqual({ queued: 1, status: 'sending' });
  });

  it('the resend decides first: the send loop sees the row queued again and leaves the campaign sending', async () => {
    const [api, sender] = stores;
    await endedUncertain('resend-first');
    const [, finished] = await whileHeldOpen(
      api,
      async (tx) => {
        // As resolveUncertain does: the campaign's lock, then the rows queued again.
        await tx.campaigns.get('resend-first', { lock: true });
        await tx.recipients.resolveUncertain('resend-first', 'all', 'resend', undefined, new Date().toISOString());
      },
      () => finishSending(sender, 'resend-first'),
    );
    expect(finished).toBe(false);
    expect(await state('resend-first')).toEqual({ queued: 1, status: 'sending' });
  });

  it('a cancel landing while the resend is asked for wins: the rows stay uncertain, the resend is refused', async () => {
    const [api, sender] = stores;
    await endedUncertain('cancelled');
    const [, refused] = await whileHeldOpen(
      sender,
      async (tx) => {
        await tx.campaigns.get('cancelled', { lock: true });
        await tx.campaigns.transition('cancelled', ['sending'], 'cancelled', 'cancelled by another operator');
      },
      () =>
        resend(api, 'cancelled').then(
          () => undefined,
          (err: Error) => err.message,
        ),
    );
    expect(refused).toBe('Campaign cancelled is cancelled: it sends nothing more');
    expect(await api.recipients.counts('cancelled')).toMatchObject({ queued: 0, uncertain: 1 });
  });
});
