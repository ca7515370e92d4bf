// Enrols the members of an automation's Sugar target lists with the very rules a campaign's extraction uses
// (exempt lists, suppressions, invalid and duplicate addresses): extraction hands each chunk of queued targets
// to a sink, which enrols them here instead of filling a ledger, so there is one copy of those rules.

import { AUDIENCE_MODULES, type AudienceReader } from '../campaigns/audiences.js';
import { type ExtractionStore, readTargets, type SugarReader } from '../campaigns/extraction.js';
import { ID } from '../domain/input.js';
import type { Audit, SugarAudience } from '../domain/types.js';
import type { AutomationRepo, StoredAutomation, StorePart } from '../ports/index.js';
import type { Log } from '../ports/log.js';

export type EnrolmentStore = ExtractionStore & StorePart<{ automations: 'enrol' | 'listsRead' }>;

/**
 * The saved filters and reports an automation enrols from (resolved at create or edit, kept with its definition).
 * Definitions stored before their fields were sorted kept a body's own `audiences` as given: only what resolving
 * could have made is read.
 */
export const audiencesOf = (a: StoredAutomation): SugarAudience[] => {
  const stored = (a.definition as { audiences?: unknown } | null)?.audiences;
  return (Array.isArray(stored) ? stored : []).filter(
    (x): x is SugarAudience =>
      typeof x === 'object' &&
      x !== null &&
      (x.kind === 'saved_filter' || x.kind === 'report') &&
      typeof x.id === 'string' &&
      ID.test(x.id) &&
      AUDIENCE_MODULES.has(x.module) &&
      typeof x.name === 'string',
  );
};

export async function enrolFromLists(
  deps: { store: EnrolmentStore; sugar: SugarReader; consentField?: string; sudoFor?: (userName: string) => AudienceReader },
  a: StoredAutomation,
  nowIso: string,
): Promise<{ enrolled: number; audit: Audit }> {
  const { store } = deps;
  let enrolled = 0;
  const firstKey = a.program[0]?.key ?? null;
  const audiences = audiencesOf(a);
  const lists = { id: a.id, targetListIds: a.targetListIds, leadfwdListIds: [], customFields: [], audiences };
  // Saved filters and reports are read again at each refresh, as the automation's creator (sudo), like a campaign's.
  const asCreator = audiences.length && a.createdBy && deps.sudoFor ? { reader: deps.sudoFor(a.createdBy.userName), readAs: a.createdBy.userName } : undefined;
  const audit = await readTargets({ sugar: deps.sugar, store, consentField: deps.consentField, ...(asCreator ? { audienceReader: asCreator } : {}) }, lists, {
    queued: async (targets) => {
      enrolled += await store.automations.enrol(a.id, targets, firstKey);
    },
  });
  await store.automations.listsRead(a.id, nowIso);
  return { enrolled, audit };
}

/**
 * Enrolment from lists as the automation runner and service use it: read one automation's lists (and wake the
 * runner when anyone enrolled), in the background after a create or an edit, or every active one on a timer.
 */
export function createListEnrolment(deps: {
  store: EnrolmentStore & { automations: Pick<AutomationRepo, 'inStatus'> };
  sugar: SugarReader;
  sudoFor?: (userName: string) => AudienceReader;
  now?: () => Date;
  onEnrolled: () => void;
  logger?: Pick<Log, 'warn'>;
}) {
  const read = async (a: StoredAutomation) => {
    const { enrolled } = await enrolFromLists(deps, a, (deps.now?.() ?? new Date()).toISOString());
    if (enrolled) deps.onEnrolled();
  };
  return {
    read,
    readInBackground(a: StoredAutomation): void {
      read(a).catch((err) => deps.logger?.warn({ err: (err as Error).message, automationId: a.id }, 'automation.list_read_failed'));
    },
    async refreshActive(): Promise<void> {
      for (const a of await deps.store.automations.inStatus('active')) if (a.targetListIds.length || audiencesOf(a).length) await read(a);
    },
  };
}
