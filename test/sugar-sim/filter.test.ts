import { describe, expect, it } from 'vitest';
import { SugarError } from '../../scripts/sugar-sim/errors.js';
import { compileFilter, compileOrderBy, dateRange, type FieldDefs, type FilterContext, type SimRecord } from '../../scripts/sugar-sim/filter.js';
import { pageRecords, parseListArgs } from '../../scripts/sugar-sim/filter-args.js';

const fields: FieldDefs = {
  id: { type: 'id' },
  first_name: { type: 'varchar' },
  last_name: { type: 'varchar' },
  name: { type: 'name' },
  email: { type: 'email' },
  email_addresses: { type: 'link' },
  prospectlists: { type: 'link' },
  assigned_user_id: { type: 'id' },
  created_by: { type: 'id' },
  lead_source: { type: 'enum' },
  description: { type: 'text' },
  do_not_call: { type: 'bool' },
  score: { type: 'int' },
  budget: { type: 'decimal' },
  birthdate: { type: 'date' },
  date_entered: { type: 'datetime' },
  date_modified: { type: 'datetime' },
};

const mail = (address: string, primary: boolean, optOut = false) => ({
  email_address: address,
  email_address_id: `ea-${address}`,
  primary_address: primary,
  reply_to_address: false,
  invalid_email: false,
  opt_out: optOut,
});

const records: SimRecord[] = [
  {
    id: 'c1',
    first_name: 'Abby',
    last_name: 'Able',
    assigned_user_id: 'u-sally',
    created_by: 'u-admin',
    lead_source: 'Web',
    description: 'Likes golf',
    do_not_call: false,
    score: 10,
    budget: '100.50',
    birthdate: '1990-06-01',
    date_entered: '2026-05-01T08:00:00+00:00',
    date_modified: '2026-05-19T12:00:00+00:00',
    email: [mail('Abby@Example.com', true), mail('abby.alt@other.org', false, true)],
  },
  {
    id: 'c2',
    first_name: 'bob',
    last_name: 'Baker',
    assigned_user_id: 'u-max',
    created_by: 'u-sally',
    lead_source: 'Email',
    description: '',
    do_not_call: true,
    score: 2,
    budget: '99.9',
    birthdate: '1985-12-31',
    date_entered: '2026-05-18T23:59:59+00:00',
    date_modified: '2026-05-20T09:00:00+00:00',
    email: [mail('bob@example.com', true)],
  },
  {
    id: 'c3',
    first_name: 'Cara',
    last_name: 'Cole',
    assigned_user_id: 'u-sally',
    created_by: 'u-sally',
    lead_source: null,
    description: null,
    do_not_call: false,
    score: 30,
    budget: null,
    birthdate: null,
    date_entered: '2026-04-10T10:00:00+00:00',
    date_modified: '2026-05-19T12:00:00+00:00',
    email: [],
  },
  {
    id: 'c4',
    first_name: 'Dan',
    last_name: 'able-son',
    assigned_user_id: null,
    created_by: 'u-admin',
    lead_source: 'Web',
    description: 'Golf and tennis',
    do_not_call: '1',
    score: '7',
    budget: '0',
    birthdate: '2000-01-15',
    date_entered: '2025-12-31T23:00:00+00:00',
    date_modified: '2026-03-01T00:00:00+00:00',
    email: [mail('dan@golf.net', false)],
  },
];

const ctx: FilterContext = { module: 'Contacts', fields, userId: 'u-sally', now: new Date('2026-05-20T15:30:00Z'), favorites: new Set(['c2']) };
const ids = (filter: unknown, c: FilterContext = ctx) => records.filter(compileFilter(filter, c)).map((r) => r.id);

