// Reads a campaign's targets out of Sugar, with an audit of everything skipped, and hands each judged chunk of
// queued targets to a sink: the send ledger for a campaign (extractTargets), enrolment for an automation.
// Pages through list links at the largest page size and never makes a per-record call.

import { abGroup } from '../domain/ab-test.js';
import { addressKey } from '../domain/address.js';
import { countSkip, emptyAudit } from '../domain/audit.js';
import { type Candidate, decide, type ExemptRules, emptyExemptRules } from '../domain/extraction.js';
import { isTimeZone, nextLocalSendTime } from '../domain/local-send-time.js';
import { providerOfDomain, providerOfMx } from '../domain/mailbox-provider.js';
import { BASE_MERGE_FIELDS } from '../domain/merge-fields.js';
import type { Audit, Campaign, Target, TargetModule } from '../domain/types.js';
import type { FollowUpRepo, MxLookup, StorePart, UnitOfWork } from '../ports/index.js';
import { type AudienceReader, audiencePages } from './audiences.js';

type SugarRecord = Record<string, unknown>;

/** The part of the Sugar client extraction needs. */
export interface SugarReader {
  get<T>(path: string, query?: Record<string, unknown>): Promise<T>;
  linkPages(module: string, id: string, link: string, opts?: { fields?: string[]; pageSize?: number }): AsyncGenerator<SugarRecord[]>;
  filterPages(module: string, opts?: { filter?: unknown[]; fields?: string[]; pageSize?: number }): AsyncGenerator<SugarRecord[]>;
}

/** What extraction reads locally: the suppression list, and LeadFWD lists a page at a time. */
export type ExtractionStore = StorePart<{ suppressions: 'filterSuppressed'; lists: 'membersPage' }> & {
  /** A follow-up's recipients (those of its first campaign who did not open or click); absent where there are none. */
  followUps?: Pick<FollowUpRepo, 'page'>;
};

/** The campaign path also writes the ledger and the audit. */
export type LedgerStore = ExtractionStore & UnitOfWork & StorePart<{ recipients: 'insertMany' | 'refreshStatistics'; campaigns: 'saveAudit' }>;

export interface ExtractDeps<S extends ExtractionStore = ExtractionStore> {
  sugar: SugarReader;
  store: S;
  consentField?: string;
  pageSize?: number;
  /** MX of recipient domains: each queued target gets its mailbox provider (by its domain when MX is unknown). */
  mx?: MxLookup;
  /** With `sendAsAssignedUser`: the From addresses the campaign's identity allows (the assigned user's, when it is one). */
  allowFrom?: (email: string) => boolean;
  /**
   * How the campaign's Sugar audiences (saved filters, reports) are read: as its creator (a sudo client) and who
   * that is, for the audit and the messages; absent: with `sugar`, as the service.
   */
  audienceReader?: { reader: AudienceReader; readAs: string };
  /** Local-time sending: the record field holding the recipient's IANA time zone (default leadfwd_timezone_c). */
  timeZoneField?: string;
  /** Aborted when this process lost the campaign's extraction lease: nothing more is written, another process takes over. */
  signal?: AbortSignal;
}

/** Where judged targets go: each chunk with the audit so far (commit them together), then the final audit. */
export interface ExtractionSink {
  queued(targets: Array<Target & { addressKey: string }>, audit: Audit): void | Promise<void>;
  finished?(audit: Audit): void | Promise<void>;
}

/** What extraction needs of a campaign (an automation passes its own lists). */
export type ExtractionSource = Pick<
  Campaign,
  'id' | 'targetListIds' | 'leadfwdListIds' | 'customFields' | 'sugarCampaignId' | 'sendAsAssignedUser' | 'audiences' | 'followUpOf' | 'abPart' | 'localTime'
> & { sendAt?: string };

export interface TargetListInfo {
  id: string;
  name: string;
  list_type: string;
  domain_name?: string;
}

