// Sender identities as stored: settings round-trip, secrets stay sealed and apart, one default, approval and pause
// (compare-and-set), the last readiness, usage by campaigns and automations, and the audit log.
import { expect, it } from 'vitest';
import type { IdentitySettings } from '../../../service/src/ports/identities.js';
import { newCampaign } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

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

describeOnAdapters('identities port', ({ store }) => {
  it('keeps settings as given, secrets apart (never in the identity), and makes the first one the default', async () => {
    const a = await store.identities.create(settings(), { dkimKeySealed: 's1.key', relayPasswordSealed: 's1.pass' }, 'a');
    const b = await store.identities.create(settings({ name: 'Sales', warmup: undefined, dkim: undefined }), {}, 'b');
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
    expect(await store.identities.secrets('a')).toEqual({ dkimKeySealed: 's1.key', relayPasswordSealed: 's1.pass' });
    expect((await store.identities.list()).map((i) => i.id)).toEqual(['a', 'b']);
    expect(await store.identities.setDefault('b')).toBe(true);
    expect((await store.identities.getDefault())?.id).toBe('b');
    expect((await store.identities.list()).map((i) => [i.id, i.isDefault])).toEqual([
      ['b', true],
      ['a', false],
    ]);
    expect(await store.identities.setDefault('nope')).toBe(false);
  });

  it('updates settings, keeping a secret left undefined and removing one given as null', async () => {
    await store.identities.create(settings(), { dkimKeySealed: 'k1', relayPasswordSealed: 'p1' }, 'a');
    expect(await store.identities.update('a', settings({ name: 'Renamed' }), {})).toBe(true);
    expect(await store.identities.secrets('a')).toEqual({ dkimKeySealed: 'k1', relayPasswordSealed: 'p1' });
    await store.identities.update('a', settings({ name: 'Renamed' }), { dkimKeySealed: 'k2', relayPasswordSealed: null });
    expect(await store.identities.secrets('a')).toEqual({ dkimKeySealed: 'k2' });
    expect(await store.identities.get('a')).toMatchObject({ name: 'Renamed', relay: { hasPassword: false } });
    expect(await store.identities.update('nope', settings(), {})).toBe(false);
  });

  it('approval and pause: set and cleared; a pause compare-and-sets', async () => {
    await store.identities.create(settings(), {}, 'a');
    expect((await store.identities.get('a'))?.approval).toBeUndefined();
    await store.identities.setApproval('a', { how: 'forced', by: 'admin', at: '2026-12-03T10:00:00.000Z' });
    expect((await store.identities.get('a'))?.approval).toEqual({ how: 'forced', by: 'admin', at: '2026-12-03T10:00:00.000Z' });
    const pause = { reason: 'guard rail: complaint rate 1 %', at: '2026-12-03T11:00:00.000Z', by: 'guard rail' };
    expect(await store.identities.setPaused('a', pause, 'running')).toBe(true);
    expect(await store.identities.setPaused('a', { ...pause, reason: 'again' }, 'running')).toBe(false);
    expect((await store.identities.get('a'))?.paused).toEqual(pause);
    expect(await store.identities.setPaused('a', null, 'paused')).toBe(true);
    expect((await store.identities.get('a'))?.paused).toBeUndefined();
    await store.identities.setApproval('a', null);
    expect((await store.identities.get('a'))?.approval).toBeUndefined();
  });

  it('keeps the last readiness, and an audit log newest first', async () => {
    await store.identities.create(settings(), {}, 'a');
    expect(await store.identities.readiness('a')).toBeUndefined();
    const r = { ok: false, checkedAt: '2026-12-03T10:00:00.000Z', checks: [{ id: 'dkim' as const, ok: false, required: true, detail: 'no record' }] };
    await store.identities.saveReadiness('a', r);
    expect(await store.identities.readiness('a')).toEqual(r);
    await store.identities.audit('a', { at: '2026-12-03T10:00:00.000Z', by: 'admin', action: 'created' });
    await store.identities.audit('a', { at: '2026-12-03T10:01:00.000Z', by: 'admin', action: 'forced', detail: 'failing checks: dkim' });
    expect(await store.identities.auditLog('a', 10)).toEqual([
      { at: '2026-12-03T10:01:00.000Z', by: 'admin', action: 'forced', detail: 'failing checks: dkim' },
      { at: '2026-12-03T10:00:00.000Z', by: 'admin', action: 'created' },
    ]);
  });

  it('usage: unfinished campaigns through it (the default also those naming none) and automations not stopped whose steps name it', async () => {
    await store.identities.create(settings(), {}, 'a');
    await store.identities.create(settings({ name: 'Other' }), {}, 'b');
    await store.campaigns.create(newCampaign({ senderIdentityId: 'b' }), 'cb');
    await store.campaigns.create(newCampaign({ senderIdentityId: 'b' }), 'cb-done');
    await store.campaigns.transition('cb-done', ['draft'], 'cancelled');
    await store.campaigns.create(newCampaign(), 'c-default');
    const email = (senderIdentityId?: string) => ({
      name: 'Hi',
      subject: 'Hi',
      fromName: 'A',
      fromEmail: 'a@news.acme.test',
      html: '<p>x</p>',
      senderIdentityId,
    });
    await store.automations.create({ name: 'A', targetListIds: [], definition: {}, program: [{ op: 'send', key: '#a', email: email('b') }] }, 'auto-b');
    await store.automations.create({ name: 'B', targetListIds: [], definition: {}, program: [{ op: 'send', key: '#a', email: email() }] }, 'auto-default');
    expect(await store.identities.usage('b')).toEqual({ campaigns: ['cb'], automations: ['auto-b'] });
    expect(await store.identities.usage('a')).toEqual({ campaigns: ['c-default'], automations: ['auto-default'] });
    await store.automations.setStatus('auto-b', ['active'], 'stopped');
    expect((await store.identities.usage('b')).automations).toEqual([]);
    expect((await store.campaigns.withIdentity('b', ['draft'])).map((c) => c.id)).toEqual(['cb']);
    expect((await store.campaigns.withIdentity(null, ['draft'])).map((c) => c.id)).toEqual(['c-default']);
    expect((await store.campaigns.get('cb'))?.senderIdentityId).toBe('b');
    expect(await store.identities.remove('b')).toBe(true);
    expect(await store.identities.get('b')).toBeUndefined();
  });
});
