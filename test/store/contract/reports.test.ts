// The report's read model (by domain, lists of people, export rows), the operator's decisions on uncertain
// messages, and the campaign list's filter, for every store adapter.
import { expect, it } from 'vitest';
import { type Store, StoreInputError } from '../../../service/src/ports/index.js';
import { newCampaign, targets } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

const ALL = ['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users'];
const SALLY = { id: 'u-sally', userName: 'sally' };

/** Campaign 'c' with six recipients: gmail, outlook, yahoo, icloud, example.test and a Lead on gmail. */
async function seed(store: Store) {
  await store.campaigns.create(newCampaign(), 'c');
  const rows = targets(5).map((t, i) => ({
    ...t,
    email: ['Ann@Gmail.com', 'bob@outlook.com', 'cy@yahoo.com', 'dee@icloud.com', 'eve@example.test'][i],
    addressKey: `k${i}`,
  }));
  await store.recipients.insertMany('c', [...rows, { ...targets(1, 5)[0], module: 'Leads', id: 'l-5', email: 'flo@gmail.com', addressKey: 'k5' }]);
  const claimed = await store.recipients.claim('c', 10, '2026-03-01T08:00:00.000Z');
  const id = (i: number) => claimed[i].rowId;
  await store.recipients.markOutcomes([
    { rowId: id(0), state: 'accepted' },
    { rowId: id(1), state: 'accepted' },
    { rowId: id(2), state: 'failed', error: '550 no such user' },
    { rowId: id(3), state: 'uncertain', error: 'connection lost after DATA' },
    { rowId: id(4), state: 'accepted' },
    { rowId: id(5), state: 'uncertain', error: 'connection lost after DATA' },
  ]);
  return id;
}

