import { describe, expect, it } from 'vitest';
import { fullJitter, parseRetryAfter } from '../../service/src/sugar/backoff.js';
import { errorFromResponse, kindForStatus, SugarApiError } from '../../service/src/sugar/errors.js';
import { queryString } from '../../service/src/sugar/http-exchange.js';

describe('fullJitter', () => {
  it('spans [0, base * 2^attempt) and is capped', () => {
    expect(fullJitter(0, 100, 10_000, () => 0)).toBe(0);
    expect(fullJitter(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitter(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitter(10, 100, 10_000, () => 0.5)).toBe(5000);
    expect(fullJitter(1000, 100, 10_000, () => 0.999)).toBe(9990);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-20T10:00:00Z');
  it.each([
    ['7', 7000],
    [' 0 ', 0],
    [3, 3000],
    [['2'], 2000],
    ['Wed, 20 May 2026 10:00:30 GMT', 30_000],
    ['Wed, 20 May 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
    ['-5', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('errors', () => {
  it.each<[number, boolean, string]>([
    [401, false, 'auth'],
    [400, true, 'auth'],
    [400, false, 'invalid'],
    [403, false, 'forbidden'],
    [404, false, 'not_found'],
    [409, false, 'conflict'],
    [422, false, 'invalid'],
    [429, false, 'rate_limited'],
    [503, false, 'server'],
    [301, false, 'unexpected'],
  ])('%i (token call %s) is %s', (status, tokenCall, kind) => {
    expect(kindForStatus(status, tokenCall)).toBe(kind);
  });

  it("carries Sugar's label and text and marks transient kinds retryable", () => {
    const e = errorFromResponse('GET', '/Contacts/x', 404, { error: 'not_found', error_message: 'Could not find record: x in module: Contacts' });
    expect(e).toBeInstanceOf(SugarApiError);
    expect([e.kind, e.status, e.label, e.retryable, e.method, e.path]).toEqual(['not_found', 404, 'not_found', false, 'GET', '/Contacts/x']);
    expect(e.message).toBe('Sugar GET /Contacts/x failed 404 not_found: Could not find record: x in module: Contacts');
    expect(errorFromResponse('POST', '/bulk', 503, { error: 'maintenance', error_message: 'down' }).retryable).toBe(true);
    expect(errorFromResponse('GET', '/x', 502, '<html>').message).toBe('Sugar GET /x failed 502: no error message');
  });
});

describe('queryString', () => {
  it('sends filters as JSON and name lists as CSV, skipping empties', () => {
    const qs = queryString({ filter: [{ name: { $starts: 'Ab' } }], fields: ['id', 'name'], max_num: 5, deleted: false, x: undefined, y: [] });
    const p = new URLSearchParams(qs);
    expect(JSON.parse(p.get('filter')!)).toEqual([{ name: { $starts: 'Ab' } }]);
    expect([p.get('fields'), p.get('max_num'), p.get('deleted'), p.has('x'), p.has('y')]).toEqual(['id,name', '5', 'false', false, false]);
  });
});
