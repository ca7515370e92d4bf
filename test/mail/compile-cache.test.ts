// The per-process compile cache hands a campaign's compiled content out only once its links are saved in the store
// (a real SQLite store): no message can carry a link index the database does not hold yet, and a tracking process
// never holds the campaign's rows without its links. A save that fails fails the compile, and the next use tries again.
import { afterEach, describe, expect, it } from 'vitest';
import type { Campaign } from '../../service/src/domain/types.js';
import { createCompileCache } from '../../service/src/mail/compile-cache.js';
import { openStore, type SqliteStore } from '../../service/src/store/db.js';
import { newCampaign } from '../store/helpers.js';

let store: SqliteStore | undefined;
afterEach(() => store?.close());

const html = '<p><a href="https://acme.test/a">a</a> <a href="https://acme.test/b">b</a></p>';

describe('compile cache', () => {
  it('answers only after the links are saved, and tries again after a save that failed', async () => {
    store = openStore(':memory:');
    const c = (await store.campaigns.create(newCampaign({ html }), 'cc')) as Campaign;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let saves = 0;
    const compiled = createCompileCache({
      saveLinks: async (id, links) => {
        if (++saves === 1) throw new Error('the database is away');
        await gate;
        return store!.campaigns.saveLinks(id, links);
      },
    });
    await expect(compiled(c)).rejects.toThrow(/away/);
    const second = compiled(c);
    const settled = await Promise.race([second.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 200))]);
    expect(settled).toBe('waiting'); // compiled, but its links are not saved yet
    expect(store.campaigns.links('cc')).toEqual([]);
    open();
    expect((await second).links).toEqual(['https://acme.test/a', 'https://acme.test/b']);
    expect(store.campaigns.links('cc')).toEqual(['https://acme.test/a', 'https://acme.test/b']);
    expect(await compiled(c)).toBe(await second); // once per process
    expect(saves).toBe(2);
  });
});
