// The composition root: the only module that knows every concrete adapter and wires them together.

import { randomUUID } from 'node:crypto';
import type { RequestListener, Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Actor } from './access/actor.js';
import { createAutomationEngine } from './automations/engine.js';
import { createListEnrolment } from './automations/list-enrolment.js';
import { createAutomationRunner } from './automations/runner.js';
import { createAutomationService } from './automations/service.js';
import { createSplitWinners } from './automations/split-winners.js';
import { createAbTestRunner, createAbTests } from './campaigns/ab-tests.js';
import { extractTargets } from './campaigns/extraction.js';
import { createFollowUps } from './campaigns/follow-up.js';
import { createRecipientPreview } from './campaigns/recipient-preview.js';
import { createScheduler } from './campaigns/scheduler.js';
import { createCampaignService } from './campaigns/service.js';
import { createSugarTemplates } from './campaigns/sugar-templates.js';
import { testSend } from './campaigns/test-send.js';
import { resolveUncertain } from './campaigns/uncertain.js';
import { type Config, ConfigError, ROLES, type Role } from './config.js';
import { createLeaseRunner, type KeptLease, processLeaseName } from './coordination/lease-runner.js';
import { type SchemaWatch, watchSchema } from './coordination/schema-watch.js';
import { createSharedAllowances } from './coordination/shared-allowances.js';
import { createSharedBucket } from './coordination/shared-bucket.js';
import { createSharedSessions } from './coordination/shared-sessions.js';
import { createSharedSlots } from './coordination/shared-slots.js';
import { createSharedThrottles } from './coordination/shared-throttles.js';
import { createDnsReader, createMxLookup, createResolver } from './dns/resolver.js';
import { createTokenBucket } from './domain/rate-limit.js';
import { createEngagement } from './engagement/index.js';
import { createApp } from './http/app.js';
import { HIDDEN_REASONS, operatorCaller, withoutReasons } from './http/ops-routes.js';
import { abTestRoutes } from './http/routes/ab-tests.js';
import { automationRoutes } from './http/routes/automations.js';
import { campaignRoutes } from './http/routes/campaigns.js';
import { identityRoutes } from './http/routes/identities.js';
import { listRoutes } from './http/routes/lists.js';
import { meRoutes } from './http/routes/me.js';
import { recipientPreviewRoutes } from './http/routes/recipient-preview.js';
import { reportRoutes } from './http/routes/report.js';
import { sugarRoutes } from './http/routes/sugar.js';
import { trackingFastPath, trackingRoutes, withPixelFastPath } from './http/routes/tracking.js';
import { unsubscribeRoutes } from './http/routes/unsubscribe.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { writebackRoutes } from './http/routes/writeback.js';
import { createLimitedServer } from './http/server-limits.js';
import { createTokenVerifier } from './http/token-checks.js';
import { createGuardRails } from './identities/guard.js';
import { checkReadiness } from './identities/readiness.js';
import { createIdentityService } from './identities/service.js';
import { createInboundIntake } from './inbound/intake.js';
import { createLeadfwdLists } from './lists/service.js';
import { createLogger, type Logger } from './logger.js';
import { createCompileCache } from './mail/compile-cache.js';
import { readDkimKeyFile } from './mail/dkim.js';
import { contextFor, createInProcessDelivery, MESSAGES_PER_CONNECTION } from './mail/in-process-delivery.js';
import { startInboundListener } from './mail/inbound/listener.js';
import { buildMessage, type MessageContext, renderForRecipient } from './mail/message.js';
import { createThreadDelivery } from './mail/send-threads/pool.js';
import { compileCampaign, mjmlToHtml, renderPreview } from './mail/template.js';
import { createTransportCache } from './mail/transport-cache.js';
import { createMetrics } from './ops/metrics.js';
import { refusalOfSecret } from './ops/one-secret.js';
import { createReadiness, readinessNeeds } from './ops/readiness.js';
import { listenRefused, StartupError } from './ops/startup.js';
import type { SnapshotFile, Store, StoreOps, TrackingSnapshot } from './ports/index.js';
import { createPairing } from './relay/pairing.js';
import { createDayCounts } from './sending/day-counts.js';
import { createDeliveryControl } from './sending/delivery-control.js';
import { createSendLoop } from './sending/send-loop.js';
import { createDeliverySenders } from './sending/senders.js';
import { openFileSpoolWhenFree } from './spool/file-spool.js';
import { snapshotFile } from './spool/snapshot-file.js';
import { gatedStore } from './store/gated.js';
import { openPgStore } from './store/pg/db.js';
import { deferredStartupChecks, describeDatabase, openConfiguredStore, serviceSecrets, snapshotLinks, startingSnapshot, trackingOnly } from './store-start.js';
import { fetchCurrentUser, SugarClient } from './sugar/sugar-client.js';
import { createWriteback, type Writeback } from './writeback/index.js';
import { createOptOutScopeSource } from './writeback/opt-out-scope.js';

