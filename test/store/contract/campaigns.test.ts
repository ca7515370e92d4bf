import { describe, expect, it } from 'vitest';
import { countSkip, emptyAudit } from '../../../service/src/domain/audit.js';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { newCampaign, targets, toSending } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('campaigns port', ({ store, clock }) => {
  describe('campaigns', () => {
    it('creates a draft with a history row and reads it back as a domain object', async () => {
      const c = await store.campaigns.create(
        newCampaign({ replyTo: 'help@acme.test', testAddresses: ['qa@acme.test'], sendAt: '2026-03-01T10:00:00+01:00' }),
        'camp-1',
      );
      expect(c).toMatchObject({
        id: 'camp-1',
        status: 'draft',
        name: 'Spring launch',
        replyTo: 'help@acme.test',
        targetListIds: ['tl-1'],
        customFields: ['industry_c'],
        testAddresses: ['qa@acme.test'],
        createdAt: clock.iso(),
        updatedAt: clock.iso(),
        sendAt: '2026-03-01T09:00:00.000Z', // normalised to UTC so SQL text order is time order
      });
      expect(c.mjml).toBeUndefined();
      expect(await store.campaigns.get('camp-1')).toEqual(c);
      expect(await store.campaigns.get('nope')).toBeUndefined();
      expect(await store.campaigns.history('camp-1')).toEqual([{ status: 'draft', at: clock.iso() }]);
    });

    it('keeps the Sugar audiences (saved filters, reports) with their name and module; none is no field', async () => {
      const audiences = [
        { kind: 'saved_filter' as const, id: 'f-1', module: 'Contacts' as const, name: 'EMEA' },
        { kind: 'report' as const, id: 'r-1', module: 'Leads' as const, name: 'Hot leads' },
      ];
      expect((await store.campaigns.create(newCampaign({ audiences }), 'with')).audiences).toEqual(audiences);
      expect((await store.campaigns.get('with'))?.audiences).toEqual(audiences);
      const c = await store.campaigns.create(newCampaign({ audiences: [] }), 'without');
      expect(c).not.toHaveProperty('audiences');
      expect(c).not.toHaveProperty('followUpOf');
      expect(c).not.toHaveProperty('abPart');
      expect(c).not.toHaveProperty('localTime');
    });

    it('keeps what a follow-up, an A/B test part and local-time sending add', async () => {
      const extra = {
        followUpOf: { campaignId: 'first', name: 'First', sugarCampaignId: 's-1', criterion: 'not_opened' as const, mppOnly: 'exclude' as const },
        abPart: { testId: 't', group: 'rest' as const, share: 0.2, variants: 3 },
        localTime: { at: '09:00', timeZone: 'Europe/Berlin' },
      };
      expect(await store.campaigns.create(newCampaign(extra), 'x')).toMatchObject(extra);
      expect(await store.campaigns.get('x')).toMatchObject(extra);
    });

    it('generates ids and rejects bad input clearly', async () => {
      const c = await store.campaigns.create(newCampaign());
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      await expect((async () => await store.campaigns.create(newCampaign({ sendAt: 'tomorrow-ish' })))()).rejects.toThrow(/sendAt must be an ISO date-time/);
      await expect((async () => await store.campaigns.create(newCampaign({ targetListIds: 'tl-1' as unknown as string[] })))()).rejects.toThrow(
        StoreInputError,
      );
      await expect((async () => await store.campaigns.create(newCampaign(), c.id))()).rejects.toThrow(StoreInputError);
    });

    it('lists newest first, pages and filters by status', async () => {
      for (let i = 0; i < 5; i++) {
        await store.campaigns.create(newCampaign({ name: `c${i}` }), `c${i}`);
        clock.advance(1000);
      }
      await store.campaigns.transition('c1', ['draft'], 'extracting');
      expect((await store.campaigns.list({ limit: 2, offset: 0 })).map((c) => c.id)).toEqual(['c4', 'c3']);
      expect((await store.campaigns.list({ limit: 10, offset: 3 })).map((c) => c.id)).toEqual(['c1', 'c0']);
      expect((await store.campaigns.list({ limit: 10, offset: 0, status: 'extracting' })).map((c) => c.id)).toEqual(['c1']);
    });

    it('transitions by compare-and-set and records each step with its time and reason', async () => {
      await store.campaigns.create(newCampaign(), 'c');
      clock.advance(1000);
      expect(await store.campaigns.transition('c', ['draft'], 'extracting')).toBe(true);
      // A second caller racing for the same step loses: the status is no longer 'draft'.
      expect(await store.campaigns.transition('c', ['draft'], 'extracting')).toBe(false);
      clock.advance(1000);
      expect(await store.campaigns.transition('c', ['extracting', 'pending', 'sending'], 'paused', 'operator')).toBe(true);
      expect(await store.campaigns.transition('missing', ['draft'], 'extracting')).toBe(false);
      expect(await store.campaigns.get('c')).toMatchObject({ status: 'paused', updatedAt: '2026-03-01T08:00:02.000Z' });
      expect(await store.campaigns.history('c')).toEqual([
        { status: 'draft', at: '2026-03-01T08:00:00.000Z' },
        { status: 'extracting', at: '2026-03-01T08:00:01.000Z' },
        { status: 'paused', at: '2026-03-01T08:00:02.000Z', reason: 'operator' },
      ]);
    });

    it('refuses transitions the lifecycle forbids instead of storing them', async () => {
      await store.campaigns.create(newCampaign(), 'c');
      await expect((async () => await store.campaigns.transition('c', ['draft'], 'sent'))()).rejects.toThrow(/illegal campaign transition: draft → sent/);
      await expect((async () => await store.campaigns.transition('c', ['sent', 'draft'], 'extracting'))()).rejects.toThrow(/sent → extracting/);
      expect((await store.campaigns.get('c'))!.status).toBe('draft');
      expect(await store.campaigns.history('c')).toHaveLength(1);
    });

    it('finds due pending campaigns and campaigns by status for restart recovery', async () => {
      const mk = async (id: string, sendAt: string, path: Array<[string[], string]>) => {
        await store.campaigns.create(newCampaign({ sendAt }), id);
        for (const [from, to] of path) await store.campaigns.transition(id, from as never, to as never);
      };
      await mk('early', '2026-03-01T07:00:00Z', [
        [['draft'], 'extracting'],
        [['extracting'], 'pending'],
      ]);
      await mk('exact', '2026-03-01T08:00:00Z', [
        [['draft'], 'extracting'],
        [['extracting'], 'pending'],
      ]);
      await mk('later', '2026-03-01T09:00:00Z', [
        [['draft'], 'extracting'],
        [['extracting'], 'pending'],
      ]);
      await mk('draft', '2026-03-01T07:00:00Z', []);
      await mk('sending', '2026-03-01T07:00:00Z', [
        [['draft'], 'extracting'],
        [['extracting'], 'pending'],
        [['pending'], 'sending'],
      ]);
      expect((await store.campaigns.due('2026-03-01T08:00:00.000Z')).map((c) => c.id)).toEqual(['early', 'exact']);
      expect((await store.campaigns.due('2026-03-01T10:00:00+02:00')).map((c) => c.id)).toEqual(['early', 'exact']);
      expect((await store.campaigns.inStatus(['sending', 'draft'])).map((c) => c.id).sort()).toEqual(['draft', 'sending']);
      expect(await store.campaigns.inStatus([])).toEqual([]);
    });

    it('saves and reads the audit, the Sugar campaign id and nothing for unknown ids', async () => {
      await store.campaigns.create(newCampaign(), 'c');
      expect(await store.campaigns.getAudit('c')).toBeUndefined();
      const audit = emptyAudit();
      audit.candidates = 3;
      audit.queued = 2;
      countSkip(audit, 'duplicate');
      audit.progress = { listsDone: 1, listsTotal: 2, recordsRead: 3 };
      await store.campaigns.saveAudit('c', audit);
      expect(await store.campaigns.getAudit('c')).toEqual(audit);
      await store.campaigns.setSugarCampaignId('c', 'sugar-123');
      expect((await store.campaigns.get('c'))!.sugarCampaignId).toBe('sugar-123');
      await expect((async () => await store.campaigns.saveAudit('nope', audit))()).rejects.toThrow(/unknown campaign: nope/);
      await expect((async () => await store.campaigns.setSugarCampaignId('nope', 'x'))()).rejects.toThrow(StoreInputError);
    });

    it('keeps link indexes stable: same list is a no-op, a longer list appends, a changed list is refused', async () => {
      await store.campaigns.create(newCampaign(), 'c');
      expect(await store.campaigns.links('c')).toEqual([]);
      await store.campaigns.saveLinks('c', ['https://a.test/', 'https://b.test/?utm_source=x']);
      await store.campaigns.saveLinks('c', ['https://a.test/', 'https://b.test/?utm_source=x']);
      await store.campaigns.saveLinks('c', ['https://a.test/', 'https://b.test/?utm_source=x', 'https://c.test/']);
      expect(await store.campaigns.links('c')).toEqual(['https://a.test/', 'https://b.test/?utm_source=x', 'https://c.test/']);
      await expect((async () => await store.campaigns.saveLinks('c', ['https://z.test/']))()).rejects.toThrow(/differ at index 0/);
      await expect((async () => await store.campaigns.saveLinks('c', ['https://a.test/']))()).rejects.toThrow(/differ at index 1/);
      expect(await store.campaigns.links('c')).toHaveLength(3);
      await expect((async () => await store.campaigns.saveLinks('nope', ['https://a.test/']))()).rejects.toThrow(StoreInputError);
    });

    it('names the runs of row ids and the links of campaigns sending, or sent within the days asked, and no others', async () => {
      const toSending = async (id: string) => {
        for (const [from, to] of [
          ['draft', 'extracting'],
          ['extracting', 'pending'],
          ['pending', 'sending'],
        ] as const)
          expect(await store.campaigns.transition(id, [from], to)).toBe(true);
      };
      for (const id of ['old', 'now', 'draft']) {
        await store.campaigns.create(newCampaign(), id);
        await store.campaigns.saveLinks(id, [`https://${id}.test/a`, `https://${id}.test/b`]);
      }
      // Rows of 'now' interleaved with another campaign's: two runs, and the row between them is not 'now''s.
      await store.recipients.insertMany('now', targets(3));
      await store.recipients.insertMany('draft', targets(1));
      await store.recipients.insertMany('now', targets(2, 3));
      await store.recipients.insertMany('old', targets(2));
      await toSending('old');
      await store.campaigns.transition('old', ['sending'], 'sent');
      clock.advance(10 * 86_400_000);
      await toSending('now');
      const rows = async (id: string) => (await store.recipients.list(id, { limit: 10, offset: 0 })).map((r) => r.rowId).sort((a, b) => a - b);
      const [n, o, d] = [await rows('now'), await rows('old'), await rows('draft')];
      const since = (days: number) => new Date(clock.now().getTime() - days * 86_400_000).toISOString();

      const recent = await store.campaigns.trackedLinks(since(30), 100);
      expect(recent.spans).toEqual([
        { campaignId: 'old', first: o[0], last: o[1] },
        { campaignId: 'now', first: n[3], last: n[4] },
        { campaignId: 'now', first: n[0], last: n[2] },
      ]);
      expect(d[0]).toBeGreaterThan(n[2]);
      expect(d[0]).toBeLessThan(n[3]);
      expect(recent.links).toEqual({ now: ['https://now.test/a', 'https://now.test/b'], old: ['https://old.test/a', 'https://old.test/b'] });
      // Sent 10 days ago falls out of a 5-day window; the newest runs are kept when fewer are asked for.
      expect((await store.campaigns.trackedLinks(since(5), 100)).spans.map((s) => s.campaignId)).toEqual(['now', 'now']);
      const one = await store.campaigns.trackedLinks(since(30), 1);
      expect(one).toEqual({
        spans: [{ campaignId: 'old', first: o[0], last: o[1] }],
        links: { old: ['https://old.test/a', 'https://old.test/b'] },
        upcoming: ['draft'], // it may still send
      });
    });

    it('names the rows of a sending campaign only with its links, once saved (even none), and the ones that may still send as upcoming', async () => {
      // 'linked' and 'plain' started sending before any link was saved; 'later' is scheduled, its links saved by a
      // preview; 'done' was cancelled before anything went out.
      for (const id of ['linked', 'plain', 'later', 'done']) {
        await store.campaigns.create(newCampaign(), id);
        await store.recipients.insertMany(id, targets(2, id.length * 10));
      }
      await toSending(store, 'linked');
      await toSending(store, 'plain');
      await store.campaigns.transition('later', ['draft'], 'extracting');
      await store.campaigns.transition('later', ['extracting'], 'pending');
      await store.campaigns.saveLinks('later', ['https://later.test/a']);
      await toSending(store, 'done');
      await store.campaigns.transition('done', ['sending'], 'cancelled');
      const since = new Date(clock.now().getTime() - 86_400_000).toISOString();
      const read = async () => await store.campaigns.trackedLinks(since, 100);
      const named = async () => {
        const t = await read();
        return { campaigns: [...new Set(t.spans.map((s) => s.campaignId))].sort(), links: t.links, upcoming: [...(t.upcoming ?? [])].sort() };
      };
      const all = ['done', 'later', 'linked', 'plain', 'nope'];
      // The race: a re-read between the start and the links being saved names neither the rows nor the links.
      expect(await named()).toEqual({ campaigns: [], links: {}, upcoming: ['later', 'linked', 'plain'] });
      expect(await store.campaigns.trackedAmong(all)).toEqual([]);

      const beforeSave = clock.iso();
      expect(await store.campaigns.trackedSince(beforeSave)).toEqual([]);
      clock.advance(1_000);
      await store.campaigns.saveLinks('linked', ['https://linked.test/a', 'https://linked.test/b']);
      expect(await store.campaigns.trackedAmong(all)).toEqual(['linked']);
      // Made since a re-read: named by when its links were saved ('later' was saved before, and is not sending yet).
      expect(await store.campaigns.trackedSince(beforeSave)).toEqual(['linked']);
      expect(await store.campaigns.trackedSince(new Date(clock.now().getTime() + 1).toISOString())).toEqual([]);
      expect(await named()).toEqual({
        campaigns: ['linked'],
        links: { linked: ['https://linked.test/a', 'https://linked.test/b'] },
        upcoming: ['later', 'plain'],
      });

      // A row handed over says nothing; a campaign whose messages carry no link saves none, and is saved all the same.
      expect(await store.recipients.claim('plain', 1, clock.iso())).toHaveLength(1);
      expect(await store.campaigns.trackedAmong(all)).toEqual(['linked']);
      await store.campaigns.saveLinks('plain', []);
      await store.campaigns.transition('later', ['pending'], 'sending');
      expect(await store.campaigns.trackedAmong(all)).toEqual(['later', 'linked', 'plain']);
      expect(await named()).toEqual({
        campaigns: ['later', 'linked', 'plain'],
        links: { later: ['https://later.test/a'], linked: ['https://linked.test/a', 'https://linked.test/b'] },
        upcoming: [],
      });
      expect(await store.campaigns.trackedAmong([])).toEqual([]);
    });
  });
});
