// The composition root: the only module that knows every concrete adapter and wires them together.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openStore } from './store/db.js';
import { SugarClient, fetchCurrentUser } from './sugar/sugar-client.js';
import { createTokenVerifier } from './http/token-checks.js';
import { compileCampaign, renderPreview } from './mail/template.js';
import { buildMessage, type CompiledCampaign, type MessageContext } from './mail/message.js';
import { createSmtpTransport } from './mail/smtp-transport.js';
import { createSendLoop } from './sending/send-loop.js';
import { createInProcessDelivery } from './sending/delivery.js';
import { createThreadDelivery } from './sending/send-threads/pool.js';
import { createScheduler } from './campaigns/scheduler.js';
import { extractTargets } from './campaigns/extraction.js';
import { createCampaignService } from './campaigns/service.js';
import { testSend } from './campaigns/test-send.js';
import { createApp } from './http/app.js';
import { campaignRoutes } from './http/routes/campaigns.js';
import { sugarRoutes } from './http/routes/sugar.js';
import { listRoutes } from './http/routes/lists.js';
import { createLeadfwdLists } from './lists/service.js';
import type { Campaign } from './domain/types.js';
import type { StoredAutomation } from './store/ports.js';
import { createEngagement } from './engagement/index.js';
import { trackingFastPath, trackingRoutes, withPixelFastPath } from './http/routes/tracking.js';
import { unsubscribeRoutes } from './http/routes/unsubscribe.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { reportRoutes } from './http/routes/report.js';
import { startInboundListener } from './mail/inbound/listener.js';
import { createWriteback, type Writeback } from './writeback/index.js';
import { writebackRoutes } from './http/routes/writeback.js';
import { createOptOutScopeSource } from './writeback/opt-out-scope.js';
import { createPairing } from './relay/pairing.js';
import { meRoutes } from './http/routes/me.js';
import { createAutomationEngine } from './automations/engine.js';
import { createAutomationRunner } from './automations/runner.js';
import { createAutomationService } from './automations/service.js';
import { enrolFromLists } from './automations/list-enrolment.js';
import { automationRoutes } from './http/routes/automations.js';
import { createMetrics } from './ops/metrics.js';
import { createReadiness } from './ops/readiness.js';

export interface RunningService {
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  store: ReturnType<typeof openStore>;
  sugar: SugarClient;
  /** Writes every campaign's activity back to Sugar through the outbox. */
  writeback: Writeback;
  /** Port of the inbound SMTP listener (bounces, complaints, mailto unsubscribes); 0 while that port is taken. */
  bouncePort: number;
  /** A fresh pairing code while no Sugar is paired (for the operator to type into Sugar); undefined once paired. */
  pairingCodeIfUnpaired(): { code: string; expiresAt: string } | undefined;
  /** What the inbound SMTP listener holds right now (bytes buffered, connections). */
  inboundStats(): { bufferedBytes: number; connections: number };
  /** Graceful: stop claiming work, let in-flight sends finish, close everything. */
  stop(): Promise<void>;
}