describe('compileFilter matches', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['no filter', undefined, ['c1', 'c2', 'c3', 'c4']],
    ['empty array', [], ['c1', 'c2', 'c3', 'c4']],
    ['scalar is $equals, case-insensitive', [{ first_name: 'BOB' }], ['c2']],
    ['$equals', [{ lead_source: { $equals: 'web' } }], ['c1', 'c4']],
    ['$not_equals includes NULL', [{ lead_source: { $not_equals: 'Web' } }], ['c2', 'c3']],
    ['$starts', [{ last_name: { $starts: 'ABLE' } }], ['c1', 'c4']],
    ['$ends', [{ last_name: { $ends: 'er' } }], ['c2']],
    ['$contains', [{ description: { $contains: 'GOLF' } }], ['c1', 'c4']],
    ['$not_contains includes NULL', [{ description: { $not_contains: 'golf' } }], ['c2', 'c3']],
    ['$in', [{ first_name: { $in: ['abby', 'CARA'] } }], ['c1', 'c3']],
    ['$not_in', [{ lead_source: { $not_in: ['Web'] } }], ['c2', 'c3']],
    ['$in in bracket object form', [{ id: { $in: { 0: 'c4', 1: 'c2' } } }], ['c2', 'c4']],
    ['$is_null', [{ birthdate: { $is_null: '' } }], ['c3']],
    ['$not_null', [{ budget: { $not_null: '' } }], ['c1', 'c2', 'c4']],
    ['$empty counts empty strings', [{ description: { $empty: '' } }], ['c2', 'c3']],
    ['$not_empty', [{ description: { $not_empty: '' } }], ['c1', 'c4']],
    ['int $gt is numeric, not lexical', [{ score: { $gt: 9 } }], ['c1', 'c3']],
    ['int from a query-string operand', [{ score: { $lte: '7' } }], ['c2', 'c4']],
    ['decimal $gte', [{ budget: { $gte: '99.95' } }], ['c1']],
    ['decimal $between inclusive', [{ budget: { $between: [0, 99.9] } }], ['c2', 'c4']],
    ['bool true', [{ do_not_call: true }], ['c2', 'c4']],
    ['bool "0"', [{ do_not_call: '0' }], ['c1', 'c3']],
    ['date $lt', [{ birthdate: { $lt: '1990-06-01' } }], ['c2']],
    ['date $dateBetween', [{ birthdate: { $dateBetween: ['1990-01-01', '2000-01-15'] } }], ['c1', 'c4']],
    ['datetime $equals a bare date covers the day', [{ date_entered: '2026-05-18' }], ['c2']],
    ['datetime $gt a bare date is after that day', [{ date_entered: { $gt: '2026-04-30' } }], ['c1', 'c2']],
    ['datetime $lte a bare date includes that day', [{ date_entered: { $lte: '2026-05-18' } }], ['c1', 'c2', 'c3', 'c4']],
    ['datetime $lt a bare date excludes that day', [{ date_entered: { $lt: '2026-05-18' } }], ['c1', 'c3', 'c4']],
    ['datetime $gte full timestamp', [{ date_modified: { $gte: '2026-05-19T12:00:00Z' } }], ['c1', 'c2', 'c3']],
    ['datetime $dateRange today', [{ date_modified: { $dateRange: 'today' } }], ['c2']],
    ['datetime $dateRange last_7_days', [{ date_entered: { $dateRange: 'last_7_days' } }], ['c2']],
    ['datetime $dateRange last_30_days', [{ date_entered: { $dateRange: 'last_30_days' } }], ['c1', 'c2']],
    ['datetime $dateRange this_year', [{ date_entered: { $dateRange: 'this_year' } }], ['c1', 'c2', 'c3']],
    ['datetime $dateRange last_year', [{ date_entered: { $dateRange: 'last_year' } }], ['c4']],
    ['date $dateRange on a NULL value', [{ birthdate: { $dateRange: 'next_year' } }], []],
    ['keys of one object are ANDed', [{ lead_source: 'Web', score: { $gt: 8 } }], ['c1']],
    ['array items are ANDed', [{ lead_source: 'Web' }, { score: { $lt: 8 } }], ['c4']],
    ['operators on one field are ANDed', [{ score: { $gt: 2, $lt: 30 } }], ['c1', 'c4']],
    ['$or', [{ $or: [{ first_name: 'abby' }, { score: 30 }] }], ['c1', 'c3']],
    ['$and inside $or', [{ $or: [{ $and: [{ lead_source: 'Web' }, { score: 7 }] }, { id: 'c2' }] }], ['c2', 'c4']],
    ['$or in bracket object form', { 0: { $or: { 0: { id: 'c1' }, 1: { id: 'c3' } } } }, ['c1', 'c3']],
    ['$owner', [{ $owner: '' }], ['c1', 'c3']],
    ['$creator', [{ $creator: '' }], ['c2', 'c3']],
    ['$favorite', [{ $favorite: '' }], ['c2']],
    ['$tracker matches nothing', [{ $tracker: '-7 DAY' }], []],
    ['$following matches nothing', [{ $following: '' }], []],
    ['email matches the primary address only', [{ email: 'abby.alt@other.org' }], []],
    ['email primary, case-insensitive', [{ email: { $starts: 'ABBY@' } }], ['c1']],
    ['email falls back to the first address without a primary', [{ email: 'dan@golf.net' }], ['c4']],
    ['email_addresses.email_address matches any address', [{ 'email_addresses.email_address': 'ABBY.ALT@other.org' }], ['c1']],
    ['email_addresses.email_address $ends', [{ 'email_addresses.email_address': { $ends: 'example.com' } }], ['c1', 'c2']],
    ['email_addresses.opt_out', [{ 'email_addresses.opt_out': true }], ['c1']],
    ['email_addresses.email_address $is_null finds records without addresses', [{ 'email_addresses.email_address': { $is_null: '' } }], ['c3']],
    ['$equals null is IS NULL', [{ assigned_user_id: null }], ['c4']],
  ];
  it.each(cases)('%s', (_name, filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('uses $favorite from my_favorite when no favourites set is given', () => {
    const recs = [
      { id: 'a', my_favorite: true },
      { id: 'b', my_favorite: false },
    ];
    const noFav: FilterContext = { ...ctx, favorites: undefined };
    expect(recs.filter(compileFilter([{ $favorite: '' }], noFav)).map((r) => r.id)).toEqual(['a']);
  });

  it('filters through other links with a resolver', () => {
    const lists: Record<string, string[]> = { c1: ['Golfers'], c4: ['Golfers', 'VIP'] };
    const withLinks: FilterContext = {
      ...ctx,
      relatedField: (link, field) =>
        link === 'prospectlists' && field === 'name' ? { type: 'name', values: (rec) => lists[String(rec.id)] ?? [] } : undefined,
    };
    expect(ids([{ 'prospectlists.name': 'vip' }], withLinks)).toEqual(['c4']);
    expect(() => ids([{ 'prospectlists.nope': 'x' }], withLinks)).toThrow('Unknown field prospectlists.nope');
  });
});