describeOnAdapters('report read model', ({ store, clock }) => {
  it('tallies recipients by domain, each person once however many hits or facts', async () => {
    const id = await seed(store);
    const hit = async (rowId: number, kind: 'open' | 'click', human = true) =>
      await store.engagement.record({ recipientRowId: rowId, campaignId: 'c', kind, linkIndex: kind === 'click' ? 0 : undefined, at: clock.iso(), human });
    await hit(id(0), 'open');
    await hit(id(0), 'open');
    await hit(id(0), 'click');
    await hit(id(1), 'open', false); // a machine open is no person's
    await store.engagement.addFact({ recipientRowId: id(2), campaignId: 'c', fact: 'hard_bounce', at: clock.iso() });
    await store.engagement.addFact({ recipientRowId: id(4), campaignId: 'c', fact: 'opt_out', at: clock.iso() });
    await store.engagement.addFact({ recipientRowId: id(4), campaignId: 'c', fact: 'complaint', at: clock.iso() });
    const by = Object.fromEntries((await store.reports.byDomain('c')).map((d) => [d.domain, d]));
    expect(Object.keys(by).sort()).toEqual(['example.test', 'gmail.com', 'icloud.com', 'outlook.com', 'yahoo.com']);
    expect(by['gmail.com']).toEqual({
      domain: 'gmail.com',
      recipients: 2,
      accepted: 1,
      failed: 0,
      uncertain: 1,
      opened: 1,
      clicked: 1,
      hardBounces: 0,
      softBounces: 0,
      complaints: 0,
      optOuts: 0,
    });
    expect(by['outlook.com']).toMatchObject({ recipients: 1, accepted: 1, opened: 0 });
    expect(by['yahoo.com']).toMatchObject({ failed: 1, hardBounces: 1 });
    expect(by['example.test']).toMatchObject({ optOuts: 1, complaints: 1 });
    expect(await store.reports.byDomain('nope')).toEqual([]);
  });

  it('carries the mailbox provider extraction found from MX, a tally per domain and provider; rows without one have none', async () => {
    await store.campaigns.create(newCampaign(), 'p');
    const [a, b, c, d] = targets(4);
    await store.recipients.insertMany('p', [
      { ...a, email: 'ann@acme-corp.test', addressKey: 'p0', provider: 'google' },
      { ...b, email: 'bob@acme-corp.test', addressKey: 'p1', provider: 'google' },
      // The domain's MX changed between two extractions: each provider keeps its own tally.
      { ...c, email: 'cy@acme-corp.test', addressKey: 'p2', provider: 'microsoft' },
      { ...d, email: 'dee@old-rows.test', addressKey: 'p3' },
    ]);
    const tallies = (await store.reports.byDomain('p')).map(({ domain, provider, recipients }) => ({ domain, provider, recipients }));
    expect(tallies).toEqual([
      { domain: 'acme-corp.test', provider: 'google', recipients: 2 },
      { domain: 'acme-corp.test', provider: 'microsoft', recipients: 1 },
      { domain: 'old-rows.test', provider: undefined, recipients: 1 },
    ]);
    expect((await store.reports.byDomain('p')).find((t) => t.domain === 'old-rows.test')).not.toHaveProperty('provider');
  });

  it('lists the people of a fact, newest first, only of the modules given, counting the others as hidden', async () => {
    const id = await seed(store);
    await store.engagement.addFact({ recipientRowId: id(2), campaignId: 'c', fact: 'hard_bounce', at: '2026-03-01T09:00:00Z', detail: '550 5.1.1' });
    await store.engagement.addFact({ recipientRowId: id(0), campaignId: 'c', fact: 'soft_bounce', at: '2026-03-01T10:00:00Z' });
    await store.engagement.addFact({ recipientRowId: id(5), campaignId: 'c', fact: 'soft_bounce', at: '2026-03-01T11:00:00Z' });
    await store.engagement.addFact({ recipientRowId: id(4), campaignId: 'c', fact: 'opt_out', at: '2026-03-01T09:30:00Z' });
    const bounced = await store.reports.people('c', 'bounced', { modules: ALL, limit: 10, offset: 0 });
    expect(bounced.total).toBe(3);
    expect(bounced.hidden).toBe(0);
    expect(bounced.rows.map((r) => [r.email, r.fact, r.module])).toEqual([
      ['flo@gmail.com', 'soft_bounce', 'Leads'],
      ['Ann@Gmail.com', 'soft_bounce', 'Contacts'],
      ['cy@yahoo.com', 'hard_bounce', 'Contacts'],
    ]);
    expect(bounced.rows[2]).toMatchObject({
      recordId: 'c-2',
      state: 'failed',
      at: '2026-03-01T09:00:00.000Z',
      detail: '550 5.1.1',
      fields: { first_name: 'P2' },
    });
    const noLeads = await store.reports.people('c', 'bounced', { modules: ['Contacts'], limit: 1, offset: 1 });
    expect(noLeads).toMatchObject({ total: 2, hidden: 1 });
    expect(noLeads.rows.map((r) => r.email)).toEqual(['cy@yahoo.com']);
    expect((await store.reports.people('c', 'opted_out', { modules: ALL, limit: 10, offset: 0 })).rows.map((r) => r.email)).toEqual(['eve@example.test']);
    expect(await store.reports.people('c', 'complaint', { modules: ALL, limit: 10, offset: 0 })).toEqual({ rows: [], total: 0, hidden: 0 });
    await expect((async () => await store.reports.people('c', 'nope' as never, { modules: ALL, limit: 10, offset: 0 }))()).rejects.toThrow(StoreInputError);
    await expect((async () => await store.reports.people('c', 'bounced', { modules: ALL, limit: 0, offset: 0 }))()).rejects.toThrow(StoreInputError);
  });

  it('gives export rows a page at a time in ledger order, with counters and facts', async () => {
    const id = await seed(store);
    await store.engagement.record({ recipientRowId: id(0), campaignId: 'c', kind: 'open', at: clock.iso(), human: true });
    await store.engagement.record({ recipientRowId: id(0), campaignId: 'c', kind: 'click', linkIndex: 1, at: clock.iso(), human: true });
    await store.engagement.record({ recipientRowId: id(0), campaignId: 'c', kind: 'click', linkIndex: 0, at: clock.iso(), human: true });
    await store.engagement.record({ recipientRowId: id(0), campaignId: 'c', kind: 'click', linkIndex: 0, at: clock.iso(), human: false });
    await store.engagement.addFact({ recipientRowId: id(2), campaignId: 'c', fact: 'hard_bounce', at: clock.iso() });
    await store.engagement.addFact({ recipientRowId: id(4), campaignId: 'c', fact: 'opt_out', at: clock.iso() });
    const first = await store.reports.exportRows('c', { modules: ALL, afterRowId: 0, limit: 3 });
    expect(first.map((r) => r.rowId)).toEqual([id(0), id(1), id(2)]);
    expect(first[0]).toEqual({
      rowId: id(0),
      email: 'Ann@Gmail.com',
      module: 'Contacts',
      recordId: 'c-0',
      state: 'accepted',
      acceptedAt: clock.iso(),
      opens: 1,
      clicks: 2,
      optedOut: false,
      complaint: false,
    });
    expect(first[2]).toMatchObject({ state: 'failed', bounce: 'hard', opens: 0, clicks: 0 });
    expect(first[2].acceptedAt).toBeUndefined();
    const rest = await store.reports.exportRows('c', { modules: ALL, afterRowId: id(2), limit: 3 });
    expect(rest.map((r) => r.rowId)).toEqual([id(3), id(4), id(5)]);
    expect(rest[1]).toMatchObject({ optedOut: true });
    expect((await store.reports.exportRows('c', { modules: ['Leads'], afterRowId: 0, limit: 10 })).map((r) => r.email)).toEqual(['flo@gmail.com']);
  });
});

