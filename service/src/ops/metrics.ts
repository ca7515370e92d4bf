// Prometheus metrics on a registry of its own (several services can share one test process).
// Counts that live in the database are read at scrape time, so they survive restarts and agree
// with the campaign reports; only sends and HTTP answers are counted in memory, and a tracking process's spool
// (hits waiting on its disk) is read from the process itself. While the database is unreachable the scrape still
// answers: the database's figures are left out and the spool's, the ones that matter then, are there.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { StoreUnavailableError } from '../ports/errors.js';
import type { OpsCounts, StoreOps } from '../ports/index.js';

/** The Sugar client's call counts (SugarClient.stats()). */
export interface SugarCallStats {
  retries: number;
  byStatus: Record<string, number>;
}

/** A tracking process's spool (engagement/spooling.ts stats()). */
export interface SpoolStats {
  waiting: number;
  /** ISO time the oldest waiting hit arrived, near enough. */
  oldest?: string;
  replayed: number;
  /** Hits not kept because the spool was full (LEADFWD_SPOOL_MAX_MB). */
  refused: number;
  /** Hits not recorded because their row id names another campaign or address now (a lossy failover). */
  mismatched: number;
}

/** A sending process's provider slots on PostgreSQL (coordination/shared-slots.ts stats()). */
export interface ProviderSlotStats {
  leases: ReadonlyArray<{ identityId: string; provider: string; limit: number; held: number; inUse: number; wanted: number }>;
  failedRounds: number;
}

export interface MetricsSources {
  store: Pick<StoreOps, 'opsCounts'>;
  sugarStats: () => SugarCallStats;
  /** The spool, when this process has one. */
  spool?: () => SpoolStats | undefined;
  /** Signed tracking and unsubscribe tokens whose row names someone else now (a failover that lost the last commits). */
  personMismatches?: () => number;
  /** The mailbox providers' slots this process leases, when it shares them with others (PostgreSQL). */
  slots?: () => ProviderSlotStats;
  clock?: () => Date;
  /** Milliseconds for how long a database read took and is reused (default performance.now). */
  monotonic?: () => number;
}