describe('compileFilter rejects', () => {
  const cases: Array<[string, unknown, string]> = [
    ['unknown field', [{ nope: 1 }], 'Unknown field nope'],
    ['unknown $ key', [{ $nope: 1 }], 'Unknown field $nope'],
    ['link without a field', [{ prospectlists: 'x' }], 'Unknown field prospectlists'],
    ['link.field without a resolver', [{ 'prospectlists.name': 'x' }], 'Unknown field prospectlists.name'],
    ['unknown email_addresses column', [{ 'email_addresses.nope': 'x' }], 'Unknown field email_addresses.nope'],
    ['unknown operand', [{ first_name: { $nope: 'x' } }], 'Did not recognize the operand: $nope'],
    ['array value without operator', [{ first_name: ['a', 'b'] }], 'Did not recognize the operand: 0'],
    ['$in with a scalar', [{ id: { $in: 'c1' } }], '$in requires an array'],
    ['$not_in with a scalar', [{ id: { $not_in: 'c1' } }], '$not_in requires an array'],
    ['$between with one value', [{ score: { $between: [1] } }], '$between requires an array with two values.'],
    [
      '$dateBetween with three values',
      [{ birthdate: { $dateBetween: ['2020-01-01', '2020-01-02', '2020-01-03'] } }],
      '$dateBetween requires an array with two values.',
    ],
    ['$or with an object', [{ $or: { id: 'c1' } }], '$or requires an array'],
    ['bad date range', [{ birthdate: { $dateRange: 'last_century' } }], 'Did not recognize the date range: last_century'],
    ['$dateRange on text', [{ first_name: { $dateRange: 'today' } }], '$dateRange requires a date field: first_name'],
    ['non-numeric int operand', [{ score: { $gt: 'many' } }], 'Invalid value for field score: "many"'],
    ['bad date operand', [{ birthdate: { $lt: 'soon' } }], 'Invalid value for field birthdate: "soon"'],
    ['filter that is not an array', 'first_name', 'The filter must be an array of conditions.'],
    ['condition that is not an object', ['first_name'], 'Each filter condition must be an object.'],
  ];
  it.each(cases)('%s', (_name, filter, message) => {
    let caught: unknown;
    try {
      compileFilter(filter, ctx);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SugarError);
    const err = caught as SugarError;
    expect([err.status, err.label, err.message]).toEqual([422, 'invalid_parameter', message]);
  });
});

describe('dateRange', () => {
  const now = new Date('2024-03-01T00:30:00Z');
  it.each([
    ['yesterday', ['2024-02-29', '2024-02-29']],
    ['tomorrow', ['2024-03-02', '2024-03-02']],
    ['next_7_days', ['2024-03-01', '2024-03-07']],
    ['last_30_days', ['2024-02-01', '2024-03-01']],
    ['next_30_days', ['2024-03-01', '2024-03-30']],
    ['last_month', ['2024-02-01', '2024-02-29']],
    ['this_month', ['2024-03-01', '2024-03-31']],
    ['next_month', ['2024-04-01', '2024-04-30']],
    ['next_year', ['2025-01-01', '2025-12-31']],
  ])('%s', (name, expected) => {
    expect(dateRange(name, now)).toEqual(expected);
  });
});

