// The outbox protocol in one place: every kind of item, its key and its payload. Facts that Sugar must learn are
// built here by the code that records them (in the same transaction as the fact), and read back here when the
// write-back drains them, so a producer and the drain can never disagree about a key or a field.
// Keys are unique in the outbox: building the same fact twice gives the same key, so Sugar learns it once.

export type OptOutReason = 'one_click' | 'page' | 'mailto' | 'complaint' | 'webhook';

/**
 * The target a fact is about, as it was when the fact happened. The drain reads the ledger row again (for the
 * current list and address id); this is what it falls back on once that row is gone.
 */
export interface TargetPayload {
  rowId: number;
  campaignId: string;
  module: string;
  recordId: string;
  email: string;
  emailAddressId?: string;
  /** When the fact happened (ISO). */
  at: string;
}

export type OutboxItem =
  | { kind: 'campaign'; key: string; campaignId: string; payload: { campaignId: string } }
  | { kind: 'list'; key: string; campaignId: string; payload: { campaignId: string; listId: string; source: 'sugar' | 'leadfwd' } }
  /** A delivery outcome: accepted, or failed (`suppressed`: stopped at hand-off by the suppression list). */
  | { kind: 'sent'; key: string; campaignId: string; payload: { rowId: number; at: string; suppressed?: true } }
  | { kind: 'open'; key: string; campaignId: string; payload: TargetPayload & { detail?: string } }
  | { kind: 'click'; key: string; campaignId: string; payload: TargetPayload & { linkIndex: number; url?: string } }
  | { kind: 'optout'; key: string; campaignId: string; payload: TargetPayload & { reason?: string } }
  | { kind: 'bounce'; key: string; campaignId: string; payload: TargetPayload & { reason: 'hard' | 'soft'; detail?: string } }
  /** A person's engagement score is due in Sugar (computed when written, from every campaign's facts). */
  | { kind: 'score'; key: string; campaignId: string; payload: { module: string; recordId: string } };

export type OutboxKind = OutboxItem['kind'];
export type ActivityItem = Extract<OutboxItem, { kind: 'sent' | 'open' | 'click' | 'optout' | 'bounce' }>;
export const ACTIVITY_KINDS: ReadonlySet<OutboxKind> = new Set(['sent', 'open', 'click', 'optout', 'bounce']);

export const outboxKey = {
  campaign: (campaignId: string) => `campaign:${campaignId}`,
  list: (campaignId: string, listId: string) => `list:${campaignId}:${listId}`,
  sent: (rowId: number) => `sent:${rowId}`,
  open: (rowId: number) => `open:${rowId}`,
  click: (rowId: number, linkIndex: number) => `click:${rowId}:${linkIndex}`,
  // Unsubscribe and complaint share one key: Sugar needs to learn the opt-out once.
  optout: (rowId: number) => `optout:${rowId}`,
  bounce: (rowId: number) => `bounce:${rowId}`,
  // One per person and window: ten opens in a minute are one write.
  score: (module: string, recordId: string, window: number) => `score:${module}:${recordId}:${window}`,
};

/** The target a fact is about, without its time. */
export type OutboxTarget = Omit<TargetPayload, 'at'>;
type TargetOf = OutboxTarget;
const target = (t: TargetOf, at: Date): TargetPayload => ({
  rowId: t.rowId,
  campaignId: t.campaignId,
  module: t.module,
  recordId: t.recordId,
  email: t.email,
  ...(t.emailAddressId ? { emailAddressId: t.emailAddressId } : {}),
  at: at.toISOString(),
});

