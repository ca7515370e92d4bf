// Opt-outs, bounces and complaints: each written in ONE store transaction as suppression (the
// source of truth, checked before every send), a per-recipient fact for the report, a raw event and
// an outbox row for Sugar. Replays are harmless: facts and outbox keys are unique per recipient.
import { type BounceVerdict, type BounceVerdictKind, classifyBounce } from '../domain/bounce-rules.js';
import { type OptOutReason, outboxItem } from '../domain/outbox.js';
import type { ProviderGroup, StorePart, UnitOfWork, VolumeDelta } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import type { RecipientLookup, TrackedRecipient } from './recipients.js';

export type BounceSource = 'dsn' | 'smtp' | 'webhook';

export interface BounceReport {
  kind: BounceVerdictKind;
  rule: string;
  version: string;
  status?: string;
  diagnostic?: string;
  source: BounceSource;
}

export interface FactResult {
  /** False when the row is unknown (deleted campaign); nothing was written. */
  known: boolean;
  /** True when this call wrote a new fact (false for a replay). */
  recorded: boolean;
  suppressed: boolean;
}

export type FactLogger = Pick<Log, 'error' | 'warn'>;

/** What an opt-out writes: suppression, fact, raw event and outbox item. */
export type OptOutTx = StorePart<{ suppressions: 'add'; engagement: 'addFact'; events: 'add'; outbox: 'enqueue' }>;

/** A fact, its suppression, its raw event and its outbox item commit together; a block pauses the campaign. */
export type FactStore = UnitOfWork &
  StorePart<{ suppressions: 'add'; engagement: 'addFact' | 'countSoftBounce'; events: 'add'; outbox: 'enqueue'; deliverability: 'add' }>;

export interface FactDeps {
  store: FactStore;
  lookup: RecipientLookup;
  /** Soft bounces of one address (across campaigns) before it is suppressed. */
  softBounceLimit: number;
  clock?: () => Date;
  logger?: FactLogger;
  /** The sender identity and provider group a recipient's delivery counts for (delivery volume, guard rails). */
  volumeOf?: (r: TrackedRecipient) => Promise<{ identityId: string; group: ProviderGroup } | undefined>;
  /** A complaint or hard bounce was recorded: the guard rails judge the campaign's and its identity's rates. */
  onRateFact?: (campaignId: string) => unknown;
  /**
   * A block (a policy refusal about us) reported after the fact, by a DSN or an ESP webhook: the provider is slowed or
   * paused for the campaign's identity; the campaign goes on. The relay's own refusals at send time are the send
   * loop's to judge, so they do not come here.
   */
  onBlock?: (r: TrackedRecipient, reason: string, source: BounceSource) => unknown;
}

export interface SmtpOutcomeLike {
  outcome: 'accepted' | 'retryable' | 'permanent' | 'uncertain';
  code?: number;
  enhanced?: string;
  text: string;
  policy?: boolean;
}

const UNKNOWN: FactResult = { known: false, recorded: false, suppressed: false };
const clip = (s: string | undefined, n = 500) => (s === undefined ? undefined : s.replace(/[\r\n]+/g, ' ').slice(0, n));