describe('compileOrderBy', () => {
  const sorted = (orderBy: unknown) => [...records].sort(compileOrderBy(orderBy, ctx)).map((r) => r.id);
  it.each([
    ['default is date_modified DESC, ties by id', undefined, ['c2', 'c1', 'c3', 'c4']],
    ['ascending text ignores case', 'last_name', ['c1', 'c4', 'c2', 'c3']],
    ['desc', 'first_name:desc', ['c4', 'c3', 'c2', 'c1']],
    ['numeric not lexical', 'score', ['c2', 'c4', 'c1', 'c3']],
    ['NULLs first ascending', 'birthdate', ['c3', 'c2', 'c1', 'c4']],
    ['several terms', 'lead_source:DESC,score:desc', ['c1', 'c4', 'c2', 'c3']],
    ['array form', ['date_modified:desc', 'first_name'], ['c2', 'c1', 'c3', 'c4']],
    ['primary email', 'email', ['c3', 'c1', 'c2', 'c4']],
  ])('%s', (_name, orderBy, expected) => {
    expect(sorted(orderBy)).toEqual(expected);
  });
  it("rejects a missing field with Sugar's message", () => {
    expect(() => compileOrderBy('name:desc,nope', ctx)).toThrow('Non existing field: nope in module: Contacts');
    expect(() => compileOrderBy('prospectlists', ctx)).toThrow('Non existing field: prospectlists in module: Contacts');
  });
});

describe('parseListArgs', () => {
  it('applies defaults', () => {
    expect(parseListArgs({}, undefined)).toEqual({ filter: [], maxNum: 20, offset: 0, orderBy: undefined, fields: undefined, deleted: false });
  });
  it('parses a GET with a JSON filter and CSV fields', () => {
    const a = parseListArgs(
      { filter: '[{"name":{"$starts":"Ab"}}]', max_num: '5', offset: '10', fields: 'name, email', order_by: 'name:desc', deleted: '1' },
      undefined,
    );
    expect(a).toEqual({ filter: [{ name: { $starts: 'Ab' } }], maxNum: 5, offset: 10, orderBy: 'name:desc', fields: ['name', 'email'], deleted: true });
  });
  it('accepts the bracket form from the extended query parser', () => {
    expect(parseListArgs({ filter: { 0: { name: { $starts: 'Ab' } } } }, undefined).filter).toEqual([{ name: { $starts: 'Ab' } }]);
    expect(parseListArgs({ filter: [{ name: 'x' }] }, undefined).filter).toEqual([{ name: 'x' }]);
  });
  it('reads a POST body, with query arguments winning', () => {
    const a = parseListArgs({ max_num: '3' }, { filter: [{ id: 'c1' }], max_num: 1000, fields: ['id', 'name'], deleted: false });
    expect([a.filter, a.maxNum, a.fields, a.deleted]).toEqual([[{ id: 'c1' }], 3, ['id', 'name'], false]);
  });
  it.each([
    [-1, -1],
    ['-5', -1],
    [0, 20],
    ['', 20],
  ])('max_num %s → %s', (raw, expected) => {
    expect(parseListArgs({ max_num: raw }, undefined).maxNum).toBe(expected);
  });
  it('keeps q when there is no filter', () => {
    expect(parseListArgs({ q: 'abby' }, undefined).q).toBe('abby');
  });
  it.each([
    ['q with filter', { q: 'x', filter: '[{"id":"1"}]' }, 'The q and filter arguments cannot be combined.'],
    ['bad JSON', { filter: '[{"id"' }, 'The filter argument is not valid JSON.'],
    ['filter object', { filter: '{"id":"1"}' }, 'The filter argument must be an array of conditions.'],
    ['max_num text', { max_num: 'lots' }, 'max_num must be an integer.'],
    ['offset text', { offset: '1.5' }, 'offset must be an integer.'],
    ['fields object', { fields: { a: 1 } }, 'fields must be a comma-separated list or an array of names.'],
  ])('rejects %s', (_name, query, message) => {
    expect(() => parseListArgs(query, undefined)).toThrow(message);
  });
});

describe('pageRecords', () => {
  const rows = Array.from({ length: 45 }, (_, i) => i);
  const page = (max_num: unknown, offset: unknown) => pageRecords(rows, parseListArgs({ max_num, offset }, undefined));
  it('walks pages until next_offset is -1', () => {
    expect(page(20, 0)).toEqual({ next_offset: 20, records: rows.slice(0, 20) });
    expect(page(20, 20).next_offset).toBe(40);
    expect(page(20, 40)).toEqual({ next_offset: -1, records: rows.slice(40) });
  });
  it('answers -1 when the page ends exactly at the last row', () => {
    expect(page(15, 30)).toEqual({ next_offset: -1, records: rows.slice(30) });
  });
  it('returns everything from the offset for a negative max_num', () => {
    expect(page(-1, 5)).toEqual({ next_offset: -1, records: rows.slice(5) });
  });
  it('returns nothing past the end', () => {
    expect(page(20, 'end')).toEqual({ next_offset: -1, records: [] });
    expect(page(20, 100)).toEqual({ next_offset: -1, records: [] });
  });
});
