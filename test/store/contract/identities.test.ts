// Sender identities as stored: settings round-trip, secrets stay sealed and apart, one default, approval and pause
// (compare-and-set), the last readiness, usage by campaigns and automations, and the audit log.
import { describe, expect, it } from 'vitest';
import type { IdentitySettings } from '../../../service/src/ports/identities.js';
import type { Store } from '../../../service/src/ports/index.js';
import { newCampaign } from '../helpers.js';
import { adapters, storePerTest } from './adapters.js';

const settings = (over: Partial<IdentitySettings> = {}): IdentitySettings => ({
  name: 'Newsletter',
  fromDomains: ['news.acme.test'],
  fromAddresses: ['ceo@acme.test'],
  dkim: { domain: 'news.acme.test', selector: 'lf1', publicKeyDer: 'MIIBIjAN' },
  relay: { url: 'smtp://relay.acme.test:587', username: 'lf', maxConnections: 4 },
  bounceDomain: 'bounces.acme.test',
  rate: { perSecond: 50, perHour: 0, perDay: 10_000 },
  providerLimits: { google: { concurrency: 2 } },
  warmup: { startDate: '2026-12-01', startPerDay: 100, growth: 2, targetPerDay: 10_000 },
  users: ['sally'],
  fromEnvironment: false,
  ...over,
});

