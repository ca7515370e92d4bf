// Paging, counting and bulk against the real simulator, asserting results and the number of HTTP calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSugarSim } from '../../scripts/sugar-sim/server.js';
import type { BulkItem } from '../../service/src/sugar/sugar-client.js';
import { calls, type Harness, makeClient, type Sim } from './sim-fixture.js';

const TOTAL = 2345;
const TAGGED = 2000; // exactly two full pages: the second must end the walk without an empty third call

let sim: Sim;
let h: Harness;
let listId: string;
let ids: string[];

beforeAll(async () => {
  sim = await startSugarSim({ port: 0, seed: 'empty' });
  h = makeClient(sim);
  ids = Array.from({ length: TOTAL }, () => crypto.randomUUID());
  const creates: BulkItem[] = ids.map((id, i) => ({
    method: 'POST',
    path: '/Contacts',
    data: { id, first_name: `P${i}`, last_name: i < TAGGED ? 'Paged' : 'Other' },
  }));
  const created = await h.client.bulk(creates, { chunkSize: 500, idempotent: true });
  expect(created.every((r) => r.status === 200)).toBe(true);
  const list = await h.client.post<{ id: string }>('/ProspectLists', { name: 'Paging list', list_type: 'default' });
  listId = list.id;
  await h.client.post(`/ProspectLists/${listId}/link`, { link_name: 'contacts', ids: ids.slice(0, 1500) });
}, 60_000);
afterAll(async () => {
  await h?.client.logout();
  await sim?.close();
});
beforeEach(() => {
  sim.faults.reset();
  sim.clearRequests();
  h.client.resetStats();
});

async function collect(gen: AsyncGenerator<Record<string, unknown>[]>): Promise<{ rows: Record<string, unknown>[]; pages: number[] }> {
  const rows: Record<string, unknown>[] = [];
  const pages: number[] = [];
  for await (const page of gen) {
    pages.push(page.length);
    rows.push(...page);
  }
  return { rows, pages };
}

describe('filterPages', () => {
  it('walks more than 1000 records in the minimum number of calls', async () => {
    const { rows, pages } = await collect(h.client.filterPages('Contacts', { fields: ['id', 'last_name'] }));
    expect(pages).toEqual([1000, 1000, 345]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    expect(calls(sim)).toEqual(['POST /Contacts/filter', 'POST /Contacts/filter', 'POST /Contacts/filter']);
    expect(h.client.stats().calls).toBe(3);
  });

  it('stops after two calls when the matches fill exactly two pages', async () => {
    const { rows, pages } = await collect(h.client.filterPages('Contacts', { filter: [{ last_name: 'Paged' }], fields: ['id'] }));
    expect(pages).toEqual([1000, 1000]);
    expect(rows).toHaveLength(TAGGED);
    expect(h.client.stats().calls).toBe(2);
  });

  it('honours pageSize, orderBy and fields', async () => {
    const { rows, pages } = await collect(
      h.client.filterPages('Contacts', { filter: [{ last_name: 'Other' }], fields: ['first_name'], orderBy: 'first_name:desc', pageSize: 100 }),
    );
    expect(pages).toEqual([100, 100, 100, 45]);
    const names = rows.map((r) => String(r.first_name));
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a)));
    expect(rows[0]).not.toHaveProperty('last_name');
    expect(h.client.stats().calls).toBe(4);
  });

  it('yields nothing for no matches in one call', async () => {
    const { rows } = await collect(h.client.filterPages('Contacts', { filter: [{ last_name: 'Nobody' }] }));
    expect(rows).toEqual([]);
    expect(h.client.stats().calls).toBe(1);
  });

  it('survives a 503 in the middle of a walk by retrying that page only', async () => {
    const gen = h.client.filterPages('Contacts', { fields: ['id'] });
    const first = await gen.next();
    sim.faults.failNext(1, 503);
    const rest = await collect(gen);
    expect((first.value as unknown[]).length + rest.rows.length).toBe(TOTAL);
    expect(h.client.stats()).toMatchObject({ calls: 4, retries: 1 });
  });
});

describe('linkPages and count', () => {
  it('pages through a link', async () => {
    const { rows, pages } = await collect(h.client.linkPages('ProspectLists', listId, 'contacts', { fields: ['id'] }));
    expect(pages).toEqual([1000, 500]);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids.slice(0, 1500)));
    expect(calls(sim)).toEqual([`GET /ProspectLists/${listId}/link/contacts`, `GET /ProspectLists/${listId}/link/contacts`]);
  });

  it('filters a link', async () => {
    const { rows } = await collect(h.client.linkPages('ProspectLists', listId, 'contacts', { filter: [{ first_name: 'P7' }] }));
    expect(rows.map((r) => r.id)).toEqual([ids[7]]);
  });

  it('counts with and without a filter in one call each', async () => {
    expect(await h.client.count('Contacts')).toBe(TOTAL);
    expect(await h.client.count('Contacts', [{ last_name: 'Other' }])).toBe(TOTAL - TAGGED);
    expect(await h.client.count('Contacts', [{ $or: [{ first_name: 'P1' }, { first_name: { $starts: 'P234' } }] }])).toBe(7);
    expect(h.client.stats().calls).toBe(3);
  });
});

describe('bulk', () => {
  it('chunks items, keeps their order and returns failures without throwing', async () => {
    const items: BulkItem[] = ids.slice(0, 249).map((id) => ({ method: 'GET', path: `/Contacts/${id}?fields=first_name` }));
    items.splice(120, 0, { method: 'GET', path: '/Contacts/no-such-id' });
    const results = await h.client.bulk(items, { chunkSize: 100 });
    expect(results).toHaveLength(250);
    expect(results[120].status).toBe(404);
    expect((results[120].contents as { error: string }).error).toBe('not_found');
    const ok = results.filter((_, i) => i !== 120);
    expect(ok.every((r) => r.status === 200)).toBe(true);
    expect(ok.map((r) => (r.contents as { id: string }).id)).toEqual(ids.slice(0, 249));
    expect(calls(sim)).toEqual(['POST /bulk', 'POST /bulk', 'POST /bulk']);
    expect(sim.requests().filter((r) => r.bulk)).toHaveLength(250);
    expect(h.client.stats().calls).toBe(3);
  });

  it('sends writes with their data', async () => {
    const [updated, gone] = await h.client.bulk([
      { method: 'PUT', path: `/Contacts/${ids[0]}`, data: { first_name: 'Bulked' } },
      { method: 'PUT', path: '/Contacts/no-such-id', data: { first_name: 'x' } },
    ]);
    expect([updated.status, (updated.contents as { first_name: string }).first_name]).toEqual([200, 'Bulked']);
    expect(gone.status).toBe(404);
    expect(((await h.client.get(`/Contacts/${ids[0]}`)) as { first_name: string }).first_name).toBe('Bulked');
  });

  it('makes no call for an empty list', async () => {
    expect(await h.client.bulk([])).toEqual([]);
    expect(h.client.stats().calls).toBe(0);
  });
});