export const MEMBER_LINKS: Array<[string, TargetModule]> = [
  ['contacts', 'Contacts'],
  ['leads', 'Leads'],
  ['prospects', 'Prospects'],
  ['accounts', 'Accounts'],
  ['users', 'Users'],
];
const BASE_FIELDS = ['id', 'email', ...BASE_MERGE_FIELDS];
const SENDING_TYPES = new Set(['default', 'seed']);
const EXEMPT_TYPES = new Set(['exempt', 'exempt_address', 'exempt_domain']);
const JUDGE_CHUNK = 250;

export class ExtractionError extends Error {
  constructor(
    message: string,
    readonly unknownIds: string[] = [],
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}

export async function loadTargetLists(sugar: SugarReader, ids: string[]): Promise<TargetListInfo[]> {
  if (ids.length === 0) return [];
  const found: TargetListInfo[] = [];
  for await (const page of sugar.filterPages('ProspectLists', {
    filter: [{ id: { $in: ids } }],
    fields: ['id', 'name', 'list_type', 'domain_name'],
    pageSize: 1000,
  }))
    found.push(...(page as unknown as TargetListInfo[]));
  const byId = new Map(found.map((l) => [l.id, l]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw new ExtractionError(`Unknown Sugar target list ids: ${missing.join(', ')}`, missing);
  return ids.map((id) => byId.get(id)!);
}

function stringFields(rec: SugarRecord, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = rec[n];
    if (v === null || v === undefined || typeof v === 'object') continue;
    out[n] = String(v);
  }
  return out;
}

function consentOf(rec: SugarRecord, field?: string): boolean {
  if (!field) return true;
  const v = rec[field];
  return v === true || v === 1 || v === '1' || v === 'true' || v === 'yes';
}

async function buildExemptRules(deps: ExtractDeps, lists: TargetListInfo[]): Promise<ExemptRules> {
  const rules = emptyExemptRules();
  for (const list of lists) {
    if (list.list_type === 'exempt_domain') {
      for (const d of String(list.domain_name ?? '').split(/[\s,;]+/)) {
        const key = d && addressKey(`x@${d.replace(/^@/, '')}`);
        if (key) rules.domains.add(key.slice(2));
      }
      continue;
    }
    for (const [link, module] of MEMBER_LINKS) {
      for await (const page of deps.sugar.linkPages('ProspectLists', list.id, link, { fields: ['id', 'email'], pageSize: deps.pageSize ?? 1000 })) {
        for (const rec of page) {
          if (list.list_type === 'exempt') rules.members.add(`${module}:${String(rec.id)}`);
          else
            for (const e of (rec.email as Array<{ email_address?: string }> | undefined) ?? []) {
              const key = e.email_address && addressKey(e.email_address);
              if (key) rules.addresses.add(key);
            }
        }
      }
    }
  }
  return rules;
}

/** Lists linked to the Sugar campaign the user started from also exempt (Sugar counts them only there). */
async function campaignExemptLists(deps: ExtractDeps, sugarCampaignId?: string): Promise<TargetListInfo[]> {
  if (!sugarCampaignId) return [];
  const out: TargetListInfo[] = [];
  for await (const page of deps.sugar.linkPages('Campaigns', sugarCampaignId, 'prospectlists', {
    fields: ['id', 'name', 'list_type', 'domain_name'],
    pageSize: 1000,
  }))
    out.push(...(page as unknown as TargetListInfo[]).filter((l) => EXEMPT_TYPES.has(l.list_type)));
  return out;
}

/** A campaign's extraction into its send ledger: each chunk's rows and the audit commit together. */
export function extractTargets(deps: ExtractDeps<LedgerStore>, campaign: ExtractionSource, onProgress: (audit: Audit) => void = () => {}): Promise<Audit> {
  const { store } = deps;
  return readTargets(deps, campaign, {
    async queued(targets, audit) {
      deps.signal?.throwIfAborted();
      await store.transaction(async (tx) => {
        await tx.recipients.insertMany(campaign.id, targets);
        await tx.campaigns.saveAudit(campaign.id, audit);
      });
      onProgress(audit);
    },
    finished: async (audit) => {
      deps.signal?.throwIfAborted();
      await store.campaigns.saveAudit(campaign.id, audit);
      try {
        await store.recipients.refreshStatistics();
      } catch {
        // Only speed rides on it: the database's own statistics catch up later anyway.
      }
    },
  });
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Each target's mailbox provider: from the MX of its domain (cached, bounded, a short timeout), else its domain alone. */
async function withProviders(mx: MxLookup | undefined, targets: Array<Target & { addressKey: string }>): Promise<void> {
  if (!targets.length) return;
  const hosts = mx ? await mx.mxHosts(targets.map((t) => domainOf(t.addressKey))) : new Map<string, string[] | undefined>();
  for (const t of targets) {
    const d = domainOf(t.addressKey);
    const h = hosts.get(d);
    t.provider = h?.length ? providerOfMx(h) : providerOfDomain(d);
  }
}

/** "Send as the record's assigned user": that user's primary address, where the identity allows it. */
function assignedSenders(deps: ExtractDeps, allowFrom: (email: string) => boolean) {
  const users = new Map<string, { name: string; email: string } | null>();
  return async (targets: Array<Target & { addressKey: string }>, assignedOf: Map<Target, string>) => {
    const missing = [...new Set([...assignedOf.values()].filter((id) => !users.has(id)))];
    if (missing.length) {
      for await (const page of deps.sugar.filterPages('Users', {
        filter: [{ id: { $in: missing } }],
        fields: ['id', 'email', 'full_name', 'first_name', 'last_name'],
        pageSize: 1000,
      })) {
        for (const u of page) {
          const emails = (u.email as Array<{ email_address?: string; primary_address?: boolean }> | undefined) ?? [];
          const email = (emails.find((e) => e.primary_address) ?? emails[0])?.email_address;
          const name = String(u.full_name ?? [u.first_name, u.last_name].filter(Boolean).join(' '));
          users.set(String(u.id), email && allowFrom(email) ? { name, email } : null);
        }
      }
      for (const id of missing) if (!users.has(id)) users.set(id, null);
    }
    for (const t of targets) {
      const id = assignedOf.get(t);
      const u = id ? users.get(id) : undefined;
      if (u) t.sender = u;
    }
  };
}

/** Reads and judges every candidate of `campaign`'s lists, handing what is queued to `sink`. */
export async function readTargets(deps: ExtractDeps, campaign: ExtractionSource, sink: ExtractionSink): Promise<Audit> {
  const { store } = deps;
  const chosen = await loadTargetLists(deps.sugar, campaign.targetListIds);
  const exemptLists = [...chosen.filter((l) => EXEMPT_TYPES.has(l.list_type)), ...(await campaignExemptLists(deps, campaign.sugarCampaignId))];
  const rules = await buildExemptRules(deps, exemptLists);
  const sources = chosen.filter((l) => SENDING_TYPES.has(l.list_type));
  const asAssigned = campaign.sendAsAssignedUser && deps.allowFrom ? assignedSenders(deps, deps.allowFrom) : undefined;
  const local = campaign.localTime;
  const zoneField = deps.timeZoneField ?? 'leadfwd_timezone_c';
  const fields = [
    ...new Set([
      ...BASE_FIELDS,
      ...campaign.customFields,
      ...(deps.consentField ? [deps.consentField] : []),
      ...(asAssigned ? ['assigned_user_id'] : []),
      ...(local ? [zoneField] : []),
    ]),
  ];
  const zoneOf = new Map<string, string>(); // module:id → the time zone its record names
  const localTimes = new Map<string, { timeZone: string; at: string; count: number; fromRecord: boolean }>();
  const base = campaign.sendAt ? new Date(campaign.sendAt) : new Date();
  /** Local-time sending: each queued target waits until it is `at` in its zone (its record's, else the campaign's). */
  const schedule = (targets: Array<Target & { addressKey: string }>) => {
    if (!local) return;
    for (const t of targets) {
      const own = zoneOf.get(`${t.module}:${t.id}`);
      const fromRecord = own !== undefined && isTimeZone(own);
      const timeZone = fromRecord ? own : local.timeZone;
      const at = nextLocalSendTime(local.at, timeZone, base).toISOString();
      t.notBefore = at;
      const k = `${timeZone}|${at}|${fromRecord}`;
      const g = localTimes.get(k);
      if (g) g.count++;
      else localTimes.set(k, { timeZone, at, count: 1, fromRecord });
    }
    audit.localTimes = [...localTimes.values()].sort((a, b) => a.at.localeCompare(b.at) || a.timeZone.localeCompare(b.timeZone));
  };
  const assignedOf = new Map<Target, string>();
  const assignedIds = new Map<string, string>(); // module:id → assigned user id, read with the record
  const mergeFields = [...new Set([...BASE_FIELDS.filter((f) => f !== 'email' && f !== 'id'), ...campaign.customFields])];

  const audit = emptyAudit();
  const audiences = campaign.audiences ?? [];
  const followUp = campaign.followUpOf;
  audit.progress = { listsDone: 0, listsTotal: sources.length + campaign.leadfwdListIds.length + audiences.length + (followUp ? 1 : 0), recordsRead: 0 };
  const seen = new Set<string>();

  // An A/B test's part keeps the candidates whose address falls in its group; the others belong to the other parts
  // and are not this campaign's candidates at all (each part's audit balances on its own). Without an address: 'rest'.
  const part = campaign.abPart;
  const inPart = (c: Candidate) => {
    if (!part) return true;
    const a = c.email?.find((e) => e.primary_address)?.email_address ?? c.email?.[0]?.email_address;
    const key = a ? addressKey(a) : null;
    return (key ? abGroup(part.testId, key, part.share, part.variants) : 'rest') === part.group;
  };
  const judge = async (all: Candidate[]): Promise<Array<Target & { addressKey: string }>> => {
    const candidates = part ? all.filter(inPart) : all;
    const keys = candidates
      .map((c) => c.email?.find((e) => e.primary_address)?.email_address ?? c.email?.[0]?.email_address)
      .map((a) => (a ? addressKey(a) : null))
      .filter((k): k is string => k !== null);
    const suppressed = await store.suppressions.filterSuppressed(keys);
    const queued: Array<Target & { addressKey: string }> = [];
    for (const c of candidates) {
      audit.candidates++;
      const d = decide(c, rules, seen, (k) => suppressed.has(k));
      if ('skip' in d) countSkip(audit, d.skip);
      else {
        queued.push(d.queue);
        audit.queued++;
      }
    }
    audit.progress!.recordsRead += all.length;
    return queued;
  };
  // A page of 1,000 is judged and committed 250 at a time, yielding between, so the event loop (which also
  // answers the open pixel) never waits for a whole page's decisions and inserts at once.
  const judgePage = async (candidates: Candidate[]) => {
    for (let i = 0; i < candidates.length; i += JUDGE_CHUNK) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const queued = await judge(candidates.slice(i, i + JUDGE_CHUNK));
      await withProviders(deps.mx, queued);
      schedule(queued);
      if (asAssigned) {
        assignedOf.clear();
        for (const t of queued) {
          const id = assignedIds.get(`${t.module}:${t.id}`);
          if (id) assignedOf.set(t, id);
        }
        await asAssigned(queued, assignedOf);
      }
      await sink.queued(queued, audit);
    }
  };
  const toCandidate = (rec: SugarRecord, module: TargetModule, listId: string): Candidate => {
    if (local && typeof rec[zoneField] === 'string' && rec[zoneField]) zoneOf.set(`${module}:${String(rec.id)}`, (rec[zoneField] as string).trim());
    if (asAssigned && typeof rec.assigned_user_id === 'string' && rec.assigned_user_id) assignedIds.set(`${module}:${String(rec.id)}`, rec.assigned_user_id);
    return candidate(rec, module, listId);
  };
  const candidate = (rec: SugarRecord, module: TargetModule, listId: string): Candidate => ({
    module,
    id: String(rec.id),
    listId,
    email: rec.email as Candidate['email'],
    fields: stringFields(rec, mergeFields),
    trackingConsent: consentOf(rec, deps.consentField),
  });

  for (const list of sources) {
    for (const [link, module] of MEMBER_LINKS) {
      for await (const page of deps.sugar.linkPages('ProspectLists', list.id, link, { fields, pageSize: deps.pageSize ?? 1000 })) {
        await judgePage(page.map((rec) => toCandidate(rec, module, list.id)));
      }
    }
    audit.progress!.listsDone++;
  }
  // A LeadFWD list is read 1,000 members at a time, each page grouped by module (push, never a copy of the
  // group per member: that was quadratic, 7.3 s of blocked event loop for 50,000 members in one list).
  for (const listId of campaign.leadfwdListIds) {
    for (let after = -1; ; ) {
      const page = await store.lists.membersPage(listId, after, 1000);
      const byModule = new Map<TargetModule, string[]>();
      for (const m of page.members) {
        const ids = byModule.get(m.module);
        if (ids) ids.push(m.recordId);
        else byModule.set(m.module, [m.recordId]);
      }
      for (const [module, ids] of byModule) {
        for await (const recs of deps.sugar.filterPages(module, { filter: [{ id: { $in: ids } }], fields, pageSize: 1000 })) {
          await judgePage(recs.map((rec) => toCandidate(rec, module, listId)));
        }
      }
      if (page.next === undefined) break;
      after = page.next;
    }
    audit.progress!.listsDone++;
  }
  // Sugar audiences are evaluated now, as the campaign's creator: whom the filter or report selects today.
  const reader = deps.audienceReader?.reader ?? (deps.sugar as AudienceReader);
  const readAs = deps.audienceReader?.readAs ?? "the service's own Sugar user";
  for (const a of audiences) {
    let records = 0;
    for await (const page of audiencePages(reader, a, fields, readAs, deps.pageSize ?? 1000)) {
      records += page.length;
      await judgePage(page.map((rec) => toCandidate(rec, a.module, `${a.kind}:${a.id}`)));
    }
    (audit.sources ??= []).push({ kind: a.kind, id: a.id, name: a.name, module: a.module, records, readAs });
    audit.progress!.listsDone++;
  }
  // A follow-up: the first campaign's recipients nobody opened (or clicked) by now, read again from Sugar as for a
  // LeadFWD list, so an opt-out or a changed address since the first send is respected.
  if (followUp) {
    if (!store.followUps) throw new Error('extraction built without the follow-up store');
    let records = 0;
    for (let after = 0; ; ) {
      const rows = await store.followUps.page(followUp.campaignId, followUp, after, 1000);
      const byModule = new Map<TargetModule, string[]>();
      for (const r of rows) {
        const ids = byModule.get(r.module);
        if (ids) ids.push(r.recordId);
        else byModule.set(r.module, [r.recordId]);
      }
      for (const [module, ids] of byModule) {
        for await (const recs of deps.sugar.filterPages(module, { filter: [{ id: { $in: ids } }], fields, pageSize: 1000 })) {
          records += recs.length;
          await judgePage(recs.map((rec) => toCandidate(rec, module, `follow_up:${followUp.campaignId}`)));
        }
      }
      if (rows.length < 1000) break;
      after = rows[rows.length - 1].rowId;
    }
    (audit.sources ??= []).push({ kind: 'follow_up', id: followUp.campaignId, name: followUp.name, records });
    audit.progress!.listsDone++;
  }
  await sink.finished?.(audit);
  return audit;
}
