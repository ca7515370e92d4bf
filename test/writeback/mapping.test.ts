// The pure mapping from facts to Sugar writes: ids, columns, limits, verdicts and backoff.
import { describe, expect, it } from 'vitest';
import {
  addressIdOf,
  campaignBody,
  clip,
  hitsOp,
  leadfwdListBody,
  logOps,
  logSpecFor,
  moreInformation,
  optOutAddressIds,
  sugarDateTime,
  type TargetRef,
  trackerName,
  trackerOp,
} from '../../service/src/domain/writeback.js';
import { sugarIds, uuidv5 } from '../../service/src/domain/writeback-ids.js';
import { judge, retryDelayMs } from '../../service/src/domain/writeback-results.js';
import { DEFAULT_WRITEBACK } from '../../service/src/writeback/settings.js';

const target: TargetRef = {
  campaignId: 'c-1',
  rowId: 7,
  sugarCampaignId: 'sugar-camp',
  module: 'Leads',
  recordId: 'lead-1',
  email: 'Lee@Example.com',
  emailAddressId: 'ea-1',
  sugarListId: 'list-1',
};

describe('deterministic ids', () => {
  it('are RFC 9562 UUIDv5 (the RFC test vector) and stable per fact', () => {
    // RFC 9562 Appendix A.4: name "www.example.com" in the DNS namespace.
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(sugarIds.log('c-1', 7, 'viewed')).toBe(sugarIds.log('c-1', 7, 'viewed'));
    const all = [
      sugarIds.campaign('c-1'),
      sugarIds.campaign('c-2'),
      sugarIds.list('c-1'),
      sugarIds.tracker('c-1', 0),
      sugarIds.tracker('c-1', 1),
      sugarIds.log('c-1', 7, 'link', 0),
      sugarIds.log('c-1', 7, 'link', 1),
      sugarIds.log('c-1', 7, 'viewed'),
      sugarIds.trackerKey('c-1', 7),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => uuidv5('x', 'not-a-uuid')).toThrow(/not a UUID/);
  });
});

describe('facts to CampaignLog rows', () => {
  it("maps each fact to the activity Sugar's own sender writes", () => {
    const at = '2026-05-01T14:03:00.123Z';
    expect(logSpecFor({ kind: 'sent', at, state: 'accepted' })?.activity).toBe('targeted');
    expect(logSpecFor({ kind: 'sent', at, state: 'failed', suppressedReason: 'unsubscribe', coveredByBounce: false })).toMatchObject({
      activity: 'blocked',
      info: 'suppressed: unsubscribe',
    });
    expect(logSpecFor({ kind: 'sent', at, state: 'failed', coveredByBounce: false })?.activity).toBe('send error');
    expect(logSpecFor({ kind: 'sent', at, state: 'failed', coveredByBounce: true })).toBeNull();
    expect(logSpecFor({ kind: 'open', at, hits: 4 })).toMatchObject({ activity: 'viewed', hits: 4 });
    expect(logSpecFor({ kind: 'click', at, hits: 0, linkIndex: 2 })).toMatchObject({ activity: 'link', hits: 1, linkIndex: 2 });
    expect(logSpecFor({ kind: 'optout', at })?.activity).toBe('removed');
    expect(logSpecFor({ kind: 'bounce', at, reason: 'hard' })?.activity).toBe('invalid email');
    expect(logSpecFor({ kind: 'bounce', at, reason: 'soft' })?.activity).toBe('send error');
  });

  it('fills campaign, target, list, tracker key, date, address and hits', () => {
    const ops = logOps(target, { activity: 'link', at: '2026-05-01T14:03:00.123Z', hits: 3, linkIndex: 1 });
    expect(ops).toEqual([
      {
        method: 'POST',
        path: '/CampaignLog',
        create: true,
        what: 'CampaignLog link',
        data: {
          id: sugarIds.log('c-1', 7, 'link', 1),
          campaign_id: 'sugar-camp',
          target_id: 'lead-1',
          target_type: 'Leads',
          activity_type: 'link',
          activity_date: '2026-05-01T14:03:00+00:00',
          target_tracker_key: sugarIds.trackerKey('c-1', 7),
          more_information: 'Lee@Example.com',
          archived: false,
          list_id: 'list-1',
          hits: 3,
          related_id: sugarIds.tracker('c-1', 1),
          related_type: 'CampaignTrackers',
        },
      },
    ]);
    expect(hitsOp('abc', 4, 'viewed')).toEqual({ method: 'PUT', path: '/CampaignLog/abc', data: { hits: 4 }, what: 'viewed hits' });
  });

  it('keeps more_information within 100 characters, address first', () => {
    expect(moreInformation('a@b.c', 'suppressed: hard_bounce')).toBe('a@b.c (suppressed: hard_bounce)');
    const long = `${'x'.repeat(90)}@example.com`;
    expect(moreInformation(long, 'suppressed: unsubscribe')).toBe(long.slice(0, 100));
    expect(clip('ééééé', 3, true)).toBe('éé…');
    expect(sugarDateTime('2026-05-01T14:03:00.999+02:00')).toBe('2026-05-01T12:03:00+00:00');
    expect(() => sugarDateTime('soon')).toThrow(/not a date-time/);
  });
});