describe.each(adapters)('identities port ($name)', ({ open }) => {
  let store: Store;
  storePerTest(open, (s) => (store = s));

  it('keeps settings as given, secrets apart (never in the identity), and makes the first one the default', () => {
    const a = store.identities.create(settings(), { dkimKeySealed: 's1.key', relayPasswordSealed: 's1.pass' }, 'a');
    const b = store.identities.create(settings({ name: 'Sales', warmup: undefined, dkim: undefined }), {}, 'b');
    expect(a).toMatchObject({ id: 'a', isDefault: true, relay: { url: 'smtp://relay.acme.test:587', username: 'lf', hasPassword: true, maxConnections: 4 } });
    expect(a).toMatchObject({
      fromDomains: ['news.acme.test'],
      warmup: { startPerDay: 100 },
      providerLimits: { google: { concurrency: 2 } },
      users: ['sally'],
    });
    expect(JSON.stringify(a)).not.toContain('s1.');
    expect(b).toMatchObject({ isDefault: false, relay: { hasPassword: false } });
    expect(b.dkim).toBeUndefined();
    expect(store.identities.secrets('a')).toEqual({ dkimKeySealed: 's1.key', relayPasswordSealed: 's1.pass' });
    expect(store.identities.list().map((i) => i.id)).toEqual(['a', 'b']);
    expect(store.identities.setDefault('b')).toBe(true);
    expect(store.identities.getDefault()?.id).toBe('b');
    expect(store.identities.list().map((i) => [i.id, i.isDefault])).toEqual([
      ['b', true],
      ['a', false],
    ]);
    expect(store.identities.setDefault('nope')).toBe(false);
  });

  it('updates settings, keeping a secret left undefined and removing one given as null', () => {
    store.identities.create(settings(), { dkimKeySealed: 'k1', relayPasswordSealed: 'p1' }, 'a');
    expect(store.identities.update('a', settings({ name: 'Renamed' }), {})).toBe(true);
    expect(store.identities.secrets('a')).toEqual({ dkimKeySealed: 'k1', relayPasswordSealed: 'p1' });
    store.identities.update('a', settings({ name: 'Renamed' }), { dkimKeySealed: 'k2', relayPasswordSealed: null });
    expect(store.identities.secrets('a')).toEqual({ dkimKeySealed: 'k2' });
    expect(store.identities.get('a')).toMatchObject({ name: 'Renamed', relay: { hasPassword: false } });
    expect(store.identities.update('nope', settings(), {})).toBe(false);
  });

  it('approval and pause: set and cleared; a pause compare-and-sets', () => {
    store.identities.create(settings(), {}, 'a');
    expect(store.identities.get('a')?.approval).toBeUndefined();
    store.identities.setApproval('a', { how: 'forced', by: 'admin', at: '2026-12-03T10:00:00.000Z' });
    expect(store.identities.get('a')?.approval).toEqual({ how: 'forced', by: 'admin', at: '2026-12-03T10:00:00.000Z' });
    const pause = { reason: 'guard rail: complaint rate 1 %', at: '2026-12-03T11:00:00.000Z', by: 'guard rail' };
    expect(store.identities.setPaused('a', pause, 'running')).toBe(true);
    expect(store.identities.setPaused('a', { ...pause, reason: 'again' }, 'running')).toBe(false);
    expect(store.identities.get('a')?.paused).toEqual(pause);
    expect(store.identities.setPaused('a', null, 'paused')).toBe(true);
    expect(store.identities.get('a')?.paused).toBeUndefined();
    store.identities.setApproval('a', null);
    expect(store.identities.get('a')?.approval).toBeUndefined();
  });

  it('keeps the last readiness, and an audit log newest first', () => {
    store.identities.create(settings(), {}, 'a');
    expect(store.identities.readiness('a')).toBeUndefined();
    const r = { ok: false, checkedAt: '2026-12-03T10:00:00.000Z', checks: [{ id: 'dkim' as const, ok: false, required: true, detail: 'no record' }] };
    store.identities.saveReadiness('a', r);
    expect(store.identities.readiness('a')).toEqual(r);
    store.identities.audit('a', { at: '2026-12-03T10:00:00.000Z', by: 'admin', action: 'created' });
    store.identities.audit('a', { at: '2026-12-03T10:01:00.000Z', by: 'admin', action: 'forced', detail: 'failing checks: dkim' });
    expect(store.identities.auditLog('a', 10)).toEqual([
      { at: '2026-12-03T10:01:00.000Z', by: 'admin', action: 'forced', detail: 'failing checks: dkim' },
      { at: '2026-12-03T10:00:00.000Z', by: 'admin', action: 'created' },
    ]);
  });

  it('usage: unfinished campaigns through it (the default also those naming none) and automations not stopped whose steps name it', () => {
    store.identities.create(settings(), {}, 'a');
    store.identities.create(settings({ name: 'Other' }), {}, 'b');
    store.campaigns.create(newCampaign({ senderIdentityId: 'b' }), 'cb');
    store.campaigns.create(newCampaign({ senderIdentityId: 'b' }), 'cb-done');
    store.campaigns.transition('cb-done', ['draft'], 'cancelled');
    store.campaigns.create(newCampaign(), 'c-default');
    const email = (senderIdentityId?: string) => ({
      name: 'Hi',
      subject: 'Hi',
      fromName: 'A',
      fromEmail: 'a@news.acme.test',
      html: '<p>x</p>',
      senderIdentityId,
    });
    store.automations.create({ name: 'A', targetListIds: [], definition: {}, program: [{ op: 'send', key: '#a', email: email('b') }] }, 'auto-b');
    store.automations.create({ name: 'B', targetListIds: [], definition: {}, program: [{ op: 'send', key: '#a', email: email() }] }, 'auto-default');
    expect(store.identities.usage('b')).toEqual({ campaigns: ['cb'], automations: ['auto-b'] });
    expect(store.identities.usage('a')).toEqual({ campaigns: ['c-default'], automations: ['auto-default'] });
    store.automations.setStatus('auto-b', ['active'], 'stopped');
    expect(store.identities.usage('b').automations).toEqual([]);
    expect(store.campaigns.withIdentity('b', ['draft']).map((c) => c.id)).toEqual(['cb']);
    expect(store.campaigns.withIdentity(null, ['draft']).map((c) => c.id)).toEqual(['c-default']);
    expect(store.campaigns.get('cb')?.senderIdentityId).toBe('b');
    expect(store.identities.remove('b')).toBe(true);
    expect(store.identities.get('b')).toBeUndefined();
  });
});
