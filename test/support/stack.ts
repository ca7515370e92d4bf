// The whole product on loopback for end-to-end tests: the Sugar simulator, an SMTP sink and the
// service, each on port 0, with a DKIM key made for the run.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimOptions, type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { type RunningService, startService } from '../../service/src/composition.js';
import { loadConfig } from '../../service/src/config.js';
import { createLogger } from '../../service/src/logger.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { perFileUse } from './per-file.js';
import { startPostgres } from './postgres.js';
import { randomSecret } from './secrets.js';

export const API_KEY = randomSecret('test-api-key-');
/** Every From domain the tests send from (LEADFWD_SENDER_DOMAINS). */
export const TEST_SENDER_DOMAINS = 'news.example.test,acme.test,example.com,acme.example,example.test,b.test,bench.test';

export interface Stack {
  sim: SugarSim;
  sink: Awaited<ReturnType<typeof startSmtpSink>>;
  service: RunningService;
  dkim: { domain: string; selector: string; publicKeyDer: Buffer };
  dir: string;
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** Stops the service and starts it again on the same data (a new port; `service` and `api` follow), `whileStopped` between. */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export function makeDkimKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) as Buffer,
  };
}

/**
 * A stack for the whole test file: started before its tests, stopped after them. `use` receives it and may seed
 * what every test of the file shares (within `timeoutMs` for both, 30 s unless said).
 */
export const useStack = perFileUse(startStack, (stack) => stack.stop(), 30_000);

export async function startStack(
  opts: {
    sim?: SimOptions;
    sink?: Parameters<typeof startSmtpSink>[0];
    env?: Record<string, string>;
    now?: () => Date;
    /** 'postgres': the service on a throwaway PostgreSQL server of its own (LEADFWD_DATABASE_URL), gone at stop. */
    store?: 'sqlite' | 'postgres';
  } = {},
): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'leadfwd-e2e-'));
  const pg = opts.store === 'postgres' ? await startPostgres() : undefined;
  const sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true, ...opts.sim });
  const sink = await startSmtpSink({ port: 0, ...opts.sink });
  const key = makeDkimKey();
  writeFileSync(join(dir, 'dkim.pem'), key.privatePem, { mode: 0o600 });
  const config = loadConfig({
    LEADFWD_PORT: '0',
    LEADFWD_DATA_DIR: join(dir, 'data'),
    LEADFWD_SUGAR_URL: sim.url,
    LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    LEADFWD_SMTP_RATE: '100000',
    LEADFWD_API_KEY: API_KEY,
    LEADFWD_SECRET: randomSecret(),
    LEADFWD_DKIM_DOMAIN: 'news.example.test',
    LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS,
    LEADFWD_DKIM_SELECTOR: 'lf2026',
    LEADFWD_DKIM_PRIVATE_KEY_FILE: join(dir, 'dkim.pem'),
    ...(pg ? { LEADFWD_DATABASE_URL: pg.url } : {}),
    ...opts.env,
  });
  const start = () => startService(config, { logger: createLogger('silent'), ...(opts.now ? { now: opts.now } : {}) });
  const stack: Stack = {
    sim,
    sink,
    service: await start(),
    dir,
    api: apiClient(() => stack.service.url, API_KEY),
    dkim: { domain: 'news.example.test', selector: 'lf2026', publicKeyDer: key.publicKeyDer },
    async restart(whileStopped) {
      await stack.service.stop();
      await whileStopped?.();
      stack.service = await start();
    },
    async stop() {
      await stack.service.stop();
      await sink.close();
      await sim.close();
      await pg?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** JSON calls to a service's /api/v1 with an API key; `baseUrl` is read per call, so a restarted service is followed. */
export function apiClient(baseUrl: () => string, key: string): Stack['api'] {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl()}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;
/** Messages the sink took for one address (compared lower-cased), oldest first. */
export const mailTo = (sink: Sink, address: string) => sink.messages.filter((m) => m.envelope.to[0].toLowerCase() === address);
export const subjectsTo = (sink: Sink, address: string) => mailTo(sink, address).map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())![1].trim());

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The service's /readyz answer once its status is `status`, the bodies of the others read and dropped. /readyz answers
 * from checks run in the background (at most 5 s old), so a change shows only after the next check.
 */
export function untilReadyz(serviceUrl: string, status: number, timeoutMs = 15_000): Promise<Response> {
  return waitFor(
    async () => {
      const r = await fetch(`${serviceUrl}/readyz`);
      return r.status === status ? r : void (await r.arrayBuffer());
    },
    `/readyz ${status}`,
    timeoutMs,
  );
}
