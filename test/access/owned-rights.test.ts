// What a list offers (ownedRights: visible, editable) agrees with what one campaign's check then allows
// (requireCampaignRight) for each answer Sugar can give. A Sugar answering as described (sugar-platform.md §13: a
// record carries `_acl` for the asker; a hidden one is left out of a filter, and its GET is 404, or 403 under an
// owner-only view right), since the simulator's filter does not apply owner-only list rights. Found by a review: a
// creator's campaign hidden by a 403 was listed as changeable, then refused.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../service/src/access/actor.js';
import { ownedRights, requireCampaignRight } from '../../service/src/access/policy.js';

type Answer = { kind: 'record'; acl?: Record<string, unknown> } | { kind: 'error'; errKind: 'not_found' | 'forbidden' };

function actor(answers: Record<string, Answer>, hiddenFromFilter: Set<string>): Actor {
  return {
    kind: 'user',
    id: 'u-max',
    userName: 'max',
    isAdmin: false,
    acl: {},
    sugar: {
      async get<T>(path: string): Promise<T> {
        const id = decodeURIComponent(path.split('/')[2]);
        const a = answers[id] ?? { kind: 'error', errKind: 'not_found' };
        if (a.kind === 'error') throw Object.assign(new Error(a.errKind), { kind: a.errKind });
        return { id, _acl: a.acl ?? { fields: {} } } as T;
      },
      async *filterPages(_m: string, opts?: { filter?: unknown[] }) {
        const ids = (opts?.filter?.[0] as { id?: { $in?: string[] } } | undefined)?.id?.$in ?? [];
        yield ids
          .filter((id) => answers[id]?.kind === 'record' && !hiddenFromFilter.has(id))
          .map((id) => ({ id, _acl: (answers[id] as { acl?: unknown }).acl ?? { fields: {} } }));
      },
      async *linkPages() {},
      async bulk() {
        return [];
      },
    },
  } as Actor;
}

const single = async (
  a: Actor,
  item: { id: string; name: string; createdBy?: { id: string; userName: string }; sugarCampaignId?: string },
  action: 'view' | 'edit',
) =>
  requireCampaignRight(a, item, action).then(
    () => true,
    () => false,
  );

describe('ownedRights agrees with requireCampaignRight', () => {
  it('a creator whose Sugar Campaign Sugar refuses to show them (403: owner-only view, reassigned in Sugar)', async () => {
    // Sugar's filter leaves out a record the role's owner-only list/view hides; GET answers 403 (not 404).
    const a = actor({ 'sc-1': { kind: 'error', errKind: 'forbidden' } }, new Set());
    const item = { id: 'c1', name: 'Mine, reassigned', createdBy: { id: 'u-max', userName: 'max' }, sugarCampaignId: 'sc-1' };
    const list = await ownedRights(a, [item]);
    const one = { view: await single(a, item, 'view'), edit: await single(a, item, 'edit') };
    expect({ listed: list.visible.length === 1, mayEdit: list.editable.has('c1') }).toEqual({ listed: one.view, mayEdit: one.edit });
  });

  it('a Sugar Campaign Sugar shows with an _acl refusing edit, to its creator too', async () => {
    const a = actor({ 'sc-3': { kind: 'record', acl: { fields: {}, edit: 'no' } } }, new Set());
    const item = { id: 'c3', name: 'Mine, not editable', createdBy: { id: 'u-max', userName: 'max' }, sugarCampaignId: 'sc-3' };
    const list = await ownedRights(a, [item]);
    expect({ listed: list.visible.length === 1, mayEdit: list.editable.has('c3') }).toEqual({ listed: true, mayEdit: false });
    expect({ view: await single(a, item, 'view'), edit: await single(a, item, 'edit') }).toEqual({ view: true, edit: false });
  });

  it('a creator whose Sugar Campaign is deleted (404)', async () => {
    const a = actor({}, new Set());
    const item = { id: 'c2', name: 'Mine, deleted', createdBy: { id: 'u-max', userName: 'max' }, sugarCampaignId: 'sc-2' };
    const list = await ownedRights(a, [item]);
    expect({ listed: list.visible.length === 1, mayEdit: list.editable.has('c2') }).toEqual({
      listed: await single(a, item, 'view'),
      mayEdit: await single(a, item, 'edit'),
    });
  });
});
