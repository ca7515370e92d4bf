// Per-recipient counters and facts (they outlive raw-event retention).
import type { NewEngagementEvent } from './events.js';
import type { NewOutboxItem } from './outbox.js';
import type { Awaitable } from './unit-of-work.js';

/** Per recipient counters of opens and clicks, human and machine kept apart. */
export interface EngagementCounter {
  kind: 'open' | 'click';
  linkIndex?: number;
  humanHits: number;
  machineHits: number;
  firstHumanAt?: string;
  lastHumanAt?: string;
  lastMachineAt?: string;
}

/** Per-recipient delivery and consent facts; each recipient has a fact at most once. */
/** A recorded block fact and whose it is. */
export interface BlockReport {
  addressKey: string;
  email: string;
  provider?: string;
}

export type RecipientFact = 'hard_bounce' | 'soft_bounce' | 'block' | 'complaint' | 'opt_out';

/** Campaign totals from the counters and facts (these outlive raw-event retention). */
export interface EngagementSummary {
  opens: { people: number; machineOnly: number; humanHits: number; machineHits: number };
  clicks: { people: number; machineOnly: number; humanHits: number; machineHits: number };
  links: Array<{ linkIndex: number; people: number; humanHits: number; machineHits: number }>;
  facts: Record<RecipientFact, number>;
}

export interface EngagementHit {
  recipientRowId: number;
  campaignId: string;
  kind: 'open' | 'click';
  linkIndex?: number;
  at: string;
  human: boolean;
}
export interface EngagementCount {
  firstHuman: boolean;
  humanHits: number;
  hits: number;
}

/** A hit and what it leaves: its raw event, and the outbox item a person's first hit of its counter writes back. */
export interface HitWithEffects {
  hit: EngagementHit;
  event: NewEngagementEvent;
  firstHumanItem?: NewOutboxItem;
}

export interface EngagementRepo {
  /**
   * Bumps the counter; `firstHuman` is true when this was the recipient's first human hit of that kind/link,
   * `hits` counts every hit of that kind/link, human or machine, this one included.
   */
  record(e: EngagementHit): Awaitable<EngagementCount>;
  /** Several hits at once (the open pixel's group commit), answered in order as if recorded one after the other. */
  recordMany(hits: EngagementHit[]): Awaitable<EngagementCount[]>;
  /**
   * The open pixel's group commit, all or nothing: the hits as recordMany, each hit's event added while its counter
   * holds at most `maxEvents` hits (this one included), each `firstHumanItem` enqueued (as outbox.enqueueMany) when its
   * hit is the counter's first human one. On PostgreSQL one statement: a batch is one round trip. `commitKey` is taken
   * (as takeSpooled) with them, and the batch fails if it was taken already (the spool's replay recorded its hits: their
   * answer was lost); a replay taking it after the batch committed finds it taken, and records nothing again.
   */
  recordWithEffects(items: HitWithEffects[], maxEvents: number, o?: { commitKey?: string }): Awaitable<EngagementCount[]>;
  /**
   * Of these spooled hits' keys, those never taken before, now taken (at `at`): a spool replayed again, after a crash
   * between its commit and the spool's own bookkeeping, records each hit once. Call it in the hits' transaction.
   */
  takeSpooled(keys: string[], at: string): Awaitable<string[]>;
  /** Of these keys, those taken already (read only). */
  takenSpooled(keys: string[]): Awaitable<string[]>;
  /** Forgets keys taken before `iso` (their hits are past the spool's own age limit); answers how many. */
  pruneSpooled(iso: string): Awaitable<number>;
  /**
   * `lock`: first take the recipient's hit lock, held to the end of the transaction, so hits of one person judged from
   * these counters (a click's bot burst, its implied open) are judged one after the other. PostgreSQL needs it (two
   * connections read the same committed counters); SQLite's transactions already run one at a time.
   */
  forRecipient(recipientRowId: number, o?: { lock?: boolean }): Awaitable<EngagementCounter[]>;
  /** Soft bounces seen for an address key across campaigns; returns the new total. */
  countSoftBounce(addressKey: string, at: string): Awaitable<number>;
  softBounces(addressKey: string): Awaitable<number>;
  /**
   * The addresses whose block facts were recorded at or after `since` on campaigns of the identity (`isDefault`: and on
   * those naming none), at `provider` or at no stored provider, newest first, at most `limit`: so a block reported by a
   * DSN is believed once several addresses reported one.
   */
  blockReports(q: { since: string; identityId: string; isDefault: boolean; provider: string; limit: number }): Awaitable<BlockReport[]>;
  /** True when the fact is new for the recipient; a repeat changes nothing. */
  addFact(f: { recipientRowId: number; campaignId: string; fact: RecipientFact; at: string; detail?: string }): Awaitable<boolean>;
  summary(campaignId: string): Awaitable<EngagementSummary>;
}
