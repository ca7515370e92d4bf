// What `npm run demo` needs on a first run on any machine: ports that are free (a local Postfix often holds 2525 and
// 2526), a DKIM key of its own (so the demo signs as the README says), and a log that keeps the banner readable
// (one line per HTTP request at debug, not info). Demo-only: the service itself is configured from the environment.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** Listens for a moment on host:port; the port bound, or undefined when it is taken. */
function probe(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });
}

export interface PortChoice {
  name: string;
  port: number;
  wanted: number;
  moved: boolean;
}

/**
 * The port an environment variable names (used as it is: the person asked for it), else the default when it is free,
 * else any free port. `moved` says the default was taken, so the banner can say so.
 */
export async function choosePort(name: string, env: string | undefined, fallback: number, host = '127.0.0.1'): Promise<PortChoice> {
  if (env !== undefined && env !== '') return { name, port: Number(env), wanted: Number(env), moved: false };
  const free = await probe(fallback, host);
  if (free !== undefined) return { name, port: free, wanted: fallback, moved: false };
  const any = await probe(0, host);
  if (any === undefined) throw new Error(`no free port for ${name}`);
  return { name, port: any, wanted: fallback, moved: true };
}

export interface DemoDkim {
  domain: string;
  selector: string;
  keyFile: string;
  dnsName: string;
  dnsRecord: string;
  created: boolean;
}

/** A 2048-bit RSA key kept in the demo's folder (owner-only), made on the first run; the TXT record it needs. */
export function demoDkimKey(dir: string, domain: string, selector: string): DemoDkim {
  const keyDir = join(dir, 'dkim');
  const keyFile = join(keyDir, `${selector}.private.pem`);
  let created = false;
  if (!existsSync(keyFile)) {
    mkdirSync(keyDir, { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    created = true;
  }
  const spki = createPublicKey(readFileSync(keyFile, 'utf8')).export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, keyFile, created, dnsName: `${selector}._domainkey.${domain}`, dnsRecord: `v=DKIM1; k=rsa; p=${spki}` };
}

/**
 * The service's logger with its per-request line ("http.request") moved from info to debug: at the default level
 * the banner, warnings and the service's own events stay on screen; LEADFWD_LOG_LEVEL=debug shows the requests again.
 */
export function quietRequests(logger: Logger): Logger {
  const wrap = (l: Logger): Logger =>
    new Proxy(l, {
      get(target, prop, receiver) {
        if (prop === 'child') return (bindings: Record<string, unknown>) => wrap(target.child(bindings) as Logger);
        if (prop === 'info') {
          return (obj: unknown, msg?: string, ...rest: unknown[]) =>
            msg === 'http.request' ? target.debug(obj as object, msg) : (target.info as (...a: unknown[]) => void)(obj, msg, ...rest);
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  return wrap(logger);
}
