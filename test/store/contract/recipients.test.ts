import { beforeEach, describe, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { newCampaign, targets, toSending } from '../helpers.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('recipients port', ({ store, clock }) => {
  beforeEach(async () => {
    for (const id of ['c1', 'c2']) {
      await store.campaigns.create(newCampaign(), id);
      await toSending(store, id); // rows go to SMTP only while their campaign sends
    }
  });

  describe('recipient ledger', () => {
    it('keeps a target that must wait (local-time sending) unclaimable until its time', async () => {
      const [now, later] = targets(2);
      await store.recipients.insertMany('c1', [now, { ...later, notBefore: '2026-03-02T09:00:00+01:00' }]);
      expect((await store.recipients.claim('c1', 10, '2026-03-02T07:59:59.000Z')).map((r) => r.id)).toEqual(['c-0']);
      expect(await store.recipients.nextDue('c1')).toBe('2026-03-02T08:00:00.000Z');
      expect((await store.recipients.claim('c1', 10, '2026-03-02T08:00:00.000Z')).map((r) => r.id)).toEqual(['c-1']);
    });

    it('lists and counts rows by module, for readers Sugar shows only some modules', async () => {
      const [a, b, c] = targets(3);
      await store.recipients.insertMany('c1', [a, { ...b, module: 'Leads' }, { ...c, module: 'Accounts' }]);
      await store.recipients.insertMany('c2', targets(2, 10));
      expect(await store.recipients.moduleCounts('c1')).toEqual({ Contacts: 1, Leads: 1, Accounts: 1 });
      const ids = async (modules?: string[]) => (await store.recipients.list('c1', { modules, limit: 10, offset: 0 })).map((r) => r.id);
      expect(await ids(['Leads', 'Accounts'])).toEqual(['c-1', 'c-2']);
      expect(await ids([])).toEqual([]);
      expect(await ids()).toEqual(['c-0', 'c-1', 'c-2']);
    });

    it('inserts targets once per (campaign, address key) and keeps what Sugar sent verbatim', async () => {
      expect(await store.recipients.insertMany('c1', targets(3))).toBe(3);
      // Same keys again (e.g. extraction resumed after a pause): nothing new.
      expect(await store.recipients.insertMany('c1', targets(4))).toBe(1);
      // Another campaign has its own ledger.
      expect(await store.recipients.insertMany('c2', targets(2))).toBe(2);
      // A row without an address key is refused, and the batch with it.
      await expect((async () => await store.recipients.insertMany('c2', [...targets(3), { ...targets(1)[0], addressKey: '' }]))()).rejects.toThrow(
        'a ledger row needs an address key',
      );
      expect((await store.recipients.counts('c2')).queued).toBe(2);
      const [first] = await store.recipients.list('c1', { limit: 1, offset: 0 });
      expect(first).toMatchObject({
        campaignId: 'c1',
        module: 'Contacts',
        id: 'c-0',
        listId: 'tl-1',
        email: 'Person0@Example.test',
        emailAddressId: 'ea-0',
        addressKey: 'person0@example.test',
        fields: { first_name: 'P0' },
        trackingConsent: true,
        state: 'queued',
        attempts: 0,
      });
      expect(first.retryAt).toBeUndefined();
      expect(await store.recipients.get(first.rowId)).toEqual(first);
      expect(await store.recipients.get(999_999)).toBeUndefined();
      expect(await store.recipients.counts('c1')).toEqual({ queued: 4, sending: 0, accepted: 0, failed: 0, uncertain: 0 });
    });

    it('reads several rows by id at once, leaving out ids that do not exist', async () => {
      await store.recipients.insertMany('c1', targets(3));
      await store.recipients.insertMany('c2', targets(1));
      const rows = [...(await store.recipients.list('c1', { limit: 10, offset: 0 })), ...(await store.recipients.list('c2', { limit: 10, offset: 0 }))];
      const wanted = [rows[2].rowId, rows[0].rowId, rows[3].rowId, 999_999];
      const got = await store.recipients.getMany(wanted);
      expect(got.sort((a, b) => a.rowId - b.rowId)).toEqual([rows[0], rows[2], rows[3]].sort((a, b) => a.rowId - b.rowId));
      expect(got[0]).toEqual(await store.recipients.get(got[0].rowId));
      expect(await store.recipients.getMany([])).toEqual([]);
    });

    it('rolls back a whole batch when one row is bad', async () => {
      const batch = targets(3);
      (batch[2] as { email: unknown }).email = null;
      await expect((async () => await store.recipients.insertMany('c1', batch))()).rejects.toThrow(StoreInputError);
      expect((await store.recipients.counts('c1')).queued).toBe(0);
    });

    it('claims due queued rows in order, moving them to sending with one more attempt', async () => {
      await store.recipients.insertMany('c1', targets(5));
      await store.recipients.insertMany('c2', targets(5));
      const a = await store.recipients.claim('c1', 2, clock.iso());
      expect(a.map((r) => r.id)).toEqual(['c-0', 'c-1']);
      expect(a.every((r) => r.state === 'sending' && r.attempts === 1 && r.campaignId === 'c1')).toBe(true);
      const b = await store.recipients.claim('c1', 10, clock.iso());
      expect(b.map((r) => r.id)).toEqual(['c-2', 'c-3', 'c-4']);
      expect(await store.recipients.claim('c1', 10, clock.iso())).toEqual([]);
      expect(await store.recipients.counts('c1')).toMatchObject({ queued: 0, sending: 5 });
      expect(await store.recipients.counts('c2')).toMatchObject({ queued: 5, sending: 0 });
      await expect((async () => await store.recipients.claim('c1', -1, clock.iso()))()).rejects.toThrow(/whole number/);
      await expect((async () => await store.recipients.claim('c1', 1, 'soon'))()).rejects.toThrow(/ISO date-time/);
    });

    it('records outcomes in one batch; a queued outcome with retryAt waits for its time', async () => {
      await store.recipients.insertMany('c1', targets(4));
      const [r0, r1, r2, r3] = await store.recipients.claim('c1', 4, clock.iso());
      const changed = await store.recipients.markOutcomes([
        { rowId: r0.rowId, state: 'accepted', messageId: '<m0@leadfwd.test>' },
        { rowId: r1.rowId, state: 'failed', error: '550 5.1.1 no such user' },
        { rowId: r2.rowId, state: 'uncertain', error: 'connection lost after DATA' },
        { rowId: r3.rowId, state: 'queued', error: '451 4.7.1 try later', retryAt: '2026-03-01T08:05:00.000Z' },
      ]);
      expect(changed).toBe(4);
      expect(await store.recipients.get(r0.rowId)).toMatchObject({ state: 'accepted', messageId: '<m0@leadfwd.test>', acceptedAt: clock.iso() });
      expect(await store.recipients.get(r1.rowId)).toMatchObject({ state: 'failed', lastError: '550 5.1.1 no such user' });
      expect(await store.recipients.get(r3.rowId)).toMatchObject({ state: 'queued', retryAt: '2026-03-01T08:05:00.000Z', attempts: 1 });
      expect(await store.recipients.counts('c1')).toEqual({ queued: 1, sending: 0, accepted: 1, failed: 1, uncertain: 1 });

      expect(await store.recipients.claim('c1', 10, '2026-03-01T08:04:59.999Z')).toEqual([]);
      const retry = await store.recipients.claim('c1', 10, '2026-03-01T08:05:00.000Z');
      expect(retry.map((r) => [r.rowId, r.attempts])).toEqual([[r3.rowId, 2]]);
    });

    it('ignores outcomes for rows that are no longer being sent, and rejects unknown states', async () => {
      await store.recipients.insertMany('c1', targets(2));
      const [r0] = await store.recipients.claim('c1', 1, clock.iso());
      await store.recipients.markOutcomes([{ rowId: r0.rowId, state: 'accepted', messageId: '<a@t>' }]);
      // A late duplicate report must not turn an accepted row into a failure.
      expect(await store.recipients.markOutcomes([{ rowId: r0.rowId, state: 'failed', error: 'late' }])).toBe(0);
      const queuedRow = (await store.recipients.list('c1', { state: 'queued', limit: 1, offset: 0 }))[0];
      expect(await store.recipients.markOutcomes([{ rowId: queuedRow.rowId, state: 'accepted' }])).toBe(0);
      expect((await store.recipients.get(r0.rowId))!.state).toBe('accepted');
      // A row twice in one batch: the first outcome counts, once.
      const [r1] = await store.recipients.claim('c1', 1, clock.iso());
      expect(
        await store.recipients.applyOutcomes([
          { rowId: r1.rowId, state: 'failed', error: 'first' },
          { rowId: r1.rowId, state: 'accepted' },
        ]),
      ).toEqual([r1.rowId]);
      expect(await store.recipients.get(r1.rowId)).toMatchObject({ state: 'failed', lastError: 'first' });
      await expect((async () => await store.recipients.markOutcomes([{ rowId: r0.rowId, state: 'sending' as never }]))()).rejects.toThrow(
        /outcome state must be/,
      );
    });

    it('releases claimed rows that were never handed to SMTP without counting the attempt', async () => {
      await store.recipients.insertMany('c1', targets(3));
      const rows = await store.recipients.claim('c1', 3, clock.iso());
      await store.recipients.markOutcomes([{ rowId: rows[0].rowId, state: 'accepted' }]);
      expect(await store.recipients.release(rows.map((r) => r.rowId))).toBe(2);
      expect(await store.recipients.get(rows[1].rowId)).toMatchObject({ state: 'queued', attempts: 0 });
      expect((await store.recipients.get(rows[0].rowId))!.state).toBe('accepted');
    });

    it('keeps each row\'s provider and "send as" user; counts queued rows per provider and the next due time', async () => {
      const ts = targets(4).map((t, i) => ({ ...t, provider: ['google', 'google', 'mx:ovh.net', undefined][i] }));
      ts[1].sender = { name: 'Sally Seller', email: 'sally@acme.test' };
      await store.recipients.insertMany('c1', ts);
      const rows = await store.recipients.list('c1', { limit: 10, offset: 0 });
      expect(rows.map((r) => r.provider)).toEqual(['google', 'google', 'mx:ovh.net', undefined]);
      expect(rows[1].sender).toEqual({ name: 'Sally Seller', email: 'sally@acme.test' });
      expect(await store.recipients.queuedByProvider('c1')).toEqual({ google: 2, 'mx:ovh.net': 1, '': 1 });
      expect(await store.recipients.nextDue('c1')).toBe('');
      expect(await store.recipients.nextDue('c2')).toBeUndefined();
    });

    it('defers claimed rows to a time without counting the attempt, and holds back queued rows of one provider, of all but some, or all', async () => {
      const ts = targets(5).map((t, i) => ({ ...t, provider: ['google', 'yahoo', 'mx:ovh.net', 'google', undefined][i] }));
      await store.recipients.insertMany('c1', ts);
      const later = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const [first] = await store.recipients.claim('c1', 1, clock.iso());
      expect(await store.recipients.defer([first.rowId], later, 'google paused: 421 4.7.0')).toBe(1);
      expect(await store.recipients.get(first.rowId)).toMatchObject({ state: 'queued', attempts: 0, retryAt: later, lastError: 'google paused: 421 4.7.0' });
      expect(await store.recipients.deferQueued('c1', { provider: 'google' }, later, 'held')).toBe(1); // the other google row
      expect(await store.recipients.deferQueued('c1', { notIn: ['google', 'yahoo', 'microsoft', 'apple'] }, later)).toBe(2); // ovh and the one without
      expect((await store.recipients.claim('c1', 10, clock.iso())).map((r) => r.provider)).toEqual(['yahoo']);
      expect(await store.recipients.nextDue('c1')).toBe(later);
      const evenLater = new Date(Date.parse(later) + 1000).toISOString();
      expect(await store.recipients.deferQueued('c1', {}, evenLater)).toBe(4);
      expect(await store.recipients.deferQueued('c1', {}, evenLater)).toBe(0); // nothing due before it any more
    });

    it('marks rows sending only while their campaign sends: a pause or cancel before the mark stops them', async () => {
      await store.recipients.insertMany('c1', targets(2));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const [a, b] = (await store.recipients.reserve('c1', 2, clock.iso(), 'loop-a', until)).map((r) => r.rowId);
      expect(await store.campaigns.transition('c1', ['sending'], 'paused', 'paused by the operator')).toBe(true);
      expect(await store.recipients.markSending([a], 'loop-a', clock.iso())).toEqual([]);
      expect(await store.recipients.get(a)).toMatchObject({ state: 'queued', attempts: 0 });
      expect(await store.campaigns.transition('c1', ['paused'], 'sending', 'resumed')).toBe(true);
      expect(await store.recipients.markSending([a, b], 'loop-a', clock.iso())).toEqual([a, b]);
    });

    it('reserves due rows for one holder without claiming them; only that holder marks them sending, one attempt more', async () => {
      await store.recipients.insertMany('c1', targets(5));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const mine = await store.recipients.reserve('c1', 3, clock.iso(), 'loop-a', until);
      expect(mine.map((r) => [r.id, r.state, r.attempts])).toEqual([
        ['c-0', 'queued', 0],
        ['c-1', 'queued', 0],
        ['c-2', 'queued', 0],
      ]);
      // Reserved rows are still queued (nothing is in flight), but nobody else reserves or claims them meanwhile.
      expect(await store.recipients.counts('c1')).toMatchObject({ queued: 5, sending: 0 });
      expect((await store.recipients.reserve('c1', 1, clock.iso(), 'loop-b', until)).map((r) => r.id)).toEqual(['c-3']);
      expect((await store.recipients.claim('c1', 10, clock.iso())).map((r) => r.id)).toEqual(['c-4']);
      const [r0, r1, r2] = mine.map((r) => r.rowId);
      // Another holder cannot mark them; the holder marks what is still its own, in the order given.
      expect(await store.recipients.markSending([r0, r1], 'loop-b', clock.iso())).toEqual([]);
      expect(await store.recipients.markSending([r1, r0, 999_999], 'loop-a', clock.iso())).toEqual([r1, r0]);
      expect(await store.recipients.get(r0)).toMatchObject({ state: 'sending', attempts: 1 });
      expect(await store.recipients.markSending([r0], 'loop-a', clock.iso())).toEqual([]); // once only
      // A row the loop did not send after all goes back to the queue at the time given, its attempt not counted.
      const later = new Date(Date.parse(clock.iso()) + 5_000).toISOString();
      expect(await store.recipients.unreserve([r2], 'loop-b', later)).toBe(0);
      expect(await store.recipients.unreserve([r2, r0], 'loop-a', later, 'google slowed')).toBe(1);
      expect(await store.recipients.get(r2)).toMatchObject({ state: 'queued', attempts: 0, retryAt: later, lastError: 'google slowed' });
      expect(await store.recipients.markSending([r2], 'loop-a', clock.iso())).toEqual([]);
      await expect((async () => await store.recipients.reserve('c1', 1, clock.iso(), '', until))()).rejects.toThrow(StoreInputError);
      await expect((async () => await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', clock.iso()))()).rejects.toThrow(/end after/);
      await expect((async () => await store.recipients.reserve('c1', -1, clock.iso(), 'loop-a', until))()).rejects.toThrow(/whole number/);
      await expect((async () => await store.recipients.markSending(['1' as never], 'loop-a', clock.iso()))()).rejects.toThrow(StoreInputError);
    });

    it('makes a reservation due again when it runs out; another holder may then take it and the first can no longer mark it', async () => {
      await store.recipients.insertMany('c1', targets(1));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const [row] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      expect(await store.recipients.reserve('c1', 1, new Date(Date.parse(until) - 1).toISOString(), 'loop-b', '2026-03-02T00:00:00.000Z')).toEqual([]);
      expect((await store.recipients.reserve('c1', 1, until, 'loop-b', '2026-03-02T00:00:00.000Z')).map((r) => r.rowId)).toEqual([row.rowId]);
      expect(await store.recipients.markSending([row.rowId], 'loop-a', until)).toEqual([]);
      expect(await store.recipients.markSending([row.rowId], 'loop-b', until)).toEqual([row.rowId]);
    });

    it("gives back every row a holder still reserves when its loop ends, even one it never heard of, and no one else's", async () => {
      await store.recipients.insertMany('c1', targets(4));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      // loop-a's second reservation committed but its answer was lost: the loop only knows the first.
      const [known] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      const [lost] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      const [marked] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      await store.recipients.markSending([marked.rowId], 'loop-a', clock.iso());
      const [others] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-b', until);
      expect(await store.recipients.releaseHolder('c1', 'loop-a')).toBe(2);
      expect(await store.recipients.releaseHolder('c2', 'loop-b')).toBe(0);
      // Due now for any loop; the row in flight and loop-b's reservation stay as they were.
      expect((await store.recipients.reserve('c1', 10, clock.iso(), 'loop-c', until)).map((r) => r.rowId).sort()).toEqual([known.rowId, lost.rowId].sort());
      expect(await store.recipients.get(marked.rowId)).toMatchObject({ state: 'sending' });
      expect(await store.recipients.markSending([others.rowId], 'loop-b', clock.iso())).toEqual([others.rowId]);
    });

    it('reserves no row of the providers a holder leaves to others (those without one stored it does); given back due now, they keep their place', async () => {
      const ts = targets(5).map((t, i) => ({ ...t, provider: ['google', 'yahoo', 'google', undefined, 'microsoft'][i] }));
      await store.recipients.insertMany('c1', ts);
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const [g0] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      expect(g0.provider).toBe('google');
      const others = await store.recipients.reserve('c1', 10, clock.iso(), 'loop-a', until, ['google', 'microsoft']);
      expect(others.map((r) => r.provider)).toEqual(['yahoo', undefined]);
      // Given back due now, the Gmail row goes first to the next holder, before the rows after it.
      expect(await store.recipients.unreserve([g0.rowId], 'loop-a', '')).toBe(1);
      expect((await store.recipients.reserve('c1', 1, clock.iso(), 'loop-b', until)).map((r) => r.rowId)).toEqual([g0.rowId]);
      expect((await store.recipients.reserve('c1', 10, clock.iso(), 'loop-b', until, [])).map((r) => r.id)).toEqual(['c-2', 'c-4']);
    });

    it('leaves reserved rows to their loop when a provider is held back', async () => {
      const ts = targets(3).map((t) => ({ ...t, provider: 'google' }));
      await store.recipients.insertMany('c1', ts);
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const [reserved] = await store.recipients.reserve('c1', 1, clock.iso(), 'loop-a', until);
      const tomorrow = '2026-03-02T00:00:00.000Z';
      expect(await store.recipients.deferQueued('c1', { provider: 'google' }, tomorrow, 'paused')).toBe(2);
      expect(await store.recipients.markSending([reserved.rowId], 'loop-a', clock.iso())).toEqual([reserved.rowId]);
    });

    it('after a crash queues reserved rows again, due now, and makes only rows handed to SMTP uncertain', async () => {
      await store.recipients.insertMany('c1', targets(4));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const rows = (await store.recipients.reserve('c1', 4, clock.iso(), 'loop-a', until)).map((r) => r.rowId);
      await store.recipients.markSending([rows[0]], 'loop-a', clock.iso());
      expect(await store.recipients.recoverInFlight()).toBe(1);
      expect(await store.recipients.get(rows[0])).toMatchObject({ state: 'uncertain' });
      expect(await store.recipients.get(rows[1])).toMatchObject({ state: 'queued', attempts: 0 });
      expect(await store.recipients.markSending([rows[1]], 'loop-a', clock.iso())).toEqual([]); // the dead loop's reservation is gone
      expect((await store.recipients.reserve('c1', 10, clock.iso(), 'loop-b', until)).map((r) => r.rowId)).toEqual(rows.slice(1));
    });

    it('after a crash queues again the rows whose end of DATA was not marked, and makes only the marked ones uncertain', async () => {
      await store.recipients.insertMany('c1', targets(5));
      const until = new Date(Date.parse(clock.iso()) + 60_000).toISOString();
      const rows = (await store.recipients.reserve('c1', 5, clock.iso(), 'loop-a', until)).map((r) => r.rowId);
      const [dotSent, dotHeld, answered, ungated, reserved] = rows;
      expect(await store.recipients.markSending([dotSent, dotHeld, answered], 'loop-a', clock.iso(), { dataEndMark: true })).toHaveLength(3);
      expect(await store.recipients.markSending([ungated], 'loop-a', clock.iso())).toEqual([ungated]); // mark off: the dot may go at once
      clock.advance(1_000);
      // One statement for the batch; a row not handed over or one answered is left alone.
      expect(await store.recipients.markDataEnd([dotSent, answered, reserved, ungated, 999_999], clock.iso())).toEqual([dotSent, answered, ungated]);
      expect(await store.recipients.markDataEnd([dotSent], '2026-03-02T00:00:00.000Z')).toEqual([dotSent]); // a retry: still marked
      await store.recipients.markOutcomes([{ rowId: answered, state: 'accepted' }]);
      expect(await store.recipients.markDataEnd([answered], clock.iso())).toEqual([]);
      await expect((async () => await store.recipients.markDataEnd(['1' as never], clock.iso()))()).rejects.toThrow(StoreInputError);

      expect(await store.recipients.recoverInFlight()).toBe(2);
      expect(await store.recipients.get(dotSent)).toMatchObject({ state: 'uncertain', attempts: 1 });
      expect(await store.recipients.get(ungated)).toMatchObject({ state: 'uncertain', attempts: 1 });
      // Its DATA never ended, so the relay dropped it: due again now, the attempt not counted, the reason kept.
      expect(await store.recipients.get(dotHeld)).toMatchObject({ state: 'queued', attempts: 0, lastError: expect.stringMatching(/before the end of DATA/) });
      expect((await store.recipients.get(dotHeld))?.retryAt).toBeUndefined();
      expect(await store.recipients.get(answered)).toMatchObject({ state: 'accepted' });
      expect((await store.recipients.reserve('c1', 10, clock.iso(), 'loop-b', until)).map((r) => r.rowId)).toEqual([dotHeld, reserved]);
      // Handed over again, the row waits for a mark of its own.
      expect(await store.recipients.markSending([dotHeld], 'loop-b', clock.iso(), { dataEndMark: true })).toEqual([dotHeld]);
      expect(await store.recipients.recoverInFlight()).toBe(0);
      expect(await store.recipients.get(dotHeld)).toMatchObject({ state: 'queued', attempts: 0 });
    });

    it('lists by state with paging', async () => {
      await store.recipients.insertMany('c1', targets(6));
      await store.recipients.claim('c1', 2, clock.iso());
      expect((await store.recipients.list('c1', { state: 'sending', limit: 10, offset: 0 })).map((r) => r.id)).toEqual(['c-0', 'c-1']);
      expect((await store.recipients.list('c1', { state: 'queued', limit: 2, offset: 1 })).map((r) => r.id)).toEqual(['c-3', 'c-4']);
      expect(await store.recipients.list('c1', { limit: 100, offset: 0 })).toHaveLength(6);
    });

    it('after a crash makes every in-flight row uncertain, and resolves uncertain rows as the operator decides', async () => {
      await store.recipients.insertMany('c1', targets(4));
      await store.recipients.insertMany('c2', targets(1));
      const rows = (await store.recipients.claim('c1', 4, clock.iso())).map((r) => r.rowId);
      await store.recipients.claim('c2', 1, clock.iso());
      await store.recipients.markOutcomes([{ rowId: rows[0], state: 'accepted' }]);
      clock.advance(30 * 60_000); // the process restarts half an hour later
      expect(await store.recipients.recoverInFlight()).toBe(4);
      expect(await store.recipients.get(rows[1])).toMatchObject({ state: 'uncertain', lastError: expect.stringMatching(/not resent/) });
      clock.advance(60_000);
      const sally = { id: 'u-sally', userName: 'sally' };
      // Chosen rows only, each once, in the order given; a row no longer uncertain is left alone.
      expect(await store.recipients.resolveUncertain('c1', [rows[2], rows[0], rows[2], 999], 'accepted', sally, clock.iso())).toEqual([rows[2]]);
      // Accepted at its hand-off (its end of DATA mark), not when the restart found it.
      expect(await store.recipients.get(rows[2])).toMatchObject({ state: 'accepted', acceptedAt: '2026-03-01T08:00:00.000Z' });
      // The rest of the campaign's uncertain rows are queued again, due now; another campaign's are not touched.
      expect(await store.recipients.resolveUncertain('c1', 'all', 'resend', undefined, clock.iso())).toEqual([rows[1], rows[3]]);
      expect(await store.recipients.counts('c1')).toMatchObject({ queued: 2, accepted: 2, uncertain: 0 });
      expect(await store.recipients.counts('c2')).toMatchObject({ uncertain: 1 });
      expect((await store.recipients.get(rows[1]))?.lastError).toBe('sent again after an uncertain hand-off');
      expect((await store.recipients.claim('c1', 10, clock.iso())).map((r) => r.rowId)).toEqual([rows[1], rows[3]]);
      await expect((async () => await store.recipients.resolveUncertain('c1', 'all', 'later' as never, undefined, clock.iso()))()).rejects.toThrow(
        StoreInputError,
      );
    });

    // A review: a resend ignored proof of delivery (an open or a click on the uncertain row) and kept the attempts of
    // the retries before, so a row gone uncertain on its fifth try failed at its first 4xx after the operator's resend.
    it('names the uncertain rows opened or clicked, and a resend counts its attempts afresh', async () => {
      await store.recipients.insertMany('c1', targets(4));
      await store.recipients.insertMany('c2', targets(1));
      const rows = (await store.recipients.claim('c1', 4, clock.iso())).map((r) => r.rowId);
      const [other] = (await store.recipients.claim('c2', 1, clock.iso())).map((r) => r.rowId);
      expect(await store.recipients.recoverInFlight()).toBe(5);
      const at = clock.iso();
      await store.engagement.record({ recipientRowId: rows[1], campaignId: 'c1', kind: 'open', at, human: false }); // a scanner's: it arrived too
      await store.engagement.record({ recipientRowId: rows[3], campaignId: 'c1', kind: 'click', linkIndex: 0, at, human: true });
      await store.engagement.record({ recipientRowId: other, campaignId: 'c2', kind: 'open', at, human: true });
      expect(await store.recipients.arrivedUncertain('c1', 'all')).toEqual([rows[1], rows[3]]);
      expect(await store.recipients.arrivedUncertain('c1', [rows[0], rows[3], other])).toEqual([rows[3]]);
      await expect((async () => await store.recipients.arrivedUncertain('c1', ['x'] as never))()).rejects.toThrow(StoreInputError);
      expect(await store.recipients.resolveUncertain('c1', [rows[0]], 'resend', undefined, clock.iso())).toEqual([rows[0]]);
      expect(await store.recipients.get(rows[0])).toMatchObject({ state: 'queued', attempts: 0 });
      expect(await store.recipients.arrivedUncertain('c1', [rows[0]])).toEqual([]); // no longer uncertain
    });
  });
});
