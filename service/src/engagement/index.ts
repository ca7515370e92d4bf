// Engagement wiring: one object the composition root creates from the store and configuration.

import type { Actor } from '../access/actor.js';
import { APPLE_NETWORK, type BotRules, DEFAULT_BOT_RULES } from '../domain/bot-detect.js';
import type { OptOutReason } from '../domain/outbox.js';
import { isPerson, type VerifyKeys } from '../domain/tokens.js';
import type { EngagementRepo, EventRepo, HitSpool } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import { type ClickStore, createClickRecorder } from './clicks.js';
import { createFactRecorder, type FactDeps, type FactStore } from './facts.js';
import { cidrMatcher } from './ip.js';
import { createOpenRecorder, type OpenStore } from './opens.js';
import { createRecipientLookup, type LookupStore } from './recipients.js';
import { campaignReport, keyFigures, type ReportStore } from './report.js';
import { campaignCsv, campaignPeople, type PeopleStore } from './report-people.js';
import { startRetention } from './retention.js';
import { writeOrSpill } from './spill.js';
import { createSpooling, type SpoolingStore } from './spooling.js';
import { createTrackedLinks, type TrackedLinksOptions, type TrackedLinksStore } from './tracked-links.js';

export type EngagementLogger = Pick<Log, 'info' | 'warn' | 'error'>;

/** Everything the engagement recorders, the report and retention use. */
export type EngagementStore = FactStore &
  OpenStore &
  ClickStore &
  SpoolingStore &
  LookupStore &
  ReportStore &
  PeopleStore &
  TrackedLinksStore & { events: Pick<EventRepo, 'pruneOlderThan'>; engagement: Pick<EngagementRepo, 'pruneSpooled'> };

export interface EngagementOptions {
  store: EngagementStore;
  /** The keys tokens are verified with: a token's person check is one of theirs (without: every check passes). */
  tokenKeys?: VerifyKeys;
  softBounceLimit: number;
  retentionDays: number;
  /** Private Relay egress ranges beyond Apple's own 17.0.0.0/8. */
  appleEgressCidrs?: string[];
  /** Datacenter or mail-security networks whose hits are machine hits. */
  scannerCidrs?: string[];
  /** Hits sooner than these after acceptance are machines (defaults in DEFAULT_BOT_RULES). */
  openTooSoonMs?: number;
  clickTooSoonMs?: number;
  /** Open-pixel group-commit window in ms. */
  flushMs?: number;
  /** Raw open and click events kept per recipient and kind (LEADFWD_EVENTS_PER_RECIPIENT); counters stay exact. */
  eventsPerRecipient?: number;
  logger?: EngagementLogger;
  /** Where opens and clicks wait while the database is unreachable (a tracking process's local file); none: they fail. */
  spool?: HitSpool;
  /** Bytes the spool may hold before opens and clicks are no longer kept (LEADFWD_SPOOL_MAX_MB; default no limit). */
  spoolMaxBytes?: number;
  /** How often the spool is replayed while it holds hits, in ms (default 1000). */
  spoolRetryMs?: number;
  /**
   * The tracked links kept ready for redirects through an outage (days of sent campaigns, refresh); with a spool the
   * clicks are also counted. `initial` and `onRead`: the data folder's snapshot (engagement/tracked-links.ts).
   */
  trackedLinks?: Pick<TrackedLinksOptions, 'days' | 'refreshMs' | 'upcomingMs' | 'initial' | 'onRead'>;
  /** Spool everything and replay nothing until `spooling.release()` (a start while the database is down). */
  spoolHeld?: boolean;
  /** How facts reach delivery volume, the guard rails and provider throttling. */
  factHooks?: Pick<FactDeps, 'volumeOf' | 'onRateFact' | 'onBlock'>;
}

