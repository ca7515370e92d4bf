// A reservation that leaves a provider out walks the queue past every row of it. When it came back short there is
// nothing else to find until a row goes back to the queue: asked again every few milliseconds (a campaign to one
// provider whose slot queue is full), those walks were a third of the main thread's time.
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerRecipient, Store } from '../../service/src/ports/index.js';
import { createReservations } from '../../service/src/sending/reservations.js';
import { memoryStore, newCampaign, targets, toSending } from '../store/helpers.js';

let store: Store;
afterEach(() => store?.close());

async function campaignTo(providers: Array<string | undefined>): Promise<{ id: string; asked: Array<string[] | undefined> }> {
  store = memoryStore();
  const c = await store.campaigns.create(newCampaign());
  await toSending(store, c.id);
  await store.recipients.insertMany(
    c.id,
    targets(providers.length).map((t, i) => ({ ...t, provider: providers[i] })),
  );
  return { id: c.id, asked: [] };
}

function reservationsOf(id: string, asked: Array<string[] | undefined>) {
  const ledger = store.recipients;
  const recipients = {
    reserve: (...a: Parameters<typeof ledger.reserve>) => {
      asked.push(a[5] ? [...a[5]] : undefined);
      return ledger.reserve(...a);
    },
    markSending: ledger.markSending.bind(ledger),
    unreserve: ledger.unreserve.bind(ledger),
    releaseHolder: ledger.releaseHolder.bind(ledger),
    release: ledger.release.bind(ledger),
  };
  return createReservations({
    store: { recipients, suppressions: store.suppressions },
    campaignId: id,
    now: () => new Date(),
    dataEndMark: false,
    isInFlight: () => false,
    waited: () => {},
    notGoing: () => {},
    record: async () => {},
    send: () => {},
  });
}

describe('reservations that leave providers out', () => {
  it('are not asked again while they found everything outside those providers, until a row of another goes back', async () => {
    const { id, asked } = await campaignTo(['google', 'google', 'google', 'yahoo', 'google']);
    const reserved = reservationsOf(id, asked);
    expect(await reserved.reserve(10, ['google'])).toBe(1); // the yahoo row: short of 10
    expect(await reserved.reserve(10, ['google'])).toBe(0);
    expect(await reserved.reserve(10, ['google', 'microsoft'])).toBe(0);
    expect(asked).toEqual([['google']]);
    // Leaving fewer out may find more: asked.
    expect(await reserved.reserve(2, undefined)).toBe(2);
    expect(asked).toHaveLength(2);
    // A google row going back changes nothing for a reservation without google; the yahoo row going back does.
    const yahoo = reserved.next() as LedgerRecipient;
    expect(yahoo.provider).toBe('yahoo');
    const google = reserved.pending.find((r) => r.provider === 'google')!;
    await reserved.giveBack([google], '');
    expect(await reserved.reserve(10, ['google'])).toBe(0);
    expect(asked).toHaveLength(2);
    await reserved.giveBack([yahoo], '');
    expect(await reserved.reserve(10, ['google'])).toBe(1);
    expect(asked).toHaveLength(3);
    // Nothing else to do: the loop asks again instead of going idle on a reservation it skipped.
    expect(await reserved.reserve(10, ['google'])).toBe(0);
    expect(asked).toHaveLength(3);
    expect(reserved.takeSkipped()).toBe(true);
    expect(await reserved.reserve(10, ['google'])).toBe(0);
    expect(asked).toHaveLength(4);
  });

  it('take a row without a stored provider going back as new: the store never leaves such a row out', async () => {
    const { id, asked } = await campaignTo([undefined, 'google']);
    const reserved = reservationsOf(id, asked);
    expect(await reserved.reserve(10, ['google'])).toBe(1);
    const unknown = reserved.next();
    await reserved.giveBack([unknown], '');
    expect(await reserved.reserve(10, ['google'])).toBe(1);
    expect(asked).toHaveLength(2);
  });
});
