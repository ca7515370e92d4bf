// The UI's rules without a browser: form validation, progress and ETA arithmetic, and the service client through a
// stand-in for Sidecar's app.api (URLs, lf_query and lf_body, Sugar's envelope, error kinds), and alert escaping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldLabel, fieldsToRead, htmlToMjml, insertAt, looksLikeMjml, mergeTag, namesUsed } from '../../sidecar-ui/src/send/merge.js';
import { inertHtml } from '../../sidecar-ui/src/send/preview.js';
import { parseAddresses, type SendForm, toNewCampaign, validateSendForm, validateStep } from '../../sidecar-ui/src/send/validate.js';
import { escapeHtml } from '../../sidecar-ui/src/shared/alert.js';
import { hourly } from '../../sidecar-ui/src/shared/chart.js';
import { describeError } from '../../sidecar-ui/src/shared/errors.js';
import { addSample, etaMs, formatDuration, isHeld, percent, sentCount, skips, totalCount, writeBackLagMs } from '../../sidecar-ui/src/shared/format.js';
import { campaignFromRoute, reportHref } from '../../sidecar-ui/src/shared/routes.js';
import { createServiceClient, relayUrl, ServiceError } from '../../sidecar-ui/src/shared/service-client.js';
import { formatInZone, utcToZonedInput, zonedToUtc } from '../../sidecar-ui/src/shared/time.js';

const form = (over: Partial<SendForm> = {}): SendForm => ({
  name: 'Spring',
  subject: 'Hi',
  fromName: 'Team',
  fromEmail: 'news@example.com',
  replyTo: '',
  format: 'html',
  content: '<p>x</p>',
  targetListIds: ['l1'],
  leadfwdListIds: [],
  customFields: ['region_c'],
  schedule: 'now',
  sendAtLocal: '',
  timeZone: 'UTC',
  ...over,
});