describe('the Sugar Campaign and its trackers', () => {
  it('is an active Email campaign named within 50 characters, dated from the send', () => {
    const body = campaignBody(
      {
        id: 'c-1',
        name: 'N'.repeat(80),
        subject: 'Hi',
        fromName: 'Team',
        fromEmail: 't@x.test',
        sendAt: '2026-05-01T23:30:00Z',
        targetListIds: ['a', 'b'],
        leadfwdListIds: ['c'],
      },
      4,
    );
    expect(body).toMatchObject({ id: sugarIds.campaign('c-1'), campaign_type: 'Email', status: 'Active', start_date: '2026-05-01', end_date: '2026-05-31' });
    expect([...(body.name as string)]).toHaveLength(50);
    expect(body.content).toContain('Target lists: 3; tracked links: 4.');
  });

  it("makes a LeadFWD list's Target List its creator's, and one without a creator the service's", () => {
    expect(leadfwdListBody({ id: 'l-1', name: 'VIP', createdBy: { id: 'u-sally' } }, 3)).toMatchObject({ name: 'LeadFWD: VIP', assigned_user_id: 'u-sally' });
    expect(leadfwdListBody({ id: 'l-2', name: 'Nightly' }, 3)).not.toHaveProperty('assigned_user_id');
  });

  it('names trackers within 30 characters and keeps URLs within 255', () => {
    expect(trackerName('https://shop.example.com/spring/sales?x=1', 0)).toBe('1 shop.example.com/spring/sal…');
    expect(trackerName('https://example.com/', 9)).toBe('10 example.com');
    expect(trackerName('mailto:x', 1)).toBe('2 mailto:x');
    const url = `https://example.com/${'p'.repeat(300)}`;
    expect([...(trackerOp('c', 's', 0, url).data!.tracker_url as string)]).toHaveLength(255);
  });
});

describe('address flags', () => {
  const emails = [
    { email_address: 'LEE@example.com', email_address_id: 'ea-1' },
    { email_address: 'lee.private@example.net', email_address_id: 'ea-2' },
  ];
  it('flags the address, all addresses, or none, as configured', () => {
    expect(optOutAddressIds('address', target, emails)).toEqual(['ea-1']);
    expect(optOutAddressIds('all', target, emails)).toEqual(['ea-1', 'ea-2']);
    expect(optOutAddressIds('none', target, emails)).toEqual([]);
    // Without an address id in the ledger, the mailed address is found case-insensitively.
    expect(optOutAddressIds('address', { email: 'lee@EXAMPLE.com' }, emails)).toEqual(['ea-1']);
    expect(addressIdOf('nobody@example.com', emails)).toBeUndefined();
  });
});

describe("reading Sugar's answers", () => {
  const create = { method: 'POST' as const, path: '/CampaignLog', create: true, what: 'CampaignLog targeted' };
  const put = { method: 'PUT' as const, path: '/EmailAddresses/x', what: 'opt_out flag' };
  it('accepts records, and "already exists" for our own creates only', () => {
    expect(judge(create, 200, { id: 'x' })).toEqual({ ok: true });
    const exists = { error: 'invalid_parameter', error_message: 'Record already exists: x in module: CampaignLog' };
    expect(judge(create, 422, exists)).toEqual({ ok: true, existed: true });
    expect(judge(put, 422, exists)).toMatchObject({ ok: false, permanent: true });
  });

  it('gives up at once on rights, deleted records and refused values, and retries outages and odd answers', () => {
    expect(judge(put, 404, { error: 'not_found', error_message: 'Could not find record: x in module: EmailAddresses' })).toEqual({
      ok: false,
      permanent: true,
      message:
        'opt_out flag: PUT /EmailAddresses/x answered 404 not_found (Could not find record: x in module: EmailAddresses; the record is gone from Sugar (deleted?))',
    });
    expect(judge(create, 403, { error: 'not_authorized' })).toMatchObject({ permanent: true, message: expect.stringContaining('lacks the rights') });
    expect(judge(create, 422, { error: 'invalid_parameter', error_message: 'Value for field more_information is longer than 100 characters' })).toMatchObject({
      permanent: true,
      message: expect.stringContaining('longer than 100'),
    });
    for (const s of [401, 409, 429, 500, 503]) expect(judge(create, s, {})).toMatchObject({ ok: false, permanent: false });
    expect(judge(create, 200, '<html>oops</html>')).toMatchObject({ ok: false, permanent: false, message: expect.stringContaining('unexpected body') });
    expect(judge(create, Number.NaN, undefined)).toMatchObject({ ok: false, permanent: false, message: expect.stringContaining('no status') });
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, 1000, 300_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 300_000, () => 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, 300_000, () => 1)).toBe(8000);
    expect(retryDelayMs(40, 1000, 300_000, () => 1)).toBe(300_000);
  });

  it('lets a row ride out a 2-minute outage many times over before the default settings call it dead', () => {
    const { maxAttempts, retryBaseMs, retryMaxMs } = DEFAULT_WRITEBACK;
    let shortest = 0; // every wait at the low end of its jitter
    for (let attempt = 1; attempt < maxAttempts; attempt++) shortest += retryDelayMs(attempt, retryBaseMs, retryMaxMs, () => 0);
    expect(shortest).toBeGreaterThan(10 * 120_000);
  });
});
