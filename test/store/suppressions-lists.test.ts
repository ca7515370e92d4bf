import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreInputError, type Store } from '../../service/src/store/db.js';
import { manualClock, memoryStore } from './helpers.js';

let store: Store;
let clock: ReturnType<typeof manualClock>;
beforeEach(() => { clock = manualClock(); store = memoryStore({ clock: clock.now }); });
afterEach(() => store.close());

describe('suppressions', () => {
  it('adds idempotently and keeps the first reason', () => {
    expect(store.suppressions.add('jo@example.test', 'Jo@Example.test', 'unsubscribe', 'one-click')).toBe(true);
    clock.advance(60_000);
    expect(store.suppressions.add('jo@example.test', 'jo@example.test', 'complaint')).toBe(false);
    expect(store.suppressions.get('jo@example.test')).toEqual({
      reason: 'unsubscribe', at: '2026-03-01T08:00:00.000Z', email: 'Jo@Example.test', source: 'one-click',
    });
    expect(store.suppressions.get('other@example.test')).toBeUndefined();
  });

  it('checks a whole batch of keys in one call', () => {
    for (let i = 0; i < 500; i += 7) store.suppressions.add(`p${i}@example.test`, `p${i}@example.test`, 'hard_bounce');
    const keys = Array.from({ length: 500 }, (_, i) => `p${i}@example.test`);
    const hit = store.suppressions.filterSuppressed(keys);
    expect(hit.size).toBe(72);
    expect(hit.has('p7@example.test')).toBe(true);
    expect(hit.has('p8@example.test')).toBe(false);
    expect(store.suppressions.filterSuppressed([])).toEqual(new Set());
    // Keys with quotes and unicode pass through JSON safely.
    store.suppressions.add(`o'brien"@bücher.test`, 'x', 'manual');
    expect(store.suppressions.filterSuppressed([`o'brien"@bücher.test`])).toEqual(new Set([`o'brien"@bücher.test`]));
  });

  it('removes a suppression and rejects bad input', () => {
    store.suppressions.add('a@example.test', 'a@example.test', 'manual');
    expect(store.suppressions.remove('a@example.test')).toBe(true);
    expect(store.suppressions.remove('a@example.test')).toBe(false);
    expect(() => store.suppressions.add('a@example.test', 'a', 'spam' as never)).toThrow(/unknown suppression reason: spam/);
    expect(() => store.suppressions.add('', 'a', 'manual')).toThrow(StoreInputError);
  });
});

describe('LeadFWD lists', () => {
  it('creates lists, adds members once each in import order and reports unknown ids', () => {
    const l = store.lists.create('Trade show', 'csv', 'list-1');
    expect(l).toEqual({ id: 'list-1', name: 'Trade show', source: 'csv', createdAt: clock.iso(), sugarListId: undefined });
    expect(store.lists.addMembers('list-1', [
      { module: 'Leads', recordId: 'l-2', email: 'b@example.test' },
      { module: 'Contacts', recordId: 'c-1' },
      { module: 'Leads', recordId: 'l-2' },
    ])).toBe(2);
    expect(store.lists.addMembers('list-1', [{ module: 'Contacts', recordId: 'c-1' }, { module: 'Contacts', recordId: 'c-9' }])).toBe(1);
    expect(store.lists.members('list-1')).toEqual([
      { module: 'Leads', recordId: 'l-2', email: 'b@example.test' },
      { module: 'Contacts', recordId: 'c-1' },
      { module: 'Contacts', recordId: 'c-9' },
    ]);
    store.lists.create('Filter', 'filter', 'list-2');
    expect(store.lists.list().map((x) => [x.id, x.memberCount])).toEqual([['list-1', 3], ['list-2', 0]]);
    expect(store.lists.exists(['list-1', 'nope', 'list-2', 'nope'])).toEqual(['nope']);
    expect(store.lists.exists([])).toEqual([]);
    store.lists.setSugarListId('list-1', 'sugar-pl-1');
    expect(store.lists.get('list-1')!.sugarListId).toBe('sugar-pl-1');
  });

  it('refuses unknown lists, modules and sources without a partial write', () => {
    expect(() => store.lists.addMembers('ghost', [{ module: 'Contacts', recordId: 'c' }])).toThrow(/unknown LeadFWD list: ghost/);
    store.lists.create('L', 'api', 'l');
    expect(() => store.lists.addMembers('l', [{ module: 'Contacts', recordId: 'a' }, { module: 'Notes' as never, recordId: 'b' }]))
      .toThrow(/unknown module/);
    expect(store.lists.members('l')).toEqual([]);
    expect(() => store.lists.create('X', 'excel' as never)).toThrow(/source must be/);
    expect(() => store.lists.setSugarListId('ghost', 'x')).toThrow(StoreInputError);
  });
});
