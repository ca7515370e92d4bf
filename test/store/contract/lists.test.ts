import { describe, expect, it } from 'vitest';
import { StoreInputError } from '../../../service/src/ports/index.js';
import { describeOnAdapters } from './adapters.js';

describeOnAdapters('LeadFWD lists port', ({ store, clock }) => {
  describe('LeadFWD lists', () => {
    it('creates lists, adds members once each in import order and reports unknown ids', async () => {
      const l = await store.lists.create('Trade show', 'csv', 'list-1');
      expect(l).toEqual({ id: 'list-1', name: 'Trade show', source: 'csv', createdAt: clock.iso(), sugarListId: undefined });
      expect(
        await store.lists.addMembers('list-1', [
          { module: 'Leads', recordId: 'l-2', email: 'b@example.test' },
          { module: 'Contacts', recordId: 'c-1' },
          { module: 'Leads', recordId: 'l-2' },
        ]),
      ).toBe(2);
      expect(
        await store.lists.addMembers('list-1', [
          { module: 'Contacts', recordId: 'c-1' },
          { module: 'Contacts', recordId: 'c-9' },
        ]),
      ).toBe(1);
      expect(await store.lists.members('list-1')).toEqual([
        { module: 'Leads', recordId: 'l-2', email: 'b@example.test' },
        { module: 'Contacts', recordId: 'c-1' },
        { module: 'Contacts', recordId: 'c-9' },
      ]);
      await store.lists.create('Filter', 'filter', 'list-2');
      expect((await store.lists.list()).map((x) => [x.id, x.memberCount])).toEqual([
        ['list-1', 3],
        ['list-2', 0],
      ]);
      expect(await store.lists.exists(['list-1', 'nope', 'list-2', 'nope'])).toEqual(['nope']);
      expect(await store.lists.exists([])).toEqual([]);
      await store.lists.setSugarListId('list-1', 'sugar-pl-1');
      expect((await store.lists.get('list-1'))!.sugarListId).toBe('sugar-pl-1');
    });

    it('refuses unknown lists, modules and sources without a partial write', async () => {
      await expect((async () => await store.lists.addMembers('ghost', [{ module: 'Contacts', recordId: 'c' }]))()).rejects.toThrow(
        /unknown LeadFWD list: ghost/,
      );
      await store.lists.create('L', 'api', 'l');
      await expect(
        (async () =>
          await store.lists.addMembers('l', [
            { module: 'Contacts', recordId: 'a' },
            { module: 'Notes' as never, recordId: 'b' },
          ]))(),
      ).rejects.toThrow(/unknown module/);
      expect(await store.lists.members('l')).toEqual([]);
      await expect((async () => await store.lists.create('X', 'excel' as never))()).rejects.toThrow(/source must be/);
      await expect((async () => await store.lists.setSugarListId('ghost', 'x'))()).rejects.toThrow(StoreInputError);
    });
  });
});