describeOnAdapters('uncertain messages', ({ store, clock }) => {
  it('marks chosen rows accepted at their hand-off time, records who decided, and leaves other rows alone', async () => {
    const id = await seed(store);
    clock.advance(60_000);
    expect(await store.recipients.resolveUncertain('c', [id(3), id(0), 999], 'accepted', SALLY, clock.iso())).toEqual([id(3)]);
    expect(await store.recipients.get(id(3))).toMatchObject({ state: 'accepted', acceptedAt: '2026-03-01T08:00:00.000Z' });
    expect((await store.recipients.get(id(0)))!.state).toBe('accepted');
    expect((await store.recipients.get(id(5)))!.state).toBe('uncertain');
    // Again: nothing is uncertain among them any more.
    expect(await store.recipients.resolveUncertain('c', [id(3)], 'accepted', SALLY, clock.iso())).toEqual([]);
    const listed = await store.reports.people('c', 'uncertain', { modules: ALL, limit: 10, offset: 0 });
    expect(listed.total).toBe(2);
    // Still undecided first.
    expect(listed.rows.map((r) => [r.rowId, r.state, r.resolution?.action])).toEqual([
      [id(5), 'uncertain', undefined],
      [id(3), 'accepted', 'accepted'],
    ]);
    expect(listed.rows[1].resolution).toEqual({ action: 'accepted', by: SALLY, at: '2026-03-01T08:01:00.000Z' });
    expect(listed.rows[0].detail).toBe('connection lost after DATA');
  });

  it('queues every uncertain row of a campaign again, due now, and only those of that campaign', async () => {
    const id = await seed(store);
    await store.campaigns.create(newCampaign(), 'other');
    await store.recipients.insertMany('other', targets(1));
    const [o] = await store.recipients.claim('other', 1, clock.iso());
    await store.recipients.markOutcomes([{ rowId: o.rowId, state: 'uncertain' }]);
    expect((await store.recipients.resolveUncertain('c', 'all', 'resend', undefined, clock.iso())).sort()).toEqual([id(3), id(5)].sort());
    expect(await store.recipients.counts('c')).toMatchObject({ queued: 2, uncertain: 0 });
    expect((await store.recipients.get(o.rowId))!.state).toBe('uncertain');
    const again = await store.recipients.claim('c', 10, clock.iso());
    expect(again.map((r) => r.rowId).sort()).toEqual([id(3), id(5)].sort());
    // The decision stays in the audit, by the API (no user), after the row moved on.
    await store.recipients.markOutcomes(again.map((r) => ({ rowId: r.rowId, state: 'accepted' as const })));
    const listed = await store.reports.people('c', 'uncertain', { modules: ALL, limit: 10, offset: 0 });
    expect(listed.rows.map((r) => [r.state, r.resolution])).toEqual([
      ['accepted', { action: 'resend', at: clock.iso() }],
      ['accepted', { action: 'resend', at: clock.iso() }],
    ]);
    await expect((async () => await store.recipients.resolveUncertain('c', 'all', 'later' as never, undefined, clock.iso()))()).rejects.toThrow(
      StoreInputError,
    );
    await expect((async () => await store.recipients.resolveUncertain('c', ['x' as never], 'resend', undefined, clock.iso()))()).rejects.toThrow(
      StoreInputError,
    );
  });
});