export async function startService(config: Config, opts: { logger?: Logger; /** Automation clock; tests pass a fake one. */ now?: () => Date } = {}): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  if (config.dataDir !== ':memory:') mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'leadfwd.sqlite'), {
    maxSizeBytes: config.dbMaxMb ? config.dbMaxMb * 1024 * 1024 : undefined,
    checkpointEveryMs: config.dbCheckpointMs,
    onCheckpointerDied: (reason) => logger.error({ event: 'store.checkpointer_died', reason }, 'store.checkpointer_died'),
  });
  const sugar = new SugarClient({
    baseUrl: config.sugar.url, apiVersion: config.sugar.apiVersion, username: config.sugar.username,
    password: config.sugar.password, platform: config.sugar.platform, timeoutMs: config.sugar.timeoutMs,
    logger: logger.child({ component: 'sugar' }),
  });
  const dkim = config.dkim.privateKeyFile
    ? { domainName: config.dkim.domain!, keySelector: config.dkim.selector!, privateKeyPem: readFileSync(config.dkim.privateKeyFile, 'utf8') }
    : undefined;
  const threaded = config.smtp.sendThreads > 0;
  // With send threads this transport only carries test sends, so it signs inline.
  const transport = createSmtpTransport({ smtpUrl: config.smtp.url, maxConnections: config.smtp.maxConnections, dkim, dkimWorkers: dkim && !threaded ? config.dkim.workers : 0, logger: logger.child({ component: 'smtp' }) });
  const messageContext: MessageContext = {
    publicUrl: config.publicUrl, secret: config.secret, bounceDomain: config.bounceDomain,
    messageIdDomain: config.dkim.domain ?? config.bounceDomain, feedbackSenderId: 'leadfwd', senderPostalAddress: config.senderAddress,
  };

  // Tokens and VERP addresses verify against the current secret, then the one before a rotation; signing uses the current.
  const verifyKeys: readonly string[] = config.secretPrevious ? [config.secret, config.secretPrevious] : [config.secret];
  const metrics = createMetrics({ store, sugarStats: () => sugar.stats() });
  const readiness = createReadiness({
    probeStore: () => store.probeWritable(), sugarUrl: config.sugar.url, sugarApiVersion: config.sugar.apiVersion, smtpUrl: config.smtp.url,
    dataDir: config.dataDir === ':memory:' ? undefined : config.dataDir, minFreeBytes: config.diskMinFreeMb * 1_048_576,
  });

  const compiledCache = new Map<string, Promise<CompiledCampaign>>();
  const compiled = (c: Campaign) => {
    let p = compiledCache.get(c.id);
    if (!p) {
      p = compileCampaign({ campaignId: c.id, subject: c.subject, fromName: c.fromName, fromEmail: c.fromEmail, replyTo: c.replyTo, mjml: c.mjml, html: c.html });
      p.then((cc) => store.campaigns.saveLinks(c.id, cc.links), () => compiledCache.delete(c.id));
      compiledCache.set(c.id, p);
    }
    return p;
  };

  const engagement = createEngagement({
    store, softBounceLimit: config.engagement.softBounceLimit, retentionDays: config.engagement.retentionDays,
    appleEgressCidrs: config.engagement.appleEgressCidrs, scannerCidrs: config.engagement.scannerCidrs,
    openTooSoonMs: config.engagement.openTooSoonMs, clickTooSoonMs: config.engagement.clickTooSoonMs, flushMs: config.engagement.pixelFlushMs,
    eventsPerRecipient: config.engagement.eventsPerRecipient,
    logger: logger.child({ component: 'engagement' }),
  });
  const tracking = {
    secret: verifyKeys, opens: engagement.opens, clicks: engagement.clicks,
    answerAfterCommit: config.engagement.pixelAnswerAfterCommit, logger: logger.child({ component: 'tracking' }),
  };

  // Content offered now is held to LEADFWD_CONTENT_MAX_BYTES (413); stored campaigns compile without it.
  const compileOffered: typeof compileCampaign = (spec) => compileCampaign(spec, { maxBytes: config.contentMaxBytes });
  const campaigns = createCampaignService({ store, compile: compileOffered, senderDomains: config.senderDomains });
  const delivery = threaded
    ? createThreadDelivery({
      threads: config.smtp.sendThreads, smtpUrl: config.smtp.url, maxConnections: config.smtp.maxConnections, dkim, messageContext, compiled,
      logger: logger.child({ component: 'send-thread' }),
    })
    : createInProcessDelivery({ mailer: transport, compiled, build: buildMessage, messageContext, concurrency: config.smtp.maxConnections * 2 });
  const worker = createSendLoop({
    store, delivery,
    rate: { perSecond: config.smtp.rate, perHour: config.smtp.ratePerHour || undefined },
    logger: logger.child({ component: 'send' }),
    // The relay's own 5xx/4xx verdicts become bounce facts; a store hiccup must not fail the send loop.
    onOutcome: (r, res) => {
      metrics.send(res.outcome);
      try { engagement.smtpOutcome(r, res); } catch (err) { logger.warn({ err, rowId: r.rowId }, 'engagement.smtp_outcome_failed'); }
    },
  });
  const writebackLogger = logger.child({ component: 'writeback' });
  const writeback = createWriteback({
    store, sugar, settings: config.writeback, links: (c) => compiled(c).then((cc) => cc.links),
    logger: writebackLogger,
    optOutScope: createOptOutScopeSource({ read: () => sugar.get('/leadfwd/config'), fallback: config.writeback.optOutScope, logger: writebackLogger }),
  });
  const scheduler = createScheduler({
    store,
    onSendingStarted: (c) => writeback.campaignStarted(c),
    extract: (c) => extractTargets({ sugar, store }, c),
    // A step campaign stays 'sending' when its ledger is empty (targets reach the step later) until its automation stops.
    send: async (id, signal) => {
      const result = await worker.run(id, signal);
      return result === 'done' && store.automations.isOpenStepCampaign(id) ? 'stopped' : result;
    },
    logger: logger.child({ component: 'scheduler' }),
  });
  const automationEngine = createAutomationEngine({
    store, now: opts.now, campaignStarted: (c) => writeback.campaignStarted(c), kick: () => scheduler.kick(),
    logger: logger.child({ component: 'automations' }),
  });
  const automationLog = logger.child({ component: 'automations' });
  const readLists = (a: StoredAutomation) => enrolFromLists({ store, sugar }, a, (opts.now?.() ?? new Date()).toISOString())
    .then(({ enrolled }) => { if (enrolled) automationRunner.wake(); });
  const automationRunner = createAutomationRunner({
    engine: automationEngine, tickMs: config.automationTickMs, refreshMs: config.automationListRefreshMs, logger: automationLog,
    refreshLists: async () => { for (const a of store.automations.inStatus('active')) if (a.targetListIds.length) await readLists(a); },
  });
  const automations = createAutomationService({
    store, engine: automationEngine, compile: compileOffered, senderDomains: config.senderDomains, wake: () => automationRunner.wake(),
    readLists: (a) => { readLists(a).catch((err) => automationLog.warn({ err: (err as Error).message, automationId: a.id }, 'automation.list_read_failed')); },
  });

  const pairing = createPairing({ relay: store.relay, serviceSecrets: verifyKeys });
  const app = createApp({
    auth: {
      apiKey: config.apiKey,
      // Rejected tokens remembered briefly, /me calls limited in number (issue 12).
      verifySugarToken: createTokenVerifier((token) => fetchCurrentUser(config.sugar.url, config.sugar.apiVersion, token, config.sugar.timeoutMs), {
        rejectedTtlMs: config.tokenCheck.rejectedTtlMs, maxConcurrent: config.tokenCheck.maxConcurrent,
      }),
      sugarAs: (token) => sugar.asUser(token),
      cacheMs: config.sugar.rightsCacheMs,
      operatorSugar: sugar,
    },
    relay: { pairing, relay: store.relay },
    logger: logger.child({ component: 'http' }),
    ops: { readiness, metrics },
    publicRouters: [
      trackingRoutes(tracking),
      unsubscribeRoutes({
        secret: verifyKeys, facts: engagement.facts, lookup: engagement.lookup, senderName: config.senderName,
        senderAddress: config.senderAddress, logger: logger.child({ component: 'unsubscribe' }),
      }),
      webhookRoutes({ secret: config.engagement.webhookSecret, facts: engagement.facts, lookup: engagement.lookup }),
    ],
    apiRouters: [
      meRoutes({ newPairingCode: () => pairing.newCode() }),
      reportRoutes({ report: engagement.report, mayView: (id, actor) => campaigns.allowed(id, actor, 'view') }),
      campaignRoutes({
        campaigns,
        kick: () => scheduler.kick(),
        testSend: (c, body, actor) => testSend({ compile: compileCampaign, build: buildMessage, messageContext, mailer: transport, allowance: store.relay }, c, body, actor),
        preview: async (input) => {
          const cc = await compileOffered({
            campaignId: 'preview', subject: String(input.subject ?? ''), fromName: String(input.fromName ?? ''),
            fromEmail: String(input.fromEmail ?? 'preview@example.com'),
            mjml: typeof input.mjml === 'string' ? input.mjml : undefined, html: typeof input.html === 'string' ? input.html : undefined,
          });
          return renderPreview(cc, (input.fields ?? {}) as Record<string, string>);
        },
      }),
      sugarRoutes(),
      listRoutes(createLeadfwdLists({ store, maxMembers: config.listMaxMembers })),
      writebackRoutes(writeback),
      automationRoutes(automations),
    ],
  });

  const http = withPixelFastPath(app, trackingFastPath(tracking), () => metrics.http(200));
  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(http.listener).listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const inbound = await startInboundListener({
    port: config.bounceSmtpPort, host: config.host, secret: verifyKeys, bounceDomain: config.bounceDomain,
    maxBytes: config.engagement.bounceMaxBytes, ...config.engagement.inbound, handle: (route, report) => engagement.intake.handle(route, report),
    logger: logger.child({ component: 'inbound' }),
  });
  engagement.start();
  readiness.start(); // the first checks, so the first /readyz has a result without running them itself
  const port = (server.address() as { port: number }).port;
  // Tests listen on port 0; tracking links must then point at the port actually bound.
  if (/:0$/.test(config.publicUrl)) messageContext.publicUrl = `http://${config.host}:${port}`;
  writeback.start(); // before the scheduler, so a campaign found sending has its Sugar rows queued first
  scheduler.start();
  automationRunner.start();
  logger.info({ port, bouncePort: inbound.port }, 'service.started');

  return {
    url: `http://${config.host}:${port}`, port, config, logger, store, sugar, writeback,
    get bouncePort() { return inbound.port; },
    pairingCodeIfUnpaired: () => (pairing.status().paired ? undefined : pairing.newCode()),
    inboundStats: () => inbound.stats(),
    async stop() {
      const drained = http.drain(server);
      await automationRunner.stop();
      await inbound.close();
      await scheduler.stop();
      await delivery.close(); // the scheduler waited for every row in flight to be answered
      await drained;
      engagement.close(); // commits buffered opens before the store closes
      await writeback.stop(); // calls in flight are answered and committed, or retried next start
      transport.close();
      await sugar.logout().catch(() => undefined);
      store.close();
      server.closeAllConnections?.();
    },
  };
}
