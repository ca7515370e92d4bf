// How LeadFWD facts become Sugar writes, mirroring what Sugar's own sender leaves behind
// (sugar-platform.md §3, §6, §7): one CampaignLog row per target and activity, the Campaign with
// its trackers, and the opt_out / invalid_email flags on the shared email-address rows. Pure data in,
// request descriptions out; the worker decides when and how they travel.
import { sugarIds } from './writeback-ids.js';

/** Sugar's `campainglog_activity_type_dom` keys the write-back produces. */
export type Activity = 'targeted' | 'viewed' | 'link' | 'removed' | 'invalid email' | 'send error' | 'blocked';
export type OptOutScope = 'address' | 'all' | 'none';

export interface SugarOp {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  data?: Record<string, unknown>;
  /** A create with our own id: 422 "Record already exists" means an earlier attempt already got through. */
  create?: boolean;
  /** Says what the write is for, in error messages. */
  what: string;
}

/** The target a fact is about, with the Sugar ids its rows point at. */
export interface TargetRef {
  campaignId: string;
  rowId: number;
  sugarCampaignId: string;
  module: string;
  recordId: string;
  email: string;
  emailAddressId?: string;
  sugarListId?: string;
}

export type Fact =
  | { kind: 'sent'; at: string; state: 'accepted' }
  | { kind: 'sent'; at: string; state: 'failed'; error?: string; suppressedReason?: string; coveredByBounce: boolean }
  | { kind: 'open'; at: string; hits: number }
  | { kind: 'click'; at: string; hits: number; linkIndex: number }
  | { kind: 'optout'; at: string; reason?: string }
  | { kind: 'bounce'; at: string; reason: 'hard' | 'soft'; detail?: string };

export interface LogSpec {
  activity: Activity;
  at: string;
  hits?: number;
  linkIndex?: number;
  info?: string;
}

const TEXT_LIMIT = { campaignName: 50, listName: 50, trackerName: 30, trackerUrl: 255, moreInformation: 100 };

/** Cuts to `max` characters (code points, as Sugar counts them), marking the cut with an ellipsis when asked. */
export function clip(s: string, max: number, ellipsis = false): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return ellipsis ? `${chars.slice(0, max - 1).join('')}…` : chars.slice(0, max).join('');
}

/** Sugar's datetime form: 2024-05-01T14:03:00+00:00. */
export function sugarDateTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new TypeError(`not a date-time: ${iso}`);
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

const sugarDate = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The CampaignLog row for a fact, or null when Sugar must not get one (a failure a bounce row covers). */
export function logSpecFor(f: Fact): LogSpec | null {
  switch (f.kind) {
    case 'sent':
      if (f.state === 'accepted') return { activity: 'targeted', at: f.at };
      if (f.suppressedReason !== undefined) return { activity: 'blocked', at: f.at, info: `suppressed: ${f.suppressedReason}` };
      return f.coveredByBounce ? null : { activity: 'send error', at: f.at };
    case 'open':
      return { activity: 'viewed', at: f.at, hits: Math.max(1, f.hits) };
    case 'click':
      return { activity: 'link', at: f.at, hits: Math.max(1, f.hits), linkIndex: f.linkIndex };
    case 'optout':
      return { activity: 'removed', at: f.at };
    case 'bounce':
      return { activity: f.reason === 'hard' ? 'invalid email' : 'send error', at: f.at };
  }
}

export function logId(t: TargetRef, spec: LogSpec): string {
  return sugarIds.log(t.campaignId, t.rowId, spec.activity, spec.activity === 'link' ? spec.linkIndex : undefined);
}

/** The address first (the target's subpanel shows it), then any reason, within the 100-character column. */
export function moreInformation(email: string, info?: string): string {
  const withInfo = info ? `${email} (${info})` : email;
  return [...withInfo].length <= TEXT_LIMIT.moreInformation ? withInfo : clip(email, TEXT_LIMIT.moreInformation);
}

export function logBody(t: TargetRef, spec: LogSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: logId(t, spec),
    campaign_id: t.sugarCampaignId,
    target_id: t.recordId,
    target_type: t.module,
    activity_type: spec.activity,
    activity_date: sugarDateTime(spec.at),
    target_tracker_key: sugarIds.trackerKey(t.campaignId, t.rowId),
    more_information: moreInformation(t.email, spec.info),
    archived: false,
  };
  if (t.sugarListId) body.list_id = t.sugarListId;
  if (spec.hits !== undefined) body.hits = spec.hits;
  if (spec.activity === 'link' && spec.linkIndex !== undefined) {
    body.related_id = sugarIds.tracker(t.campaignId, spec.linkIndex);
    body.related_type = 'CampaignTrackers';
  }
  return body;
}

/**
 * Creates the row with the current hits. A replayed create (422, the row exists from an attempt whose
 * answer was lost) leaves the older hits in Sugar; the worker then sets them with hitsOp.
 */
export function logOps(t: TargetRef, spec: LogSpec): SugarOp[] {
  return [{ method: 'POST', path: '/CampaignLog', data: logBody(t, spec), create: true, what: `CampaignLog ${spec.activity}` }];
}

export function hitsOp(logRowId: string, hits: number, activity: string): SugarOp {
  return { method: 'PUT', path: `/CampaignLog/${encodeURIComponent(logRowId)}`, data: { hits }, what: `${activity} hits` };
}