export function createEngagement(o: EngagementOptions) {
  const { store, logger } = o;
  let personMismatches = 0;
  const lookup = createRecipientLookup(store, {
    ...(o.tokenKeys !== undefined ? { isPerson: (check, r) => isPerson(o.tokenKeys!, check, r) } : {}),
    onMismatch: (rowId) => {
      // Only after a failover that lost the last commits: worth a line, not one per hit of a pixel replayed at line rate.
      if (personMismatches++ % 1000 === 0) logger?.warn({ rowId, mismatches: personMismatches }, 'tracking.person_mismatch');
    },
  });
  const rules: BotRules = {
    ...DEFAULT_BOT_RULES,
    ...(o.openTooSoonMs !== undefined ? { openTooSoonMs: o.openTooSoonMs } : {}),
    ...(o.clickTooSoonMs !== undefined ? { clickTooSoonMs: o.clickTooSoonMs } : {}),
    appleEgress: cidrMatcher([APPLE_NETWORK, ...(o.appleEgressCidrs ?? [])]),
    ...(o.scannerCidrs?.length ? { scannerIps: cidrMatcher(o.scannerCidrs) } : {}),
  };
  const facts = createFactRecorder({ store, lookup, softBounceLimit: o.softBounceLimit, logger, ...o.factHooks });
  const maxEvents = o.eventsPerRecipient ?? 50;
  const tracked = o.trackedLinks ? createTrackedLinks({ store, ...o.trackedLinks, logger }) : undefined;
  const spooling = o.spool
    ? createSpooling({
        spool: o.spool,
        store,
        lookup,
        rules,
        maxEventsPerRecipient: maxEvents,
        clicks: () => clicks,
        facts: () => facts,
        tracked,
        held: o.spoolHeld,
        maxAgeMs: o.retentionDays * 86_400_000,
        retryMs: o.spoolRetryMs,
        maxBytes: o.spoolMaxBytes,
        logger,
      })
    : undefined;
  const spill = spooling?.spill;
  const opens = createOpenRecorder({ store, lookup, rules, flushMs: o.flushMs, logger, maxEventsPerRecipient: maxEvents, spill });
  const clicks = createClickRecorder({ store, lookup, rules, maxEventsPerRecipient: maxEvents, spill, tracked });
  let retention: ReturnType<typeof startRetention> | undefined;

  return {
    lookup,
    rules,
    facts,
    /** Signed tokens whose row names someone else now (domain/tokens.ts): nothing was recorded for them. */
    personMismatches: () => personMismatches,
    /**
     * An opt-out from the unsubscribe page or an RFC 8058 one-click POST: recorded now, or (undefined) kept in the
     * spool while the database is unreachable, to be suppressed and written back when it is replayed.
     */
    unsubscribe: async (rowId: number, source: Extract<OptOutReason, 'one_click' | 'page'>, person?: string) => {
      const at = new Date().toISOString(); // when it was asked, not when a failed write gave up
      return await writeOrSpill(
        spill,
        () => [{ kind: 'optout', rowId, person, reason: source, method: 'POST', at }],
        () => facts.optOut(rowId, source, person),
      );
    },
    opens,
    clicks,
    tracked,
    /** The outage spool's state, when there is one. */
    spooling,
    report: async (campaignId: string) => await campaignReport(store, campaignId, o.retentionDays),
    /** A list row's figures: people's opens and clicks, bounces, opt-outs. */
    figures: async (campaignId: string) => await keyFigures(store, campaignId),
    /** The report's lists of people (bounces, complaints, opt-outs, uncertain messages), a page at a time. */
    people: async (campaignId: string, query: unknown, actor: Actor) => await campaignPeople(store, campaignId, query, actor),
    csv: (campaignId: string, actor: Actor) => campaignCsv(store, campaignId, actor),
    /** For the send worker's onOutcome: the relay's synchronous verdicts. */
    smtpOutcome: facts.smtpOutcome,
    start() {
      retention ??= startRetention({ store, days: o.retentionDays, logger });
      tracked?.start();
    },
    /** Commits buffered opens; call before the store closes. */
    async close() {
      retention?.stop();
      tracked?.stop();
      await opens.close();
      await spooling?.close();
    },
  };
}

export type Engagement = ReturnType<typeof createEngagement>;