describe('send form rules, step by step', () => {
  const now = new Date(Date.UTC(2026, 4, 20, 10, 30, 45));

  it("accepts a complete form and reports each step's problems on that step", () => {
    expect(validateSendForm(form(), now)).toEqual([]);
    const empty = form({ name: ' ', subject: '', fromName: '', fromEmail: '', content: '', targetListIds: [] });
    expect(validateStep('audience', empty, now).map((p) => p.label)).toEqual(['LBL_LEADFWD_ERR_NO_LISTS']);
    // An empty subject is the subject's problem, not the content's.
    expect(validateStep('content', empty, now)).toEqual([
      { field: 'subject', label: 'LBL_LEADFWD_ERR_SUBJECT_REQUIRED' },
      { field: 'content', label: 'LBL_LEADFWD_ERR_CONTENT_REQUIRED' },
    ]);
    expect(validateStep('settings', empty, now).map((p) => p.field)).toEqual(['name', 'fromName', 'fromEmail']);
    expect(validateStep('review', empty, now)).toHaveLength(6);
  });

  it('never lets MJML go out as HTML, or HTML as MJML', () => {
    const mjml = '<mjml><mj-body></mj-body></mjml>';
    expect(validateStep('content', form({ content: mjml }), now)).toEqual([{ field: 'content', label: 'LBL_LEADFWD_ERR_MJML_AS_HTML' }]);
    expect(validateStep('content', form({ format: 'mjml', content: '<p>x</p>' }), now)).toEqual([{ field: 'content', label: 'LBL_LEADFWD_ERR_HTML_AS_MJML' }]);
    expect(validateStep('content', form({ format: 'mjml', content: `<!-- a -->\n${mjml}` }), now)).toEqual([]);
    expect(looksLikeMjml('<p>about <mjml></p>')).toBe(false);
    const wrapped = htmlToMjml('<html><body><h1>Hi {{ first_name }}</h1></body></html>');
    expect(looksLikeMjml(wrapped)).toBe(true);
    expect(wrapped).toContain('<mj-text>\n<h1>Hi {{ first_name }}</h1>\n');
    expect(wrapped).not.toContain('<body>');
  });

  it('refuses malformed addresses and names them', () => {
    expect(validateSendForm(form({ fromEmail: 'news@', replyTo: 'a b@example.com' }), now)).toEqual([
      { field: 'fromEmail', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: 'news@' } },
      { field: 'replyTo', label: 'LBL_LEADFWD_ERR_BAD_ADDRESS', vars: { address: 'a b@example.com' } },
    ]);
    expect(parseAddresses('a@x.com, b@y.org;bad  c@bücher.example')).toEqual({ ok: ['a@x.com', 'b@y.org', 'c@bücher.example'], bad: ['bad'] });
  });

  it("reads a schedule in the user's Sugar time zone: past, this minute, nonsense", () => {
    // 10:30:45 UTC is 12:30:45 in Berlin (summer time).
    const berlin = (v: string) => form({ schedule: 'later', sendAtLocal: v, timeZone: 'Europe/Berlin' });
    expect(validateSendForm(berlin('2026-05-20T12:29'), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_PAST');
    expect(validateSendForm(berlin('2026-05-20T12:30'), now)).toEqual([]);
    expect(validateSendForm(berlin('2026-05-20T11:00'), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_PAST');
    expect(validateSendForm(berlin('2026-02-30T10:00'), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_INVALID');
    expect(validateSendForm(berlin(''), now)[0]?.label).toBe('LBL_LEADFWD_ERR_SCHEDULE_INVALID');
    expect(zonedToUtc('2026-12-10T09:00', 'Europe/Berlin')?.toISOString()).toBe('2026-12-10T08:00:00.000Z');
    expect(zonedToUtc('2026-07-10T09:00', 'America/New_York')?.toISOString()).toBe('2026-07-10T13:00:00.000Z');
    // 02:30 does not exist in Berlin on 29 March 2026: clocks jump to 03:30.
    expect(zonedToUtc('2026-03-29T02:30', 'Europe/Berlin')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(utcToZonedInput(new Date('2026-12-10T08:00:00Z'), 'Europe/Berlin')).toBe('2026-12-10T09:00');
    expect(formatInZone(new Date('2026-12-10T08:00:00Z'), 'Europe/Berlin', 'en-GB')).toMatch(/^Thursday,? 10 December 2026 at 09:00 \(Europe\/Berlin\)$/);
  });

  it('builds the service request: mjml or html, the schedule as an ISO time, the Sugar campaign', () => {
    const later = toNewCampaign(
      form({ format: 'mjml', content: '<mjml/>', schedule: 'later', sendAtLocal: '2026-05-21T08:00', replyTo: ' r@x.com ', timeZone: 'Europe/Berlin' }),
      { sugarCampaignId: 'c1' },
    );
    expect(later).toEqual({
      name: 'Spring',
      subject: 'Hi',
      fromName: 'Team',
      fromEmail: 'news@example.com',
      replyTo: 'r@x.com',
      mjml: '<mjml/>',
      targetListIds: ['l1'],
      leadfwdListIds: [],
      customFields: ['region_c'],
      sendAt: '2026-05-21T06:00:00.000Z',
      sugarCampaignId: 'c1',
    });
    const now2 = toNewCampaign(form());
    expect(now2.sendAt).toBeUndefined();
    expect(now2.html).toBe('<p>x</p>');
    expect(toNewCampaign(form(), { hold: true })).toMatchObject({ hold: true });
    expect(toNewCampaign(form())).not.toHaveProperty('hold');
  });

  it('takes a saved filter or a report as the whole audience, and sends their ids only when chosen', () => {
    const only = form({ targetListIds: [], leadfwdListIds: [], savedFilterIds: ['f1'], reportIds: [] });
    expect(validateStep('audience', only, new Date())).toEqual([]);
    expect(toNewCampaign(only)).toMatchObject({ targetListIds: [], savedFilterIds: ['f1'] });
    expect(toNewCampaign(only)).not.toHaveProperty('reportIds');
    expect(validateStep('audience', form({ targetListIds: [], leadfwdListIds: [], savedFilterIds: [], reportIds: [] }), new Date())[0]?.field).toBe('lists');
  });
});

describe('merge fields', () => {
  it('reads every field the subject and content use, beyond the ones always read', () => {
    expect(namesUsed('Hi {{ first_name | default: "x" }} {{region_c}} {%- if loyalty_tier_c %}{{ unsubscribe_url }}{% endif %}')).toEqual([
      'first_name',
      'region_c',
      'loyalty_tier_c',
    ]);
    expect(
      fieldsToRead(['Hi {{ first_name }} from {{ department }}', '{{ region_c | default: "EMEA" }} {{ nothing_known }}'], ['department', 'first_name']),
    ).toEqual(['department', 'region_c']);
  });

  it("names a field with Sugar's label, inserts its tag at the caret", () => {
    const labels: Record<string, string> = { LBL_REGION: 'Region:' };
    const tr = (k: string) => labels[k] ?? k;
    expect(fieldLabel({ name: 'region_c', label: 'LBL_REGION' }, tr)).toBe('Region');
    expect(fieldLabel({ name: 'loyalty_tier_c', label: 'LBL_LOYALTY_TIER' }, tr)).toBe('Loyalty tier');
    expect(mergeTag('region_c', 'your "region"')).toBe('{{ region_c | default: "your region" }}');
    expect(mergeTag('first_name')).toBe('{{ first_name }}');
    expect(insertAt('Hello !', 6, 6, '{{ first_name }}')).toEqual({ value: 'Hello {{ first_name }}!', caret: 22 });
    expect(insertAt('Hello XX', 6, 8, 'Y')).toEqual({ value: 'Hello Y', caret: 7 });
  });

  it('keeps preview links from going anywhere, and routes a report by campaign', () => {
    expect(inertHtml('<html><head><title>x</title></head><body><a href="u">l</a></body></html>')).toBe(
      '<html><head><base target="_blank"><title>x</title></head><body><a href="u">l</a></body></html>',
    );
    expect(inertHtml('<p>x</p>')).toBe('<base target="_blank"><p>x</p>');
    expect(reportHref('a b')).toBe('#Home/layout/leadfwd-campaign-report?campaign=a%20b');
    expect(campaignFromRoute('#Home/layout/leadfwd-campaign-report?campaign=a%20b')).toBe('a b');
    expect(campaignFromRoute('#Home')).toBeUndefined();
  });
});

describe('chart data', () => {
  it('spreads hourly points on a continuous axis, empty hours as zero, at least six and at most 48 hours', () => {
    const one = hourly([{ hour: '2026-12-03T10:00:00.000Z', opens: 2, clicks: 1 }], ['opens', 'clicks']);
    expect(one.times).toHaveLength(6);
    expect(one.times[5]).toBe(Date.parse('2026-12-03T10:00:00Z') / 1000);
    expect(one.values).toEqual({ opens: [0, 0, 0, 0, 0, 2], clicks: [0, 0, 0, 0, 0, 1] });
    const long = hourly(
      [
        { hour: '2026-12-01T00:00:00.000Z', opens: 1, clicks: 0 },
        { hour: '2026-12-05T00:00:00.000Z', opens: 3, clicks: 0 },
      ],
      ['opens'],
    );
    expect(long.times).toHaveLength(48);
    expect(long.values.opens.at(-1)).toBe(3);
    expect(hourly([], ['opens'])).toEqual({ times: [], values: { opens: [] } });
  });
});

describe('dashlet arithmetic', () => {
  it('counts sent (final outcomes) against the whole ledger', () => {
    const p = { queued: 5, sending: 1, accepted: 10, failed: 2, uncertain: 1 };
    expect([sentCount(p), totalCount(p), percent(sentCount(p), totalCount(p))]).toEqual([13, 19, 68]);
    expect(percent(1, 0)).toBe(0);
  });

  it('estimates the time left from the last minute of samples', () => {
    let s = addSample([], { at: 0, sent: 0 });
    expect(etaMs(s, 100)).toBeUndefined();
    s = addSample(s, { at: 10_000, sent: 50 });
    expect(etaMs(s, 100)).toBe(20_000);
    s = addSample(s, { at: 90_000, sent: 50 });
    expect(s.map((x) => x.at)).toEqual([90_000]);
    expect(etaMs(s, 0)).toBe(0);
    expect(formatDuration(20_000)).toBe('20 s');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
  });

  it('lists skip reasons in a fixed order and reads the write-back lag', () => {
    expect(skips({ candidates: 9, queued: 4, skipped: { duplicate: 2, opted_out: 3, invalid: 0 } })).toEqual([
      ['opted_out', 3],
      ['duplicate', 2],
    ]);
    const c = { writeback: { pending: 3, done: 1, dead: 0, lagSeconds: 7 } } as never;
    expect(writeBackLagMs(c)).toBe(7000);
    expect(isHeld({ held: true })).toBe(true);
    expect(isHeld({ held: false })).toBe(false);
    expect(isHeld({})).toBe(false);
  });
});

describe('the service client goes through Sugar (the relay)', () => {
  type Call = { method: string; url: string; data: unknown };
  const calls: Call[] = [];
  let answer: (c: Call) => { ok: true; body: unknown } | { ok: false; error: { status: number; code: string; message: string } };
  const api = {
    buildURL: (module: string, _a?: string | null, _b?: unknown, params?: Record<string, unknown>) =>
      `/rest/v11_1/${module}${params && Object.keys(params).length ? `?${new URLSearchParams(params as Record<string, string>)}` : ''}`,
    call: (method: string, url: string, data: unknown, cb: { success?: (d: any) => void; error?: (e: any) => void }) => {
      const c = { method, url, data };
      calls.push(c);
      const a = answer(c);
      setTimeout(() => (a.ok ? cb.success?.(a.body) : cb.error?.(a.error)), 0);
    },
  };
  const env = (status: number, body: unknown, contentType = 'application/json') => ({
    ok: true as const,
    body: { status, contentType, body: typeof body === 'string' ? body : JSON.stringify(body) },
  });
  const labels: Record<string, string> = {
    LBL_LEADFWD_ERR_UNKNOWN_LISTS: 'Gone: {{lists}}',
    LBL_LEADFWD_ERR_LINE: 'Line {{line}}: {{message}}',
    LBL_LEADFWD_ERR_SENDER: 'Use {{domains}}',
  };
  beforeAll(() => {
    (globalThis as { window?: unknown }).window = { SUGAR: { App: { lang: { get: (k: string) => labels[k] ?? k } } } };
  });
  afterAll(() => {
    delete (globalThis as { window?: unknown }).window;
  });

  it('calls leadfwd/api/<path> with the query in lf_query and the body as a string in lf_body', async () => {
    const c = createServiceClient(api);
    answer = () => env(200, { campaigns: [] });
    expect(await c.get('/campaigns?limit=5&offset=0')).toEqual({ campaigns: [] });
    answer = () => env(201, { id: 'c1' });
    expect(await c.post('/campaigns/c1/test-send', { fields: {}, list: [] })).toEqual({ id: 'c1' });
    expect(await c.post('/campaigns/c1/pause')).toEqual({ id: 'c1' });
    expect(calls.splice(0)).toEqual([
      { method: 'read', url: '/rest/v11_1/leadfwd/api/campaigns?lf_query=limit%3D5%26offset%3D0', data: null },
      { method: 'create', url: '/rest/v11_1/leadfwd/api/campaigns/c1/test-send', data: { lf_body: '{"fields":{},"list":[]}' } },
      { method: 'create', url: '/rest/v11_1/leadfwd/api/campaigns/c1/pause', data: { lf_body: '{}' } },
    ]);
    expect(relayUrl(api, 'me')).toBe('/rest/v11_1/leadfwd/api/me');
    answer = () => env(200, 'email\na@example.com\n', 'text/csv');
    expect(await c.get('/report/export')).toBe('email\na@example.com\n');
  });

  it("turns the service's refusals inside the envelope into kinds the UI translates, with their details and field", async () => {
    const c = createServiceClient(api);
    answer = () => env(422, { error: 'unknown_lists', message: 'Unknown', details: { unknownTargetListIds: ['l9'] } });
    const gone = await c.post('/campaigns').catch((e) => e);
    expect(gone).toBeInstanceOf(ServiceError);
    expect(describeError(gone, (id) => (id === 'l9' ? 'Old list' : id))).toMatchObject({
      kind: 'unknown_lists',
      text: 'Gone: Old list',
      unknownListIds: ['l9'],
    });
    answer = () => env(422, { error: 'invalid_template', message: 'Invalid template', details: [{ message: 'mj-text not closed', line: 3 }] });
    expect(describeError(await c.post('/preview').catch((e) => e))).toMatchObject({ kind: 'invalid_template', details: ['Line 3: mj-text not closed'] });
    answer = () => env(422, { error: 'sender_not_allowed', message: 'no', details: { senderDomains: ['news.example.test'] } });
    expect(describeError(await c.post('/campaigns').catch((e) => e))).toMatchObject({
      kind: 'sender_not_allowed',
      text: 'Use news.example.test',
      field: 'fromEmail',
    });
    // Problems of the message itself go to the content step; a refusal without a list says the service's own words.
    answer = () => env(422, { error: 'invalid_campaign', message: 'x', details: { problems: ['customFields: Sugar has no field regoin_c on Contacts'] } });
    expect(describeError(await c.post('/campaigns').catch((e) => e))).toMatchObject({
      kind: 'invalid',
      details: ['customFields: Sugar has no field regoin_c on Contacts'],
      field: 'content',
    });
    answer = () => env(400, { error: 'bad_json', message: 'subject is not valid text: it holds half of a UTF-16 surrogate pair' });
    expect(describeError(await c.post('/campaigns').catch((e) => e))).toMatchObject({
      kind: 'invalid',
      details: ['subject is not valid text: it holds half of a UTF-16 surrogate pair'],
      field: 'content',
    });
    answer = () => env(422, { error: 'invalid_campaign', message: 'x', details: { problems: ['name is required', 'subject is required'] } });
    expect(describeError(await c.post('/campaigns').catch((e) => e)).field).toBeUndefined();
    const cases: Array<[number, string, string]> = [
      [409, 'relay_not_configured', 'not_configured'],
      [409, 'relay_not_paired', 'not_paired'],
      [502, 'service_unreachable', 'unreachable'],
      [504, 'service_timeout', 'timeout'],
      [502, 'not_leadfwd', 'not_leadfwd'],
      [422, 'relay_bad_request', 'bad_request'],
      [401, 'relay_signature_invalid', 'pairing_broken'],
      [401, 'relay_stale', 'clock'],
      [401, 'sugar_token_rejected', 'token_rejected'],
      [403, 'forbidden', 'forbidden'],
      [403, 'sugar_rights', 'rights'],
      [403, 'not_your_campaign', 'rights'],
      [403, 'field_not_readable', 'rights'],
      [422, 'secret_field', 'secret_field'],
      [422, 'module_not_allowed', 'module_not_allowed'],
      [429, 'test_send_limit', 'test_send_limit'],
      [422, 'too_many', 'too_many'],
      [422, 'pairing_code_invalid', 'pairing_code_invalid'],
      [503, 'store_unavailable', 'unavailable'],
      [502, '', 'unavailable'],
      [404, '', 'not_found'],
      [409, 'invalid_transition', 'conflict'],
      [409, 'sender_still_running', 'still_answerable'], // not "refresh and try again": that fails the same way
    ];
    for (const [status, error, kind] of cases) {
      answer = () => env(status, error ? { error, message: 'm' } : '<h1>x</h1>', error ? 'application/json' : 'text/html');
      await expect(c.get('/campaigns'), error).rejects.toMatchObject({ kind, status });
    }
  });

  it("leaves Sugar's own refusals to Sugar (401 is refreshed by Sidecar before this), and says so", async () => {
    const c = createServiceClient(api);
    answer = () => ({ ok: false, error: { status: 401, code: 'invalid_grant', message: 'The access token provided is invalid.' } });
    const e = await c.get('/campaigns').catch((x) => x);
    expect(e).toMatchObject({ sugar: true, status: 401, code: 'invalid_grant' });
    expect(describeError(e).kind).toBe('token_rejected');
    answer = () => ({ ok: true, body: { not: 'an envelope' } });
    await expect(c.get('/campaigns')).rejects.toMatchObject({ kind: 'unknown' });
  });

  it("escapes what goes into Sugar's alerts, which render HTML", () => {
    expect(escapeHtml('<img src=x onerror="alert(1)"> & \'q\' `b`')).toBe(
      '&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt; &amp; &#x27;q&#x27; &#x60;b&#x60;',
    );
    expect(escapeHtml(undefined)).toBe('');
  });
});