export function flagOps(addressIds: Iterable<string>, flag: 'opt_out' | 'invalid_email'): SugarOp[] {
  return [...new Set(addressIds)].map((id) => ({
    method: 'PUT',
    path: `/EmailAddresses/${encodeURIComponent(id)}`,
    data: { [flag]: true },
    what: `${flag} flag`,
  }));
}

export interface SugarEmailEntry {
  email_address?: unknown;
  email_address_id?: unknown;
  opt_out?: unknown;
  invalid_email?: unknown;
}

/**
 * The address rows an opt-out flags: the one that opted out, or every address of the target (as
 * Sugar's own RemoveMe does), or none. `record` is the target's `email` array when it was read.
 */
export function optOutAddressIds(scope: OptOutScope, t: Pick<TargetRef, 'email' | 'emailAddressId'>, emails?: SugarEmailEntry[]): string[] {
  if (scope === 'none') return [];
  const own = t.emailAddressId ?? addressIdOf(t.email, emails);
  if (scope === 'address') return own ? [own] : [];
  const all = (emails ?? []).map((e) => e.email_address_id).filter((id): id is string => typeof id === 'string' && id !== '');
  return [...new Set([...(own ? [own] : []), ...all])];
}

/** The shared row of `email` on a record (case-insensitive, as Sugar matches addresses). */
export function addressIdOf(email: string, emails?: SugarEmailEntry[]): string | undefined {
  const caps = email.toUpperCase();
  const hit = (emails ?? []).find((e) => typeof e.email_address === 'string' && e.email_address.toUpperCase() === caps);
  return typeof hit?.email_address_id === 'string' ? hit.email_address_id : undefined;
}

export interface CampaignSummary {
  id: string;
  /** The Sugar user who created it: the Sugar Campaign is assigned to them, so owner-only roles apply in Sugar too. */
  createdBy?: { id: string };
  name: string;
  subject: string;
  fromName: string;
  fromEmail: string;
  sendAt: string;
  targetListIds: string[];
  leadfwdListIds: string[];
  /** A follow-up names the Sugar Campaign it follows up. */
  followUpOf?: { name: string; sugarCampaignId: string; criterion: string; mppOnly: string };
}

/** The Sugar Campaign created when sending starts. */
export function campaignBody(c: CampaignSummary, linkCount: number): Record<string, unknown> {
  const start = Date.parse(c.sendAt);
  const lists = c.targetListIds.length + c.leadfwdListIds.length;
  return {
    id: sugarIds.campaign(c.id),
    name: clip(c.name, TEXT_LIMIT.campaignName, true),
    campaign_type: 'Email',
    status: 'Active',
    start_date: sugarDate(start),
    // Sugar requires an end date; opens and clicks keep arriving for weeks after a send.
    end_date: sugarDate(start + 30 * 86_400_000),
    ...(c.createdBy ? { assigned_user_id: c.createdBy.id } : {}),
    content: [
      `Sent with LeadFWD (campaign ${c.id}) at ${sugarDateTime(c.sendAt)}.`,
      `Subject: ${c.subject}`,
      `From: ${c.fromName} <${c.fromEmail}>`,
      `Target lists: ${lists}; tracked links: ${linkCount}.`,
      ...(c.followUpOf
        ? [
            `Follow-up to the Sugar Campaign "${c.followUpOf.name}" (${c.followUpOf.sugarCampaignId}): its recipients who did not ${
              c.followUpOf.criterion === 'not_clicked' ? 'click' : 'open'
            } it${c.followUpOf.criterion === 'not_opened' ? `, Apple Mail Privacy Protection-only openers ${c.followUpOf.mppOnly === 'include' ? 'included' : 'left out'}` : ''}.`,
          ]
        : []),
    ].join('\n'),
  };
}

export function trackerName(url: string, linkIndex: number): string {
  let where = url;
  try {
    const u = new URL(url);
    if (u.host) where = `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    /* keep the raw text */
  }
  return clip(`${linkIndex + 1} ${where}`, TEXT_LIMIT.trackerName, true);
}

export function trackerOp(campaignId: string, sugarCampaignId: string, linkIndex: number, url: string): SugarOp {
  return {
    method: 'POST',
    path: '/CampaignTrackers',
    create: true,
    what: `CampaignTracker for link ${linkIndex + 1}`,
    data: {
      id: sugarIds.tracker(campaignId, linkIndex),
      campaign_id: sugarCampaignId,
      tracker_name: trackerName(url, linkIndex),
      tracker_url: clip(url, TEXT_LIMIT.trackerUrl),
      is_optout: false,
    },
  };
}

/** The Target List a LeadFWD list becomes: its creator's, as the list is, so Sugar's owner and team rules apply to it. */
export function leadfwdListBody(list: { id: string; name: string; createdBy?: { id: string } }, memberCount: number): Record<string, unknown> {
  return {
    id: sugarIds.list(list.id),
    name: clip(`LeadFWD: ${list.name}`, TEXT_LIMIT.listName, true),
    list_type: 'default',
    description: `Copied from LeadFWD list ${list.id} (${memberCount} members) when a campaign started sending.`,
    ...(list.createdBy ? { assigned_user_id: list.createdBy.id } : {}),
  };
}
