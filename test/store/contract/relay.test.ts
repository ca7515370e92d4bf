// The relay's pairing and one-time code, replay protection, and the per-actor test-send allowance.
import { expect, it } from 'vitest';
import { describeOnAdapters } from './adapters.js';

const t = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * 60_000).toISOString();

describeOnAdapters('relay port', { realTime: true }, ({ store }) => {
  it('keeps one pairing, replaced by the next', async () => {
    expect(await store.relay.pairing()).toBeUndefined();
    await store.relay.pair('sealed-1', 'https://sugar.example.test', t(0));
    await store.relay.pair('sealed-2', undefined, t(1));
    expect(await store.relay.pairing()).toEqual({ secretSealed: 'sealed-2', sugarUrl: null, pairedAt: t(1) });
  });

  it('uses a pairing code once, counts failures, and a new code replaces the live one', async () => {
    expect(await store.relay.pairingCode()).toBeUndefined();
    await store.relay.newPairingCode('hash-1', t(15));
    await store.relay.pairingCodeFailed();
    expect(await store.relay.pairingCode()).toEqual({ codeHash: 'hash-1', expiresAt: t(15), failures: 1, usedAt: null });
    expect(await store.relay.usePairingCode('other-hash', t(1), 5)).toBe(false);
    expect(await store.relay.usePairingCode('hash-1', t(15), 5)).toBe(false); // expired by then
    expect(await store.relay.usePairingCode('hash-1', t(1), 1)).toBe(false); // one wrong guess already, one allowed
    expect(await store.relay.usePairingCode('hash-1', t(1), 5)).toBe(true);
    expect(await store.relay.usePairingCode('hash-1', t(2), 5)).toBe(false);
    await store.relay.newPairingCode('hash-2', t(30));
    expect(await store.relay.pairingCode()).toEqual({ codeHash: 'hash-2', expiresAt: t(30), failures: 0, usedAt: null });
  });

  it('sees a nonce once until it expires', async () => {
    expect(await store.relay.seeNonce('n1', t(10), t(0))).toBe(true);
    expect(await store.relay.seeNonce('n1', t(10), t(5))).toBe(false);
    expect(await store.relay.seeNonce('n1', t(30), t(20))).toBe(true); // the expired one was pruned
  });

  it('allows `max` test sends per actor within the window', async () => {
    for (let i = 0; i < 3; i++) expect(await store.relay.takeTestSend('user:1', t(-60), 3, t(i))).toBe(true);
    expect(await store.relay.takeTestSend('user:1', t(-60), 3, t(4))).toBe(false);
    expect(await store.relay.takeTestSend('user:2', t(-60), 3, t(4))).toBe(true);
    expect(await store.relay.takeTestSend('user:1', t(61), 3, t(62))).toBe(true); // the earlier ones are out of the window
  });
});