export interface RunningService {
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  /** The configured store (SQLite, or PostgreSQL with LEADFWD_DATABASE_URL), as the ports see it. */
  store: Store & StoreOps;
  sugar: SugarClient;
  /** Writes every campaign's activity back to Sugar through the outbox. */
  writeback: Writeback;
  /** Port of the inbound SMTP listener (bounces, complaints, mailto unsubscribes); 0 while that port is taken. */
  bouncePort: number;
  /**
   * While no Sugar is paired, a fresh code for the operator to type into Sugar, or, when one is out already (an
   * earlier start's or another process's), until when it is valid; undefined once paired or without the api role.
   */
  pairingCodeIfUnpaired(): Promise<{ code: string; expiresAt: string } | { liveUntil: string } | undefined>;
  /** What the inbound SMTP listener holds right now (bytes buffered, connections). */
  inboundStats(): { bufferedBytes: number; connections: number };
  /** Graceful: stop claiming work, let in-flight sends finish, close everything. */
  stop(): Promise<void>;
  /**
   * A tracking process started from its data folder's snapshot while PostgreSQL was down: resolves once the start-up
   * checks passed against the database, rejects with a StartupError when they failed (main exits as at start).
   */
  startupChecks?: Promise<void>;
}

export { StartupError };

export async function startService(
  config: Config,
  opts: { logger?: Logger /** Automation clock; tests pass a fake one. */; now?: () => Date } = {},
): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Read at start rather than with the settings: `npm run backup` and the other scripts load them too, as users that
  // may not read the key.
  if (config.dkim.privateKeyFile) keyPem(config.dkim.privateKeyFile);
  // The port is bound first, so the public URL every message links to is known before anything reads it (tests
  // listen on port 0). Requests arriving before the app is ready are told to come back.
  // Until then /readyz says what start-up waits for, so an orchestrator sees why; while it waits for PostgreSQL,
  // /healthz says the process is alive (a liveness probe restarting it would only start the wait over).
  let waitingFor: { check: string; reason: string } | undefined;
  const operator = operatorCaller(config.apiKey);
  let handle: RequestListener = (req, res) => {
    const path = req.url?.split('?')[0];
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Retry-After': '1' }).end(JSON.stringify(body));
    const { check, reason } = waitingFor ?? { check: 'database', reason: 'the service is starting' };
    const notReady = { ready: false, checks: { [check]: { ok: false, reason } } };
    const shown = operator(req);
    if (path === '/readyz') return json(503, shown ? notReady : withoutReasons(notReady));
    if (path === '/healthz' && waitingFor) return json(200, { ok: true, starting: shown ? reason : HIDDEN_REASONS });
    res.writeHead(503, { 'Retry-After': '1' }).end();
  };
  const server: Server = await new Promise((resolve, reject) => {
    const s = createLimitedServer(config.http, (req, res) => handle(req, res), logger).listen(config.port, config.host, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => reject(listenRefused(err, config.host, config.port)));
  });
  const port = (server.address() as { port: number }).port;
  const publicUrl = /:0$/.test(config.publicUrl) ? `http://${config.host}:${port}` : config.publicUrl;
  try {
    // This start of this process: the ledger rows it claims carry it, and its leases are held in its name.
    const owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const serve = (listener: RequestListener) => {
      handle = listener;
    };
    const snapshots = trackingOnly(config) && config.dataDir !== ':memory:' ? snapshotFile(config.dataDir) : undefined;
    const snapshot = snapshots && startingSnapshot(snapshots, config, logger);
    const waiting = (reason: string | undefined, check = 'database') => {
      waitingFor = reason === undefined ? undefined : { check, reason };
    };
    const store = await openConfiguredStore(config, logger, owner, waiting, !!snapshot);
    if (!store) return await startFromSnapshot(config, { ...opts, logger, owner, waiting }, snapshot!, snapshots!, server, port, publicUrl, serve);
    try {
      const refused = await refusalOfSecret(store, serviceSecrets(config), (opts.now ?? (() => new Date()))());
      if (refused) throw new StartupError(refused);
      const secretCheck = snapshots ? await store.secretCheck() : undefined;
      const keep = snapshots && secretCheck ? { file: snapshots, secretCheck: () => secretCheck } : undefined;
      return await compose(config, { ...opts, logger, owner, keep, waiting }, store, server, port, publicUrl, serve);
    } catch (err) {
      await store.close();
      throw err;
    }
  } catch (err) {
    server.close();
    throw err;
  }
}

/**
 * PostgreSQL did not answer a tracking process that has a snapshot: it starts on a store that refuses every call
 * (store/gated.ts), so it redirects clicks from the snapshot's tracked links and spools opens, clicks and opt-outs,
 * and opens the store (replaying the spool) only once the usual start-up checks have passed against the database.
 */