describeOnAdapters('campaign list filter and notes', ({ store, clock }) => {
  it('finds by status, text, sender, send time, held, automation, Sugar Campaign and Target List, newest first', async () => {
    await store.campaigns.create(
      newCampaign({ name: 'Spring News', sendAt: '2026-03-02T09:00:00Z', sugarCampaignId: 'sc-1', targetListIds: ['tl-1', 'tl-2'] }),
      'a',
    );
    clock.advance(1000);
    await store.campaigns.create(newCampaign({ name: 'Autumn', subject: 'Spring is over', fromEmail: 'Team@Acme.test', sendAt: '2026-04-01T09:00:00Z' }), 'b');
    clock.advance(1000);
    await store.campaigns.create(newCampaign({ name: 'Review', held: true, sendAt: '2026-05-01T09:00:00Z' }), 'h');
    clock.advance(1000);
    await store.campaigns.create(newCampaign({ name: 'Step 100%' }), 's');
    const auto = await store.automations.create({ name: 'Welcome', targetListIds: [], definition: {}, program: [] });
    await store.automations.setStepCampaign(auto.id, '#a', 's');
    await store.campaigns.transition('a', ['draft'], 'cancelled');
    const ids = async (f: Parameters<Store['campaigns']['find']>[0]) => (await store.campaigns.find(f)).map((c) => c.id);
    expect(await ids({})).toEqual(['s', 'h', 'b', 'a']);
    expect(await store.campaigns.find({ statuses: ['cancelled'] })).toEqual([{ id: 'a', name: 'Spring News', sugarCampaignId: 'sc-1', createdBy: undefined }]);
    expect(await ids({ text: 'spring' })).toEqual(['b', 'a']);
    expect(await ids({ text: '100%' })).toEqual(['s']);
    expect(await ids({ text: '%' })).toEqual(['s']);
    expect(await ids({ fromEmail: 'team@ACME.test' })).toEqual(['b']);
    expect(await ids({ sendFrom: '2026-03-15T00:00:00Z', sendTo: '2026-05-01T09:00:00Z' })).toEqual(['b']);
    expect(await ids({ held: true })).toEqual(['h']);
    expect(await ids({ held: false, automation: 'none' })).toEqual(['b', 'a']);
    expect(await ids({ automation: { id: auto.id } })).toEqual(['s']);
    expect(await ids({ automation: { id: 'nope' } })).toEqual([]);
    expect(await ids({ sugarCampaignId: 'sc-1' })).toEqual(['a']);
    expect(await ids({ sugarCampaignId: 'sc' })).toEqual([]);
    expect(await ids({ targetListId: 'tl-2' })).toEqual(['a']);
    expect(await ids({ targetListId: 'tl' })).toEqual([]);
  });

  it('writes a note in the history without changing the status', async () => {
    await store.campaigns.create(newCampaign(), 'n');
    clock.advance(5000);
    expect(await store.campaigns.note('n', '1 uncertain message marked as accepted by sally')).toBe(true);
    expect((await store.campaigns.get('n'))!.status).toBe('draft');
    expect(await store.campaigns.history('n')).toEqual([
      { status: 'draft', at: '2026-03-01T08:00:00.000Z' },
      { status: 'draft', at: '2026-03-01T08:00:05.000Z', reason: '1 uncertain message marked as accepted by sally' },
    ]);
    expect(await store.campaigns.note('nope', 'x')).toBe(false);
  });
});