export interface Metrics {
  registry: Registry;
  /** One relay verdict on one message (accepted, deferred, rejected, ...). */
  send(outcome: string): void;
  http(status: number): void;
  /** A row waited this long for a slot of its provider's concurrency (until it went, or went back to the queue). */
  slotWait(identityId: string, provider: string, seconds: number): void;
  /** This process left a provider to the processes holding all its slots, giving back the rows it held for one. */
  slotsLeft(identityId: string, provider: string): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const SEND_OUTCOMES = ['accepted', 'retryable', 'permanent', 'uncertain'];
const LEDGER_STATES = ['queued', 'sending', 'accepted', 'failed', 'uncertain', 'dropped'];
const EVENT_TYPES = ['open', 'click', 'bounce', 'complaint', 'optout'];

export function createMetrics(src: MetricsSources): Metrics {
  const registry = new Registry();
  const clock = src.clock ?? (() => new Date());
  collectDefaultMetrics({ register: registry, prefix: 'leadfwd_' });
  const none: OpsCounts = { recipients: {}, outboxPending: 0, outboxOldestDueAt: undefined, events: {}, hits: [] };
  // The database's figures, read before the gauges collect and shared by every gauge below (and by scrapes that
  // overlap: none of them ever sees another's figures cleared).
  let counts: OpsCounts | undefined;
  const read = () => counts ?? none;
  const dbCounts = sharedReads(async () => await src.store.opsCounts(), src.monotonic ?? (() => performance.now()));
  /** How long ago an ISO time was, in seconds (0 for none or one in the future). */
  const secondsSince = (iso: string | undefined) => (iso ? Math.max(0, (clock().getTime() - Date.parse(iso)) / 1000) : 0);
  // The figures read from the database, apart: left out of a scrape the database cannot answer.
  const fromDb = new Registry();

  const sends = new Counter({
    name: 'leadfwd_sends_total',
    help: 'Relay verdicts on sent messages, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const http = new Counter({ name: 'leadfwd_http_responses_total', help: 'HTTP responses by status class', labelNames: ['class'], registers: [registry] });
  // Every series an alert may name exists from the start, at 0: a rule on a series that is absent never fires.
  for (const outcome of SEND_OUTCOMES) sends.inc({ outcome }, 0);
  for (const c of ['2xx', '3xx', '4xx', '5xx']) http.inc({ class: c }, 0);
  new Gauge({
    name: 'leadfwd_recipients',
    help: 'Campaign recipients by ledger state (queued = send queue depth; dropped = queued in a cancelled or failed campaign)',
    labelNames: ['state'],
    registers: [fromDb],
    collect() {
      this.reset();
      for (const state of LEDGER_STATES) this.set({ state }, 0);
      for (const [state, n] of Object.entries(read().recipients)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'leadfwd_outbox_pending',
    help: 'Write-back outbox rows not yet written to Sugar',
    registers: [fromDb],
    collect() {
      this.set(read().outboxPending);
    },
  });
  new Gauge({
    name: 'leadfwd_outbox_lag_seconds',
    help: 'How long the oldest due outbox row has waited (0 when none is due)',
    registers: [fromDb],
    collect() {
      this.reset();
      this.set(secondsSince(read().outboxOldestDueAt));
    },
  });
  new Gauge({
    name: 'leadfwd_tracking_hits',
    help: 'Open and click hits recorded, by kind and class (human or machine)',
    labelNames: ['kind', 'class'],
    registers: [fromDb],
    collect() {
      this.reset();
      for (const kind of ['open', 'click']) for (const c of ['human', 'machine']) this.set({ kind, class: c }, 0);
      for (const h of read().hits) {
        this.set({ kind: h.kind, class: 'human' }, h.human);
        this.set({ kind: h.kind, class: 'machine' }, h.machine);
      }
    },
  });
  new Gauge({
    name: 'leadfwd_events_retained',
    help: 'Raw engagement events still kept (pruned after LEADFWD_EVENT_RETENTION_DAYS)',
    labelNames: ['type'],
    registers: [fromDb],
    collect() {
      this.reset();
      for (const type of EVENT_TYPES) this.set({ type }, 0);
      for (const [type, n] of Object.entries(read().events)) this.set({ type }, n);
    },
  });
  if (src.spool) {
    const spool = src.spool;
    new Gauge({
      name: 'leadfwd_spool_waiting_hits',
      help: "Opens, clicks and opt-outs on this process's disk waiting for the database (spooled during an outage)",
      registers: [registry],
      collect() {
        this.set(spool()?.waiting ?? 0);
      },
    });
    new Gauge({
      name: 'leadfwd_spool_oldest_seconds',
      help: 'How long the oldest hit waiting in the spool has waited (0 when none waits)',
      registers: [registry],
      collect() {
        this.set(secondsSince(spool()?.oldest));
      },
    });
    new Counter({
      name: 'leadfwd_spool_replayed_total',
      help: 'Spooled hits replayed into the database by this process',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(spool()?.replayed ?? 0);
      },
    });
    new Counter({
      name: 'leadfwd_spool_refused_total',
      help: 'Opens and clicks not counted, and one-click opt-outs answered 503, because the spool was full (LEADFWD_SPOOL_MAX_MB)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(spool()?.refused ?? 0);
      },
    });
    new Counter({
      name: 'leadfwd_spool_mismatched_total',
      help: 'Spooled hits not recorded because their row id names another campaign or address in the database now (a failover that lost the last commits)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(spool()?.mismatched ?? 0);
      },
    });
  }
  const mismatches = src.personMismatches;
  if (mismatches)
    new Counter({
      name: 'leadfwd_tracking_person_mismatched_total',
      help: 'Opens, clicks and opt-outs not recorded because the row their signed token names holds someone else now (a failover that lost the last commits)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(mismatches());
      },
    });
  const slotWaits = new Histogram({
    name: 'leadfwd_provider_slot_wait_seconds',
    help: "How long rows waited for a slot of their mailbox provider's concurrency, until they went or went back to the queue",
    labelNames: ['identity', 'provider'],
    buckets: [0.005, 0.05, 0.25, 1, 2, 5, 15, 60],
    registers: [registry],
  });
  const slotsLeft = new Counter({
    name: 'leadfwd_provider_slots_left_total',
    help: 'Times this process left a mailbox provider to the processes holding all of its slots: the rows it held for one (at most 16) went back to the queue in their place, after waiting up to 2 s',
    labelNames: ['identity', 'provider'],
    registers: [registry],
  });
  if (src.slots) slotMetrics(src.slots, registry);
  new Counter({
    name: 'leadfwd_sugar_calls_total',
    help: 'Calls to Sugar by answer (HTTP status or error kind), retries included',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(src.sugarStats().byStatus)) this.inc({ status }, n);
    },
  });
  new Counter({
    name: 'leadfwd_sugar_errors_total',
    help: 'Calls to Sugar that failed (4xx, 5xx, timeouts, connection errors)',
    registers: [registry],
    collect() {
      this.reset();
      let n = 0;
      for (const [status, c] of Object.entries(src.sugarStats().byStatus)) if (!/^[23]\d\d$/.test(status)) n += c;
      this.inc(n);
    },
  });
  new Counter({
    name: 'leadfwd_sugar_retries_total',
    help: 'Calls to Sugar that were retried',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(src.sugarStats().retries);
    },
  });

  return {
    registry,
    send: (outcome) => sends.inc({ outcome }),
    http: (status) => http.inc({ class: `${Math.floor(status / 100)}xx` }),
    slotWait: (identity, provider, seconds) => slotWaits.observe({ identity, provider }, seconds),
    slotsLeft: (identity, provider) => slotsLeft.inc({ identity, provider }),
    async render() {
      try {
        counts = await dbCounts();
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        // The database is down: its figures are left out, never shown as zero.
        return { contentType: registry.contentType, body: await registry.metrics() };
      }
      return { contentType: registry.contentType, body: (await registry.metrics()) + (await fromDb.metrics()) };
    },
  };
}

