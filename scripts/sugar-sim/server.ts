// SugarCRM REST v11 simulator: a real HTTP server on loopback with its own SQLite state.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import express, { type Request, type Response } from 'express';
import qs from 'qs';
import { controlRouter } from './control.js';
import { type QueryParser, SimCore } from './core.js';
import { openDb } from './db.js';
import type { SimFaults } from './faults.js';
import { restErrorHandler, restHandler } from './http.js';
import type { LeadfwdSettings } from './leadfwd-module.js';
import type { RequestLogEntry } from './request-log.js';
import { seedDemo, seedUsers } from './seed.js';
import { type BulkSeedOptions, seedBulk } from './seed-bulk.js';
import { campaignLogCounts } from './stats.js';
import { type Role, SEED_USERS } from './users.js';

export type { SimFaults } from './faults.js';
export type { RequestLogEntry } from './request-log.js';
export { DEMO_IDS } from './seed.js';
export type { BulkSeedOptions } from './seed-bulk.js';
export { type Role, SEED_USERS } from './users.js';

export interface SimOptions {
  port?: number;
  host?: string;
  dbPath?: string;
  seed?: 'demo' | 'empty' | 'none';
  platforms?: string[];
  accessTokenLifetime?: number;
  refreshTokenLifetime?: number;
  sessionCheckDelayMs?: number;
  maxVersion?: string;
  quiet?: boolean;
}

export interface SugarSim {
  url: string;
  port: number;
  faults: SimFaults;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  campaignLogCounts(campaignId: string): Record<string, number>;
  seedBulk(opts: BulkSeedOptions): { listIds: string[] };
  /** LeadFWD's settings as its package stores them in Sugar (read by GET /leadfwd/config). */
  leadfwdSettings: LeadfwdSettings;
  /** Changes a user's role from now on, as an administrator would in Sugar (undefined: back to the seeded role). */
  setRole(userName: string, role: Role | undefined): void;
  db: Database.Database;
  close(): Promise<void>;
}

export const DEFAULT_PLATFORMS = ['base', 'mobile', 'portal', 'opi', 'lpi', 'leadfwd'];

export async function startSugarSim(opts: SimOptions = {}): Promise<SugarSim> {
  const maxVersion = opts.maxVersion ?? '11_27';
  if (!/^11_\d{1,2}$|^1[01]$/.test(maxVersion)) throw new TypeError(`maxVersion must look like 11_27, got ${maxVersion}`);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // PHP's parse_str nests bracket forms deeply (filter[0][$or][0][$and][0][name][$starts]=x);
  // qs stops at depth 5 by default, so raise it to Sugar's JSON depth limit.
  const parseQuery: QueryParser = (s: string) => qs.parse(s, { depth: 32, arrayLimit: 10_000, parameterLimit: 10_000 });
  app.set('query parser', parseQuery);
  const db = openDb(opts.dbPath ?? ':memory:');
  const core = new SimCore(
    db,
    {
      platforms: opts.platforms ?? DEFAULT_PLATFORMS,
      accessTokenLifetime: opts.accessTokenLifetime ?? 3600,
      refreshTokenLifetime: opts.refreshTokenLifetime ?? 1_209_600,
      sessionCheckDelayMs: opts.sessionCheckDelayMs ?? 0,
      maxVersion,
      quiet: opts.quiet ?? false,
    },
    parseQuery,
  );
  const seed = opts.seed ?? 'demo';
  if (seed !== 'none') seedUsers(core);
  if (seed === 'demo') seedDemo(core);

  app.use('/__sim', controlRouter(core));
  app.use('/rest', express.raw({ type: () => true, limit: '64mb' }), restHandler(core), restErrorHandler(core));
  app.get('/', (_req: Request, res: Response) => {
    res.json({ simulator: 'sugar-sim', rest: '/rest/v11_1', maxVersion: `v${maxVersion}`, control: '/__sim/' });
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'no_method', error_message: 'Not a Sugar REST path; the API lives under /rest/v11_1/.' });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closed = false;

  return {
    url: `http://${host}:${port}`,
    port,
    faults: core.faults,
    requests: () => core.log.list(),
    clearRequests: () => core.log.clear(),
    campaignLogCounts: (id) => campaignLogCounts(core, id),
    seedBulk: (o) => seedBulk(core, o),
    leadfwdSettings: core.leadfwdSettings,
    setRole: (userName, role) => {
      const id = SEED_USERS.find((u) => u.user_name === userName)?.id;
      if (!id) throw new TypeError(`no seeded user ${userName}`);
      if (role) core.roles.set(id, role);
      else core.roles.delete(id);
    },
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}
