// The engagement HTTP surface as production wires it: the pixel fast path in front of the Express
// app built by createApp, on a real port.
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach } from 'vitest';
import { requireCampaignRight } from '../../service/src/access/policy.js';
import { createEngagement, type Engagement, type EngagementOptions } from '../../service/src/engagement/index.js';
import { createApp } from '../../service/src/http/app.js';
import { reportRoutes } from '../../service/src/http/routes/report.js';
import { trackingFastPath, trackingRoutes } from '../../service/src/http/routes/tracking.js';
import { unsubscribeRoutes } from '../../service/src/http/routes/unsubscribe.js';
import { webhookRoutes } from '../../service/src/http/routes/webhooks.js';
import type { Store } from '../../service/src/ports/index.js';
import { SECRET, type Seeded, seededStore } from './helpers.js';

export const API_KEY = 'engagement-api-key-0123456789';
export const WEBHOOK_SECRET = 'webhook-secret-0123456789';

export interface TrackingServer {
  url: string;
  engagement: Engagement;
  close(): Promise<void>;
}

export async function startTrackingServer(
  store: Store,
  opts: { senderName?: string; senderAddress?: string; webhookSecret?: string | null; engagement?: Partial<Omit<EngagementOptions, 'store'>> } = {},
): Promise<TrackingServer> {
  const engagement = createEngagement({ store, softBounceLimit: 3, retentionDays: 90, flushMs: 2, ...opts.engagement });
  const deps = { secret: SECRET, opens: engagement.opens, clicks: engagement.clicks };
  const app = createApp({
    auth: {
      apiKey: API_KEY,
      verifySugarToken: async () => {
        throw new Error('no Sugar in this test');
      },
    },
    publicRouters: [
      trackingRoutes(deps),
      unsubscribeRoutes({
        secret: SECRET,
        facts: engagement.facts,
        lookup: engagement.lookup,
        senderName: opts.senderName ?? 'Spring Team',
        senderAddress: opts.senderAddress ?? '1 Example Street, Springfield',
      }),
      webhookRoutes({
        secret: opts.webhookSecret === null ? undefined : (opts.webhookSecret ?? WEBHOOK_SECRET),
        facts: engagement.facts,
        lookup: engagement.lookup,
      }),
    ],
    apiRouters: [
      reportRoutes({
        report: engagement.report,
        mayView: async (id, actor) => {
          const c = await store.campaigns.get(id);
          if (c) await requireCampaignRight(actor, c, 'view');
        },
        people: engagement.people,
        csv: engagement.csv,
      }),
    ],
  });
  const fast = trackingFastPath(deps);
  const server: Server = createServer((req, res) => {
    if (!fast(req, res)) app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    engagement,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await engagement.close();
    },
  };
}

/** A raw request (node:http), so paths reach the server exactly as written, bytes and all. */
/** Before each test of the file: `n` accepted recipients in a fresh store and a tracking server on it (`use` gets both). */
export function useTrackingServer(n: number, use: (s: Seeded, srv: TrackingServer) => void, opts?: Parameters<typeof startTrackingServer>[1]): void {
  let s: Seeded;
  let srv: TrackingServer;
  beforeEach(async () => {
    s = await seededStore({ n });
    srv = await startTrackingServer(s.store, opts);
    use(s, srv);
  });
  afterEach(async () => {
    await srv.close();
    s.store.close();
  });
}

export async function rawGet(url: string, path: string, method = 'GET', headers: Record<string, string> = {}) {
  const { request } = await import('node:http');
  const u = new URL(url);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