/** A read is reused for this many times what it took: counting then takes at most about a tenth of the database's time. */
const REUSE_FACTOR = 10;
// Also how long a figure read just before an outage can still be shown during it.
const REUSE_MAX_MS = 15_000;

/**
 * The counts are full scans (every ledger row, event and counter): on a large database a read takes seconds, and
 * scrapes from several Prometheus servers, or a scraper in a loop, would keep it counting (on SQLite, blocking the
 * event loop that answers pixels). Scrapes that arrive during a read share it, and a finished read answers for ten
 * times its own length, so a small database's figures stay fresh. A failed read is never reused.
 */
function sharedReads<T>(read: () => Promise<T>, now: () => number): () => Promise<T> {
  let fresh: { value: T; until: number } | undefined;
  let reading: Promise<T> | undefined;
  const start = async () => {
    const t0 = now();
    try {
      const value = await read();
      const t1 = now();
      fresh = { value, until: t1 + Math.min(REUSE_MAX_MS, (t1 - t0) * REUSE_FACTOR) };
      return value;
    } catch (err) {
      fresh = undefined;
      throw err;
    } finally {
      reading = undefined;
    }
  };
  return () => {
    if (fresh && now() < fresh.until) return Promise.resolve(fresh.value);
    reading ??= start();
    return reading;
  };
}

/** Per identity and provider: what this process holds, has on the wire and asked for, and the limit all share. */
function slotMetrics(slots: () => ProviderSlotStats, registry: Registry) {
  const perLease = (name: string, help: string, pick: (l: ProviderSlotStats['leases'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['identity', 'provider'],
      registers: [registry],
      collect() {
        this.reset();
        for (const l of slots().leases) this.set({ identity: l.identityId, provider: l.provider }, pick(l));
      },
    });
  perLease('leadfwd_provider_slots_held', "Slots of a mailbox provider's concurrency this process holds (0 once its lease may have expired)", (l) => l.held);
  perLease('leadfwd_provider_slots_in_use', 'Messages this process has on the wire to the provider', (l) => l.inUse);
  perLease('leadfwd_provider_slots_wanted', 'Slots this process last asked for: more than it holds means it waits for some', (l) => l.wanted);
  perLease('leadfwd_provider_slots_limit', "The provider's concurrency for the identity, shared by every process", (l) => l.limit);
  new Counter({
    name: 'leadfwd_provider_slot_renewals_failed_total',
    help: 'Asks for slots and lease renewals that did not reach the database (past two thirds of its lease a process sends nothing more to the provider)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(slots().failedRounds);
    },
  });
}
