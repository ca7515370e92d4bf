// Enrols the members of an automation's Sugar target lists with the very rules a campaign's extraction uses
// (exempt lists, suppressions, invalid and duplicate addresses): extraction runs against a view of the store
// whose ledger insert enrols instead, so there is one copy of those rules.
import type { Audit, Campaign, Target } from '../domain/types.js';
import { extractTargets, type SugarReader } from '../campaigns/extraction.js';
import type { Store, StoredAutomation } from '../store/ports.js';

export async function enrolFromLists(deps: { store: Store; sugar: SugarReader; consentField?: string }, a: StoredAutomation, nowIso: string): Promise<{ enrolled: number; audit: Audit }> {
  const { store } = deps;
  let enrolled = 0;
  const firstKey = a.program[0]?.key ?? null;
  const enrolling = Object.assign(Object.create(store) as Store, {
    recipients: { insertMany: (_id: string, targets: Array<Target & { addressKey: string }>) => (enrolled += store.automations.enrol(a.id, targets, firstKey)) },
    campaigns: { saveAudit: () => undefined },
  });
  const asCampaign = { id: a.id, name: a.name, targetListIds: a.targetListIds, leadfwdListIds: [], customFields: [] } as unknown as Campaign;
  const audit = await extractTargets({ sugar: deps.sugar, store: enrolling, consentField: deps.consentField }, asCampaign);
  store.automations.listsRead(a.id, nowIso);
  return { enrolled, audit };
}
