// One SMTP transport (pool and DKIM signer) per sender profile, made on first use and closed once idle, so each
// identity's messages go through its own relay and are signed with its own key only. The send threads keep one
// cache each; the main thread keeps one for in-process delivery and test sends.
import type { SenderProfile } from '../ports/mail.js';
import { createSmtpTransport, type SmtpTransport, type SmtpTransportLogger } from './smtp-transport.js';

export interface TransportCacheOptions {
  /** Connections per profile are its maxConnections divided by this (the send threads share them). */
  share?: number;
  maxMessagesPerConnection?: number;
  timeoutMs?: number;
  dkimWorkers?: number;
  /** A transport with nothing in flight for this long is closed (default 60 s). */
  idleMs?: number;
  logger?: SmtpTransportLogger;
  /** Made per profile; tests wrap the real one. */
  make?: typeof createSmtpTransport;
}

interface Entry {
  transport: SmtpTransport;
  inFlight: number;
  lastUsed: number;
}

export function createTransportCache(o: TransportCacheOptions = {}) {
  const entries = new Map<string, Entry>();
  const idleMs = o.idleMs ?? 60_000;
  const make = o.make ?? createSmtpTransport;
  const sweep = setInterval(
    () => {
      const t = Date.now();
      for (const [key, e] of entries) {
        if (e.inFlight === 0 && t - e.lastUsed > idleMs) {
          entries.delete(key);
          e.transport.close();
        }
      }
    },
    Math.max(1000, Math.min(idleMs, 30_000)),
  );
  sweep.unref();

  function entryFor(p: SenderProfile): Entry {
    let e = entries.get(p.key);
    if (!e) {
      e = {
        transport: make({
          smtpUrl: p.smtpUrl,
          maxConnections: Math.max(1, Math.ceil(p.maxConnections / Math.max(1, o.share ?? 1))),
          maxMessagesPerConnection: o.maxMessagesPerConnection,
          timeoutMs: o.timeoutMs,
          dkim: p.dkim,
          dkimWorkers: p.dkim ? (o.dkimWorkers ?? 0) : 0,
          logger: o.logger,
        }),
        inFlight: 0,
        lastUsed: Date.now(),
      };
      entries.set(p.key, e);
    }
    return e;
  }

  return {
    /** The profile's transport; send() through it counts as use. Throws when its key or URL cannot be used. */
    get(p: SenderProfile): SmtpTransport {
      const e = entryFor(p);
      return {
        async send(m, dataEnd) {
          e.inFlight++;
          try {
            return await e.transport.send(m, dataEnd);
          } finally {
            e.inFlight--;
            e.lastUsed = Date.now();
          }
        },
        verify: () => e.transport.verify(),
        close() {},
      };
    },
    /** Logs in to the profile's relay on a connection of its own and quits ("test connection"); throws with the relay's answer. */
    async verify(p: SenderProfile): Promise<void> {
      const t = make({ smtpUrl: p.smtpUrl, maxConnections: 1, timeoutMs: o.timeoutMs ?? 10_000 });
      try {
        await t.verify();
      } finally {
        t.close();
      }
    },
    /** Profiles with a transport open now (tests check idle ones go). */
    openKeys: () => [...entries.keys()],
    close() {
      clearInterval(sweep);
      for (const e of entries.values()) e.transport.close();
      entries.clear();
    },
  };
}

export type TransportCache = ReturnType<typeof createTransportCache>;