export function createFactRecorder(deps: FactDeps) {
  const { store, lookup } = deps;
  const now = deps.clock ?? (() => new Date());

  /** The fact counts for the recipient's identity and provider group on the day it arrived. */
  async function count(tx: Tx, r: TrackedRecipient, at: Date, field: keyof Omit<VolumeDelta, 'identityId' | 'campaignId' | 'provider' | 'day'>) {
    const v = tx.volume;
    if (v)
      await tx.deliverability.add([{ identityId: v.identityId, campaignId: r.campaignId, provider: v.group, day: at.toISOString().slice(0, 10), [field]: 1 }]);
  }

  /** The fact's transaction, and the recipient's delivery volume read before it (the look-up reads through the store). */
  type Tx = FactStore & { volume?: { identityId: string; group: ProviderGroup } };

  /** `person`: the check of the token that named the row (an unsubscribe's), when there was one. */
  async function withRecipient(rowId: number, fn: (r: TrackedRecipient, at: Date, tx: Tx) => Promise<FactResult>, person?: string): Promise<FactResult> {
    const r = await lookup.get(rowId, person);
    if (!r) return UNKNOWN;
    const volume = await deps.volumeOf?.(r);
    return await store.transaction((tx) => fn(r, now(), Object.assign(Object.create(tx) as Tx, { volume })));
  }

  async function optOutRow(tx: OptOutTx, r: TrackedRecipient, at: Date, source: OptOutReason): Promise<FactResult> {
    const iso = at.toISOString();
    const suppressed = await tx.suppressions.add(r.addressKey, r.email, source === 'complaint' ? 'complaint' : 'unsubscribe', `${source}:${r.campaignId}`);
    const recorded = await tx.engagement.addFact({ recipientRowId: r.rowId, campaignId: r.campaignId, fact: 'opt_out', at: iso, detail: source });
    await tx.outbox.enqueue(outboxItem.optout(r, at, source));
    if (recorded) await tx.events.add({ recipientRowId: r.rowId, campaignId: r.campaignId, type: 'optout', at: iso, data: { source } });
    return { known: true, recorded, suppressed };
  }

  async function optOut(rowId: number, source: OptOutReason, person?: string): Promise<FactResult> {
    return await withRecipient(rowId, async (r, at, tx) => await optOutRow(tx, r, at, source), person);
  }

  /** A complaint is also an opt-out (same outbox key, so Sugar hears it once). */
  async function complaint(rowId: number, feedbackType: string, source: 'arf' | 'webhook'): Promise<FactResult> {
    const res = await withRecipient(rowId, async (r, at, tx) => {
      const recorded = await tx.engagement.addFact({
        recipientRowId: r.rowId,
        campaignId: r.campaignId,
        fact: 'complaint',
        at: at.toISOString(),
        detail: feedbackType,
      });
      if (recorded) {
        await tx.events.add({ recipientRowId: r.rowId, campaignId: r.campaignId, type: 'complaint', at: at.toISOString(), data: { feedbackType, source } });
        await count(tx, r, at, 'complaints');
      }
      return { known: true, recorded, suppressed: (await optOutRow(tx, r, at, 'complaint')).suppressed };
    });
    if (res.recorded) await rateFact(rowId);
    return res;
  }

  async function rateFact(rowId: number) {
    const r = await lookup.get(rowId);
    if (!r || !deps.onRateFact) return;
    try {
      await deps.onRateFact(r.campaignId);
    } catch (err) {
      deps.logger?.error({ err, campaignId: r.campaignId }, 'guard_rails.check_failed');
    }
  }

  async function bounce(rowId: number, b: BounceReport): Promise<FactResult> {
    let blocked: TrackedRecipient | undefined;
    const res = await withRecipient(rowId, async (r, at, tx) => {
      const iso = at.toISOString();
      const fact = b.kind === 'hard' ? 'hard_bounce' : b.kind === 'soft' ? 'soft_bounce' : 'block';
      const detail = [b.status, clip(b.diagnostic, 300)].filter(Boolean).join(' ');
      const recorded = await tx.engagement.addFact({ recipientRowId: r.rowId, campaignId: r.campaignId, fact, at: iso, detail });
      if (!recorded) return { known: true, recorded, suppressed: false };
      await tx.events.add({
        recipientRowId: r.rowId,
        campaignId: r.campaignId,
        type: 'bounce',
        at: iso,
        data: { kind: b.kind, rule: b.rule, rulesVersion: b.version, status: b.status, diagnostic: clip(b.diagnostic), source: b.source },
      });
      let suppressed = false;
      await count(tx, r, at, b.kind === 'hard' ? 'hardBounces' : b.kind === 'soft' ? 'softBounces' : 'blocks');
      if (b.kind === 'hard') {
        suppressed = await tx.suppressions.add(r.addressKey, r.email, 'hard_bounce', `${b.source}:${r.campaignId}`);
        await tx.outbox.enqueue(outboxItem.bounce(r, at, 'hard', detail));
      } else if (b.kind === 'soft') {
        const count = await tx.engagement.countSoftBounce(r.addressKey, iso);
        if (count >= deps.softBounceLimit) {
          suppressed = await tx.suppressions.add(r.addressKey, r.email, 'soft_bounce_limit', `${b.source}:${r.campaignId}`);
          await tx.outbox.enqueue(outboxItem.bounce(r, at, 'soft', detail));
        }
      } else {
        blocked = r;
      }
      return { known: true, recorded, suppressed };
    });
    if (blocked) await throttleForBlock(blocked, b);
    if (res.recorded && b.kind === 'hard') await rateFact(rowId);
    return res;
  }

  // A block says something about us (reputation, authentication), not the recipient: that provider is slowed or
  // paused for the identity (the send loop does so itself for the relay's answers at send time), and the operator is told.
  async function throttleForBlock(r: TrackedRecipient, b: BounceReport) {
    const reason = [b.status, clip(b.diagnostic, 200)].filter(Boolean).join(' ');
    if (b.source !== 'smtp') await deps.onBlock?.(r, reason, b.source);
    deps.logger?.error(
      { event: 'sender.blocked', campaignId: r.campaignId, rowId: r.rowId, provider: r.provider, status: b.status, source: b.source },
      'sender.blocked',
    );
  }

  /**
   * The relay's own verdict at RCPT/DATA, as the send worker classified it. Only final failures
   * count: a 4xx the worker will retry is not a bounce yet, unless it is a policy refusal.
   */
  async function smtpOutcome(r: { rowId: number; attempts: number }, res: SmtpOutcomeLike, maxAttempts = 5): Promise<FactResult | undefined> {
    if (res.outcome === 'accepted' || res.outcome === 'uncertain') return undefined;
    const final = res.outcome === 'permanent' || r.attempts >= maxAttempts;
    if (!final && !res.policy) return undefined;
    const diagnostic = [res.code, res.text].filter((x) => x !== undefined && x !== '').join(' ');
    const verdict: BounceVerdict = classifyBounce({ status: res.enhanced, diagnostic });
    const kind: BounceVerdictKind = res.policy ? 'block' : verdict.kind;
    return await bounce(r.rowId, { ...verdict, kind, rule: res.policy ? 'smtp.policy' : verdict.rule, diagnostic, source: 'smtp' });
  }

  /** An opt-out in the given transaction (the spool's replay takes the opt-out's key in the same one), at its own time. */
  const optOutIn = async (tx: OptOutTx, r: TrackedRecipient, at: Date, source: OptOutReason) => await optOutRow(tx, r, at, source);

  return { optOut, optOutIn, complaint, bounce, smtpOutcome };
}

export type FactRecorder = ReturnType<typeof createFactRecorder>;