async function startFromSnapshot(
  config: Config,
  opts: { logger: Logger; now?: () => Date; owner: string; waiting: (reason: string | undefined, check?: string) => void },
  snapshot: TrackingSnapshot,
  file: SnapshotFile,
  server: Server,
  port: number,
  publicUrl: string,
  serve: (listener: RequestListener) => void,
): Promise<RunningService> {
  const { url, poolSize, prepared } = config.database!;
  const { where } = describeDatabase(url);
  const raw = await openPgStore(url, { poolSize, owner: opts.owner, answerGraceMs: config.answerGraceMs, prepared, migrateLater: true });
  const gate = gatedStore<Store & StoreOps>(
    raw,
    `PostgreSQL at ${where} has not answered since this process started from its data folder (snapshot of ${snapshot.savedAt}); opens, clicks and opt-outs are spooled until it does and the start-up checks pass`,
  );
  opts.logger.warn(
    { event: 'tracking.started_from_snapshot', database: where, savedAt: snapshot.savedAt, campaigns: Object.keys(snapshot.links.links).length },
    'tracking.started_from_snapshot',
  );
  const checks = deferredStartupChecks(raw, config, opts.logger, snapshot.secretCheck, opts.now);
  try {
    return await compose(
      config,
      { ...opts, keep: { file, secretCheck: checks.secretCheck }, fromSnapshot: { snapshot, checked: checks.checked, open: gate.open } },
      gate.store,
      server,
      port,
      publicUrl,
      serve,
    );
  } catch (err) {
    await raw.close();
    throw err;
  }
}

/** How soon a process sees that a newer version migrated the shared database (one tiny query per process). */
const SCHEMA_CHECK_MS = 1000;

/** The DKIM key file's content, or a configuration error naming the setting (main exits 78 with it). */
function keyPem(file: string): string {
  const key = readDkimKeyFile(file);
  if ('problem' in key) throw new ConfigError([`LEADFWD_DKIM_PRIVATE_KEY_FILE ${key.problem}`]);
  return key.pem;
}