/** The builders every producer uses. */
export const outboxItem = {
  /** The campaign's Sugar Campaign (created, or the one it started from) and its trackers. */
  campaign: (campaignId: string): OutboxItem => ({ kind: 'campaign', key: outboxKey.campaign(campaignId), campaignId, payload: { campaignId } }),
  list: (campaignId: string, listId: string, source: 'sugar' | 'leadfwd'): OutboxItem => ({
    kind: 'list',
    key: outboxKey.list(campaignId, listId),
    campaignId,
    payload: { campaignId, listId, source },
  }),
  sent: (campaignId: string, rowId: number, at: Date, suppressed = false): OutboxItem => ({
    kind: 'sent',
    key: outboxKey.sent(rowId),
    campaignId,
    payload: { rowId, at: at.toISOString(), ...(suppressed ? { suppressed: true as const } : {}) },
  }),
  open: (t: TargetOf, at: Date, detail?: string): OutboxItem => ({
    kind: 'open',
    key: outboxKey.open(t.rowId),
    campaignId: t.campaignId,
    payload: { ...target(t, at), ...(detail ? { detail } : {}) },
  }),
  click: (t: TargetOf, at: Date, linkIndex: number, url: string): OutboxItem => ({
    kind: 'click',
    key: outboxKey.click(t.rowId, linkIndex),
    campaignId: t.campaignId,
    payload: { ...target(t, at), linkIndex, url },
  }),
  optout: (t: TargetOf, at: Date, reason: OptOutReason): OutboxItem => ({
    kind: 'optout',
    key: outboxKey.optout(t.rowId),
    campaignId: t.campaignId,
    payload: { ...target(t, at), reason },
  }),
  bounce: (t: TargetOf, at: Date, reason: 'hard' | 'soft', detail?: string): OutboxItem => ({
    kind: 'bounce',
    key: outboxKey.bounce(t.rowId),
    campaignId: t.campaignId,
    payload: { ...target(t, at), reason, ...(detail ? { detail } : {}) },
  }),
};

/**
 * A person's score row for the window `at` falls in (windows of `windowMs`), due when the window ends: every fact of
 * that person in the window is one row, and the score is computed when it is written.
 */
export function scoreItem(t: { campaignId: string; module: string; recordId: string }, at: Date, windowMs: number): OutboxItem & { runAt: string } {
  const window = Math.floor(at.getTime() / windowMs);
  return {
    kind: 'score',
    key: outboxKey.score(t.module, t.recordId, window),
    campaignId: t.campaignId,
    payload: { module: t.module, recordId: t.recordId },
    runAt: new Date((window + 1) * windowMs).toISOString(),
  };
}

/** A row as the outbox stores it: the payload comes back as whatever JSON was written. */
export interface StoredOutboxRow {
  key: string;
  kind: string;
  campaignId?: string;
  payload: unknown;
}

const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A stored row read back as an item, or why it cannot be one (a row written by an older version or by hand). The
 * drain reads the target's optional fields itself (they matter only once the ledger row is gone).
 */
export function readOutboxItem(row: StoredOutboxRow): OutboxItem | { malformed: string } {
  const p = isObject(row.payload) ? row.payload : {};
  const campaignId = row.campaignId ?? (typeof p.campaignId === 'string' ? p.campaignId : '');
  const bad = (what: string) => ({ malformed: `malformed outbox payload for ${row.key}: ${what}` });
  const base = { key: row.key, campaignId };
  switch (row.kind) {
    case 'campaign':
      return { kind: 'campaign', ...base, payload: { campaignId } };
    case 'score':
      if (typeof p.module !== 'string' || typeof p.recordId !== 'string' || !p.recordId) return bad('needs module and recordId');
      return { kind: 'score', ...base, payload: { module: p.module, recordId: p.recordId } };
    case 'list':
      if (typeof p.listId !== 'string' || (p.source !== 'sugar' && p.source !== 'leadfwd')) return bad('needs listId and source sugar or leadfwd');
      return { kind: 'list', ...base, payload: { campaignId, listId: p.listId, source: p.source } };
    case 'sent':
    case 'open':
    case 'click':
    case 'optout':
    case 'bounce':
      break;
    default:
      return { malformed: `unknown outbox kind "${row.kind}"` };
  }
  if (!Number.isInteger(p.rowId)) return bad('no recipient row id');
  const t = p as unknown as TargetPayload;
  const at = isIso(p.at) ? p.at : undefined;
  switch (row.kind) {
    case 'sent':
      return { kind: 'sent', ...base, payload: { rowId: t.rowId, at: at ?? '', ...(p.suppressed === true ? { suppressed: true as const } : {}) } };
    case 'open':
      if (!at) return bad('no time');
      return { kind: 'open', ...base, payload: { ...t, at } };
    case 'click':
      if (!at || !Number.isInteger(p.linkIndex) || (p.linkIndex as number) < 0) return bad('needs a time and a link index');
      return { kind: 'click', ...base, payload: { ...t, at, linkIndex: p.linkIndex as number } };
    case 'optout':
      if (!at) return bad('no time');
      return { kind: 'optout', ...base, payload: { ...t, at, reason: typeof p.reason === 'string' ? p.reason : undefined } };
    default:
      if (!at || (p.reason !== 'hard' && p.reason !== 'soft')) return bad('needs a time and reason hard or soft');
      return { kind: 'bounce', ...base, payload: { ...t, at, reason: p.reason } };
  }
}
