// The composition root: the only module that knows every concrete adapter and wires them together.
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openStore } from './store/db.js';
import { SugarClient, fetchCurrentUser } from './sugar/sugar-client.js';
import { compileCampaign, renderPreview } from './mail/template.js';
import { buildMessage, type CompiledCampaign, type MessageContext } from './mail/message.js';
import { createTransport } from './mail/transport.js';
import { createSendWorker } from './jobs/send-worker.js';
import { createScheduler } from './jobs/scheduler.js';
import { extractTargets } from './services/extract-targets.js';
import { createCampaignService } from './services/campaigns.js';
import { createSugarDirectory } from './services/sugar-directory.js';
import { testSend } from './services/test-send.js';
import { createApp } from './http/app.js';
import { campaignRoutes } from './http/routes/campaigns.js';
import { sugarRoutes } from './http/routes/sugar.js';
import { listRoutes } from './http/routes/lists.js';
import { createLeadfwdLists } from './services/leadfwd-lists.js';
import type { Campaign } from './domain/types.js';

export interface RunningService {
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  store: ReturnType<typeof openStore>;
  sugar: SugarClient;
  /** Graceful: stop claiming work, let in-flight sends finish, close everything. */
  stop(): Promise<void>;
}

export async function startService(config: Config, opts: { logger?: Logger } = {}): Promise<RunningService> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  if (config.dataDir !== ':memory:') mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'leadfwd.sqlite'));
  const sugar = new SugarClient({
    baseUrl: config.sugar.url, apiVersion: config.sugar.apiVersion, username: config.sugar.username,
    password: config.sugar.password, platform: config.sugar.platform, timeoutMs: config.sugar.timeoutMs,
    logger: logger.child({ component: 'sugar' }),
  });
  const dkim = config.dkim.privateKeyFile
    ? { domainName: config.dkim.domain!, keySelector: config.dkim.selector!, privateKeyPem: readFileSync(config.dkim.privateKeyFile, 'utf8') }
    : undefined;
  const transport = createTransport({ smtpUrl: config.smtp.url, maxConnections: config.smtp.maxConnections, dkim, logger: logger.child({ component: 'smtp' }) });
  const messageContext: MessageContext = {
    publicUrl: config.publicUrl, secret: config.secret, bounceDomain: config.bounceDomain,
    messageIdDomain: config.dkim.domain ?? config.bounceDomain, feedbackSenderId: 'leadfwd', senderPostalAddress: config.senderAddress,
  };

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

  const campaigns = createCampaignService({ store, sugar, compile: compileCampaign });
  const worker = createSendWorker({
    store, mailer: transport, compiled, build: buildMessage, messageContext,
    rate: { perSecond: config.smtp.rate, perHour: config.smtp.ratePerHour || undefined },
    concurrency: config.smtp.maxConnections * 2,
    logger: logger.child({ component: 'send' }),
  });
  const scheduler = createScheduler({
    store,
    extract: (c) => extractTargets({ sugar, store }, c),
    send: (id, signal) => worker.run(id, signal),
    logger: logger.child({ component: 'scheduler' }),
  });
  const directory = createSugarDirectory(sugar);

  const app = createApp({
    auth: {
      apiKey: config.apiKey,
      verifySugarToken: (token) => fetchCurrentUser(config.sugar.url, config.sugar.apiVersion, token, config.sugar.timeoutMs),
    },
    corsOrigin: config.sugar.origin,
    logger,
    apiRouters: [
      campaignRoutes({
        campaigns,
        kick: () => scheduler.kick(),
        testSend: (c, body) => testSend({ sugar, compiled, build: buildMessage, messageContext, mailer: transport }, c, body),
        preview: async (input) => {
          const cc = await compileCampaign({
            campaignId: 'preview', subject: String(input.subject ?? ''), fromName: String(input.fromName ?? ''),
            fromEmail: String(input.fromEmail ?? 'preview@example.com'),
            mjml: typeof input.mjml === 'string' ? input.mjml : undefined, html: typeof input.html === 'string' ? input.html : undefined,
          });
          return renderPreview(cc, (input.fields ?? {}) as Record<string, string>);
        },
      }),
      sugarRoutes({ targetLists: () => directory.targetLists(), fields: (m) => directory.fields(m) }),
      listRoutes(createLeadfwdLists({ store, sugar })),
    ],
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as { port: number }).port;
  // Tests listen on port 0; tracking links must then point at the port actually bound.
  if (/:0$/.test(config.publicUrl)) messageContext.publicUrl = `http://${config.host}:${port}`;
  scheduler.start();
  logger.info({ port }, 'service.started');

  return {
    url: `http://${config.host}:${port}`, port, config, logger, store, sugar,
    async stop() {
      server.close();
      await scheduler.stop();
      transport.close();
      await sugar.logout().catch(() => undefined);
      store.close();
      server.closeAllConnections?.();
    },
  };
}