async function compose(
  config: Config,
  opts: {
    logger: Logger;
    now?: () => Date;
    owner: string;
    /** Where the tracked links are saved after each re-read, with what start-up will check them against. */
    keep?: { file: SnapshotFile; secretCheck: () => string };
    /** Started from the snapshot: the checks to wait for in the background, and how to open the store after them. */
    fromSnapshot?: { snapshot: TrackingSnapshot; checked: (stopped: AbortSignal) => Promise<boolean>; open: () => void };
    /** What start-up waits for, for /readyz and /healthz (undefined: no longer waiting). */
    waiting?: (reason: string | undefined, check?: string) => void;
  },
  store: Store & StoreOps,
  server: Server,
  port: number,
  publicUrl: string,
  serve: (listener: RequestListener) => void,
): Promise<RunningService> {
  const { logger } = opts;
  const role = (r: Role) => config.roles.has(r);
  // Several processes on one PostgreSQL: campaign-level work under leases, rates in shared buckets. Alone on SQLite
  // (one process per file) neither is needed, and every job runs here as before.
  const shared = !!config.database;
  const leases = shared
    ? createLeaseRunner({ leases: store.leases, owner: opts.owner, ttlMs: config.leaseTtlMs, logger: logger.child({ component: 'leases' }) })
    : undefined;
  const rateLog = logger.child({ component: 'rates' });
  const sharedBucket = shared
    ? (name: string, rate: { perSecond: number; perHour?: number }) => createSharedBucket({ rates: store.rates, name, ...rate, logger: rateLog })
    : undefined;
  const verifyKeys = serviceSecrets(config);
  // Sugar's request budget: every call to this Sugar (extraction, campaign setup, lists, templates, write-back) from
  // every process on the database draws from one bucket.
  // People's own calls take from a share of it first (LEADFWD_SUGAR_USERS_RATE), so the service's work keeps the rest.
  const sugarBucket = (name: string, perSecond: number) =>
    perSecond > 0 ? (sharedBucket?.(`${name}:${config.sugar.url}`, { perSecond }) ?? createTokenBucket({ perSecond })) : undefined;
  const sugar = new SugarClient({
    budget: sugarBucket('sugar', config.sugar.ratePerSecond),
    usersShare: sugarBucket('sugar-users', config.sugar.usersRatePerSecond),
    // Sugar keeps one session per user and platform: processes on one database share theirs instead of ending each other's.
    sessionShare: shared ? createSharedSessions({ store, owner: opts.owner, serviceSecrets: verifyKeys }) : undefined,
    baseUrl: config.sugar.url,
    apiVersion: config.sugar.apiVersion,
    username: config.sugar.username,
    password: config.sugar.password,
    platform: config.sugar.platform,
    timeoutMs: config.sugar.timeoutMs,
    logger: logger.child({ component: 'sugar' }),
  });
  const threaded = config.smtp.sendThreads > 0;
  // One SMTP pool and signer per sender identity on this thread: in-process delivery (LEADFWD_SEND_THREADS=0) and
  // test sends. With send threads the campaigns' pools live there, and these only carry test sends, signed inline.
  const transports = createTransportCache({ dkimWorkers: threaded ? 0 : config.dkim.workers, logger: logger.child({ component: 'smtp' }) });
  // The context every message is built with; each sender identity puts in its own bounce and Message-ID domains.
  const messageContext: MessageContext = {
    publicUrl,
    secret: config.secret,
    bounceDomain: config.bounceDomain,
    messageIdDomain: config.dkim.domain ?? config.bounceDomain,
    feedbackSenderId: 'leadfwd',
    senderPostalAddress: config.senderAddress,
  };

  // DNS: the system resolver, or LEADFWD_DNS_SERVERS; MX answers are cached, so extraction asks once per domain.
  const resolver = createResolver({ servers: config.dns.servers, timeoutMs: config.dns.timeoutMs });
  const mx = createMxLookup(resolver, { ttlMs: config.dns.mxCacheMs });
  const clock = opts.now;
  const dayCounts = createDayCounts((id, day) => store.deliverability.acceptedOn(id, day), clock);
  // Several processes: a provider slowed by its answer to one is slowed for all, the day's limits are counted once,
  // and a provider's concurrency holds for all together.
  const slots = shared ? createSharedSlots({ repo: store.providerSlots, owner: opts.owner, ttlMs: config.leaseTtlMs, logger: rateLog }) : undefined;
  const control = createDeliveryControl({
    now: clock,
    acceptedOn: dayCounts.acceptedOn,
    sharedBucket,
    ...(shared
      ? {
          throttles: createSharedThrottles({ repo: store.providerThrottles, ...(clock ? { now: clock } : {}), logger: rateLog }),
          allowances: createSharedAllowances({ repo: store.dayAllowances, logger: rateLog }),
          slots,
        }
      : {}),
  });
  const identityLog = logger.child({ component: 'identities' });
  const identities = createIdentityService({
    store,
    serviceSecrets: verifyKeys,
    now: clock,
    logger: identityLog,
    throttles: (id) => control.status(id),
    onResumed: (id) => control.reset(id),
    testRelay: (profile) => transports.verify(profile),
    checkReadiness: (identity, profile) =>
      checkReadiness(
        {
          dns: createDnsReader(resolver),
          now: clock,
          sampleHeaders: async (p) => {
            const sample = await compileCampaign({
              campaignId: 'readiness',
              subject: 'Readiness',
              fromName: identity.name,
              fromEmail: 'x@example.com',
              html: '<p>x</p>',
            });
            const raw = buildMessage(sample, { rowId: 1, email: 'someone@example.com', fields: {}, trackingConsent: true }, contextFor(messageContext, p)).raw;
            return raw.slice(0, raw.indexOf('\r\n\r\n'));
          },
        },
        identity,
        profile,
      ),
  });
  // The upgrade: without any identity yet, the single-relay settings become the default one (and stay in step with
  // the environment until an administrator edits it).
  // Processes starting together on one database take turns, or two would each create the default identity.
  const syncEnvironment = (env: Parameters<typeof identities.syncEnvironment>[0]) =>
    leases ? leases.inTurn('start:environment-identity', async () => await identities.syncEnvironment(env)) : identities.syncEnvironment(env);
  const environment = {
    fromDomains: config.senderDomains,
    smtpUrl: config.smtp.url,
    maxConnections: config.smtp.maxConnections,
    rate: { perSecond: config.smtp.rate, perHour: config.smtp.ratePerHour, perDay: config.smtp.ratePerDay },
    bounceDomain: config.bounceDomain,
    ...(config.dkim.privateKeyFile
      ? { dkim: { domain: config.dkim.domain!, selector: config.dkim.selector!, privateKeyPem: keyPem(config.dkim.privateKeyFile) } }
      : {}),
  };
  // Started from the snapshot: done once the database has answered and passed the checks (below).
  if (!opts.fromSnapshot) await syncEnvironment(environment);
  const senders = createDeliverySenders({ store, identities, control, now: clock, dsnBlockReporters: config.engagement.dsnBlockReporters, logger: rateLog });
  const guard = createGuardRails({ store, settings: config.guardRails, now: clock, pause: async (id, reason, by) => await identities.pause(id, reason, by) });
  let schemaWatch: SchemaWatch | undefined;
  // A tracking process on PostgreSQL keeps opens, clicks and one-click opt-outs in a local spool while the database
  // is unreachable. The lock of a process on another host is waited out until it goes stale (a container recreated
  // after its process died has a new host name). A data folder it cannot write, or one a live process spools into,
  // only loses that: the process still tracks, as it did before it had a spool.
  const spoolDir = role('tracking') && config.database && config.dataDir !== ':memory:' ? join(config.dataDir, 'spool') : undefined;
  const spool = await (async () => {
    if (!spoolDir) return undefined;
    let warned = false;
    try {
      return await openFileSpoolWhenFree(spoolDir, {
        onWait: (why) => {
          opts.waiting?.(`waiting for the lock of its spool folder: ${why}`, 'spool');
          if (!warned) logger.warn({ event: 'tracking.spool.waiting', dir: spoolDir, why }, 'tracking.spool.waiting');
          warned = true;
        },
      });
    } catch (err) {
      logger.error({ event: 'tracking.spool.unavailable', dir: spoolDir, err: (err as Error).message }, 'tracking.spool.unavailable');
      return undefined;
    } finally {
      if (warned) opts.waiting?.(undefined);
    }
  })();
  const metrics = createMetrics({
    store,
    sugarStats: () => sugar.stats(),
    ...(spool ? { spool: () => engagement.spooling?.stats() } : {}),
    ...(slots ? { slots: () => slots.stats() } : {}),
    personMismatches: () => engagement.personMismatches(),
  });
  /** The bounce listener's port while it listens, 0 while its port is taken; set once it is started (below). */
  let inboundPort: (() => number) | undefined;
  const readiness = createReadiness({
    probeStore: () => store.probeWritable(),
    ...(role('tracking')
      ? {
          inbound: () =>
            !inboundPort || inboundPort() > 0
              ? { ok: true }
              : {
                  ok: false,
                  reason: `port ${config.bounceSmtpPort} is not listening (in use, or refused): bounces, complaints and mailto unsubscribes wait until it is`,
                },
        }
      : {}),
    // Tracking alone: its pixel and redirects answer and record through an outage, so it stays in rotation.
    ...(spool && spoolDir && config.roles.size === 1 ? { spoolDir } : {}),
    sugarUrl: config.sugar.url,
    sugarApiVersion: config.sugar.apiVersion,
    smtpUrl: config.smtp.url,
    needs: readinessNeeds(config.roles),
    stoppedWork: () => schemaWatch?.stoppedBecause(),
    dataDir: config.dataDir === ':memory:' || config.database ? undefined : config.dataDir,
    minFreeBytes: config.diskMinFreeMb * 1_048_576,
  });
  // A statement anywhere that finds PostgreSQL unreachable turns /readyz at once, not at its next refresh (up to 5 s).
  store.onUnavailable?.((err) => readiness.databaseFailed(err));
  const compiled = createCompileCache({ saveLinks: (id, links) => store.campaigns.saveLinks(id, links) });
  // Content offered now is held to LEADFWD_CONTENT_MAX_BYTES (413); stored campaigns compile without it.
  const compileOffered: typeof compileCampaign = (spec) => compileCampaign(spec, { maxBytes: config.contentMaxBytes });

  const engagement = createEngagement({
    store,
    tokenKeys: verifyKeys,
    softBounceLimit: config.engagement.softBounceLimit,
    retentionDays: config.engagement.retentionDays,
    appleEgressCidrs: config.engagement.appleEgressCidrs,
    scannerCidrs: config.engagement.scannerCidrs,
    openTooSoonMs: config.engagement.openTooSoonMs,
    clickTooSoonMs: config.engagement.clickTooSoonMs,
    flushMs: config.engagement.pixelFlushMs,
    eventsPerRecipient: config.engagement.eventsPerRecipient,
    ...(spool ? { spool, spoolMaxBytes: config.engagement.spoolMaxBytes } : {}),
    // Also without a spool (its folder locked by another process): a click still redirects through an outage, uncounted.
    ...(spoolDir ? { trackedLinks: { ...config.engagement.trackedLinks, ...snapshotLinks(opts, !!spool, logger) } } : {}),
    // Nothing recorded in the database, nor replayed, before its start-up checks have passed there.
    spoolHeld: !!opts.fromSnapshot,
    logger: logger.child({ component: 'engagement' }),
    factHooks: {
      volumeOf: async (r) => await senders.volumeOf(r),
      onRateFact: async (campaignId) => await guard.check(campaignId),
      onBlock: async (r, reason, source) => await senders.blocked(r, reason, source),
    },
  });
  const tracking = {
    secret: verifyKeys,
    opens: engagement.opens,
    clicks: engagement.clicks,
    answerAfterCommit: config.engagement.pixelAnswerAfterCommit,
    logger: logger.child({ component: 'tracking' }),
  };

  const writebackLogger = logger.child({ component: 'writeback' });
  const writeback = createWriteback({
    store,
    sugar,
    settings: config.writeback,
    links: (c) => compiled(c).then((cc) => cc.links),
    logger: writebackLogger,
    ...(sharedBucket && config.writeback.ratePerSecond > 0
      ? { sugarBucket: sharedBucket(`writeback:${config.sugar.url}`, { perSecond: config.writeback.ratePerSecond }) }
      : {}),
    optOutScope: createOptOutScopeSource({ read: () => sugar.get('/leadfwd/config'), fallback: config.writeback.optOutScope, logger: writebackLogger }),
  });
  const campaigns = createCampaignService({
    store,
    compile: compileOffered,
    renderPreview,
    senders,
    now: clock,
    writebackState: async (id, now) => await writeback.state(id, now),
  });
  // Only a sending process starts send threads; the others never deliver (their scheduler does not start).
  const delivery =
    threaded && role('send')
      ? createThreadDelivery({
          threads: config.smtp.sendThreads,
          maxConnections: config.smtp.maxConnections,
          messageContext,
          compiled,
          logger: logger.child({ component: 'send-thread' }),
        })
      : createInProcessDelivery({
          transports,
          compiled,
          build: buildMessage,
          messageContext,
          concurrency: config.smtp.maxConnections * MESSAGES_PER_CONNECTION,
        });
  const sendLoop = createSendLoop({
    store,
    delivery,
    control,
    sender: async (c) => {
      const chosen = await senders.forDelivery(c);
      if ('identity' in chosen) await dayCounts.prefetch(chosen.identity.id);
      return chosen;
    },
    onRelayProblem: async (identity, reason) => await identities.pause(identity.id, `the relay refused it: ${reason}`, 'relay'),
    dataEndMark: config.smtp.dataEndMark,
    now: clock,
    logger: logger.child({ component: 'send' }),
    onSlotWait: (identityId, provider, seconds) => metrics.slotWait(identityId, provider, seconds),
    onSlotsLeft: (identityId, provider) => metrics.slotsLeft(identityId, provider),
    // The relay's own 5xx/4xx verdicts become bounce facts (the send loop logs a failure and carries on).
    onOutcome: async (r, res) => {
      metrics.send(res.outcome);
      await engagement.smtpOutcome(r, res);
    },
  });
  const scheduler = createScheduler({
    store,
    beforeSending: async (c) => await writeback.ensureSetup(c),
    // Saved filters and reports are read as the campaign's creator (a sudo token on the service's platform), so Sugar
    // applies that user's rights at send time; campaigns made with the API key read them as the service.
    extract: async (c, signal) =>
      extractTargets(
        {
          signal,
          sugar,
          store,
          mx,
          allowFrom: await senders.allowFrom(c),
          timeZoneField: config.timeZoneField,
          ...(c.audiences?.length && c.createdBy ? { audienceReader: { reader: sugar.sudo(c.createdBy.userName), readAs: c.createdBy.userName } } : {}),
        },
        c,
      ),
    // A campaign whose identity's warm-up or daily limit cannot send it within the days allowed fails before anything goes.
    afterExtraction: async (c) => (c.held ? undefined : await senders.scheduleProblem(c)),
    now: clock,
    send: (id, signal) => sendLoop.run(id, signal),
    leases,
    logger: logger.child({ component: 'scheduler' }),
  });
  // A process without the send role leaves extraction and sending to those with it (their next tick, 500 ms).
  const kick = async () => {
    if (role('send') && !schemaWatch?.stoppedBecause()) await scheduler.kick();
  };
  const abTests = createAbTests({ store, campaigns, compile: compileOffered, kick, now: clock, logger: logger.child({ component: 'ab-tests' }) });
  const abTestRunner = createAbTestRunner(abTests, { logger: logger.child({ component: 'ab-tests' }) });
  const automationLog = logger.child({ component: 'automations' });
  const automationEngine = createAutomationEngine({
    store,
    now: opts.now,
    campaignStarted: async (c) => await writeback.campaignStarted(c),
    kick,
    logger: automationLog,
  });
  const listEnrolment = createListEnrolment({
    store,
    sugar,
    sudoFor: (u) => sugar.sudo(u),
    now: opts.now,
    onEnrolled: () => automationRunner.wake(),
    logger: automationLog,
  });
  const splitWinners = createSplitWinners({ store, now: clock, logger: automationLog });
  const automationRunner = createAutomationRunner({
    engine: automationEngine,
    checkSplits: splitWinners.check,
    tickMs: config.automationTickMs,
    refreshMs: config.automationListRefreshMs,
    logger: automationLog,
    refreshLists: listEnrolment.refreshActive,
    leases,
  });
  const automations = createAutomationService({
    store,
    engine: automationEngine,
    compile: compileOffered,
    senders,
    wake: () => automationRunner.wake(),
    readLists: listEnrolment.readInBackground,
    splits: splitWinners,
    audienceReaderOf: (creator) => (creator ? sugar.sudo(creator.userName) : sugar),
  });

  const pairing = createPairing({ relay: store.relay, serviceSecrets: verifyKeys });
  const testSendDeps = {
    compile: compileCampaign,
    build: buildMessage,
    allowance: store.relay,
    // A test goes out as the campaign's identity would send it: its relay, its key, its bounce domain; and only for
    // someone that identity lets send, as a campaign of their own would check.
    senderOf: async (c: Parameters<typeof senders.forDelivery>[0], actor: Actor) => {
      await senders.forSending(c.senderIdentityId, c.fromEmail, actor);
      const chosen = await senders.forDelivery(c);
      if ('refused' in chosen) return { refused: chosen.refused };
      return { mailer: transports.get(chosen.profile), messageContext: contextFor(messageContext, chosen.profile) };
    },
  };
  const app = createApp({
    auth: {
      apiKey: config.apiKey,
      // Rejected tokens remembered briefly, /me calls limited in number (issue 12).
      verifySugarToken: createTokenVerifier((token) => fetchCurrentUser(config.sugar.url, config.sugar.apiVersion, token, config.sugar.timeoutMs), {
        rejectedTtlMs: config.tokenCheck.rejectedTtlMs,
        maxConcurrent: config.tokenCheck.maxConcurrent,
      }),
      sugarAs: (token) => sugar.asUser(token),
      cacheMs: config.sugar.rightsCacheMs,
      operatorSugar: sugar,
    },
    ...(role('api') ? { relay: { pairing, relay: store.relay } } : {}),
    logger: logger.child({ component: 'http' }),
    ops: { readiness, metrics },
    // tracking: the pixel, click redirects, unsubscribe pages and ESP webhooks; api: the REST API and Sugar's relay.
    publicRouters: !role('tracking')
      ? []
      : [
          trackingRoutes(tracking),
          unsubscribeRoutes({
            secret: verifyKeys,
            facts: { optOut: engagement.unsubscribe },
            lookup: engagement.lookup,
            ...(engagement.spooling ? { spooling: () => engagement.spooling!.spill.active() } : {}),
            senderName: config.senderName,
            senderAddress: config.senderAddress,
            logger: logger.child({ component: 'unsubscribe' }),
          }),
          webhookRoutes({ secret: config.engagement.webhookSecret, facts: engagement.facts, lookup: engagement.lookup }),
        ],
    // One router per feature; a new endpoint is a router added here.
    ...(role('api') ? {} : { noApi: `This process does not serve the API (LEADFWD_ROLES=${[...config.roles].join(',')})` }),
    apiRouters: !role('api')
      ? []
      : [
          meRoutes({ newPairingCode: async () => await pairing.newCode() }),
          reportRoutes({
            report: engagement.report,
            mayView: (id, actor) => campaigns.allowed(id, actor, 'view'),
            people: engagement.people,
            csv: engagement.csv,
          }),
          campaignRoutes({
            campaigns,
            kick,
            testSend: (c, body, actor) => testSend(testSendDeps, c, body, actor),
            figures: engagement.figures,
            resolveUncertain: (id, body, actor) => resolveUncertain({ store, campaigns, answerGraceMs: config.answerGraceMs }, id, body, actor),
            followUps: createFollowUps({ store, allowed: campaigns.allowed, compile: compileOffered, senders, now: clock }),
          }),
          recipientPreviewRoutes(
            createRecipientPreview({
              campaigns,
              store,
              compile: compiled,
              render: (cc, row) => renderForRecipient(cc, row, messageContext),
              mjmlToHtml: (mjml) => mjmlToHtml(mjml, config.contentMaxBytes),
            }),
          ),
          sugarRoutes(createSugarTemplates({ mjmlToHtml: (mjml) => mjmlToHtml(mjml, config.contentMaxBytes) })),
          listRoutes(createLeadfwdLists({ store, maxMembers: config.listMaxMembers })),
          writebackRoutes(writeback),
          automationRoutes(automations),
          abTestRoutes({ abTests, kick }),
          identityRoutes(identities),
        ],
  });

  const http = withPixelFastPath(app, role('tracking') ? trackingFastPath(tracking) : () => false, () => metrics.http(200));
  const intake = createInboundIntake({ facts: engagement.facts, lookup: engagement.lookup });
  serve(http.listener);
  // Bounces, complaints and mailto unsubscribes come in with the tracking role.
  const inbound = !role('tracking')
    ? undefined
    : await startInboundListener({
        port: config.bounceSmtpPort,
        host: config.host,
        secret: verifyKeys,
        bounceDomain: config.bounceDomain,
        maxBytes: config.engagement.bounceMaxBytes,
        ...config.engagement.inbound,
        handle: async (route, report) => await intake.handle(route, report),
        logger: logger.child({ component: 'inbound' }),
      });
  if (inbound) inboundPort = () => inbound.port;
  engagement.start();
  readiness.start(); // the first checks, so the first /readyz has a result without running them itself
  // The rows a sending process claims are its own while this lease lives; when it dies, they turn uncertain.
  const processLease = leases && role('send') ? leases.keep(processLeaseName(opts.owner)) : undefined;
  await processLease?.ready;
  // One write-back lane per Sugar instance: the one process holding it writes, within Sugar's budget; another takes over when it dies.
  let lane: KeptLease | undefined;
  if (role('writeback')) {
    // before the scheduler, so a campaign found sending has its Sugar rows queued first
    if (leases) lane = leases.keep(`writeback:${config.sugar.url}`, { gained: () => writeback.start(), lost: () => writeback.stop() });
    else await writeback.start();
  }
  if (role('send')) {
    await scheduler.start();
    await abTestRunner.start();
  }
  if (role('automations')) await automationRunner.start();
  // Verdicts still unrecorded: this process's own lease runs out instead of being given back, so the rows they answer
  // are not sent again before LEADFWD_ANSWER_GRACE_MS (a lease given back means "nothing more to say").
  const giveBackLeases = async () => {
    await sendLoop.recordKept();
    const unrecorded = sendLoop.keptVerdicts();
    if (unrecorded) logger.warn({ event: 'send.outcomes_unrecorded', rows: unrecorded }, 'send.outcomes_unrecorded');
    // The other leases (the write-back lane, the scheduler's tick) go to the other processes at once either way.
    await leases?.releaseAll(unrecorded && processLease ? [processLease] : []);
  };
  // A newer version migrating the shared database under this process: take no more work, give back what is not on
  // the wire (the processes of the new version do it), and stay up saying so until upgraded.
  schemaWatch = shared
    ? watchSchema({
        newerSchema: () => store.newerSchema(),
        everyMs: SCHEMA_CHECK_MS,
        logger,
        stopTakingWork: async () => {
          await automationRunner.stop();
          await abTestRunner.stop();
          await scheduler.stop(); // rows on the wire are answered and recorded, the reserved ones given back
          await writeback.stop();
          await slots?.close(); // the providers' connections this process held
          await giveBackLeases(); // the write-back lane, the scheduler's tick, this process's own
        },
      })
    : undefined;
  // On SQLite no other process can take what this one leaves out (one process per data folder).
  const leftOut = ROLES.filter((r) => !config.roles.has(r));
  if (!config.database && leftOut.length)
    logger.warn(
      { event: 'roles.left_undone', roles: leftOut, why: `on the SQLite store no other process can do ${leftOut.join(', ')}: it is not done` },
      'roles.left_undone',
    );
  logger.info({ port, bouncePort: inbound?.port ?? 0, roles: [...config.roles], owner: opts.owner }, 'service.started');
  const stopping = new AbortController();
  let opened = !opts.fromSnapshot;
  const startupChecks = opts.fromSnapshot ? afterChecks(opts.fromSnapshot) : undefined;
  async function afterChecks(from: NonNullable<typeof opts.fromSnapshot>): Promise<void> {
    if (!(await from.checked(stopping.signal))) return;
    from.open();
    opened = true;
    await engagement.spooling?.release();
    // Its tracked links were the snapshot's: read afresh now, not a refresh period later (campaigns sent since).
    await engagement.tracked?.refresh().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'tracking.links.refresh_failed'));
    await syncEnvironment(environment).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'identities.environment_sync_failed'));
  }

  return {
    url: `http://${config.host}:${port}`,
    port,
    config,
    logger,
    store,
    sugar,
    writeback,
    get bouncePort() {
      return inbound?.port ?? 0;
    },
    pairingCodeIfUnpaired: async () => {
      // Started from the snapshot: asked once the database answers (undefined if its checks failed: main exits).
      await startupChecks?.catch(() => undefined);
      // Only a process that answers Sugar's pairing call shows a code, and processes starting together take turns.
      if (!opened || !role('api') || (await pairing.status()).paired) return undefined;
      return leases ? await leases.inTurn('start:pairing-code', pairing.codeAtStart) : await pairing.codeAtStart();
    },
    inboundStats: () => inbound?.stats() ?? { bufferedBytes: 0, connections: 0 },
    ...(startupChecks ? { startupChecks } : {}),
    async stop() {
      stopping.abort();
      schemaWatch?.stop();
      const drained = http.drain(server);
      await automationRunner.stop();
      await abTestRunner.stop();
      await inbound?.close();
      await scheduler.stop();
      await delivery.close(); // the scheduler waited for every row in flight to be answered
      await slots?.close(); // so the providers' connections this process held go to the others at once
      await drained;
      await engagement.close(); // commits buffered opens before the store closes
      await writeback.stop(); // calls in flight are answered and committed, or retried next start
      await lane?.stop();
      await giveBackLeases(); // others take the work over now, not after the ttl
      transports.close();
      await sugar.logout().catch(() => undefined);
      await store.close();
      server.closeAllConnections?.();
    },
  };
}
