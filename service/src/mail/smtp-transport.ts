// SMTP delivery over pooled nodemailer SMTP connections (smtp-pool.ts). Messages arrive as raw
// MIME from message.ts and are DKIM-signed here with a key parsed once. send() never throws for an SMTP
// outcome: every reply or failure is classified (domain/smtp-reply.ts), and a connection lost
// after the whole message went out is "uncertain", never retried blindly.
import { classifySmtpOutcome } from '../domain/smtp-reply.js';
import type { Log } from '../ports/log.js';
import type { BuiltMessage, SendResult } from '../ports/mail.js';
import { createDkimPreparer, createDkimSigner, type DkimOptions } from './dkim.js';
import { createDkimSigners } from './dkim-signers.js';
import { createSmtpPool, type DataEndGate, type SmtpSendError } from './smtp-pool.js';

export type { DkimOptions } from './dkim.js';
export type { DataEndGate } from './smtp-pool.js';

export type SmtpTransportLogger = Pick<Log, 'warn'> & Partial<Pick<Log, 'info' | 'debug'>>;

export interface SmtpTransportOptions {
  smtpUrl: string; // smtp://user:pass@host:port?ignoreTLS=true, smtps:// for implicit TLS
  maxConnections?: number;
  maxMessagesPerConnection?: number;
  dkim?: DkimOptions;
  logger?: SmtpTransportLogger;
  /** Per-message socket timeouts in ms (connection, greeting, idle socket). */
  timeoutMs?: number;
  /** Worker threads for RSA signing; 0 (default) signs on the calling thread. */
  dkimWorkers?: number;
}

export type { SendResult } from '../ports/mail.js';

export interface SmtpTransport {
  /** With `dataEnd`, the message's final dot waits for it (smtp-pool.ts). */
  send(m: BuiltMessage, dataEnd?: DataEndGate): Promise<SendResult>;
  verify(): Promise<void>;
  close(): void;
}

type Sign = (raw: string, canonicalBody?: Buffer) => Promise<string>;
const HEADER_END = Buffer.from('\r\n\r\n');

/** The DKIM-Signature header for a message, computed inline or on worker threads. */
function dkimHeaderFor(opts: SmtpTransportOptions): { sign: Sign | null; close(): void } {
  if (!opts.dkim) return { sign: null, close: () => {} };
  if (!opts.dkimWorkers) {
    const inline = createDkimSigner(opts.dkim); // parses the key once, throws now if it is bad
    return { sign: async (raw, body) => inline(raw, body), close: () => {} };
  }
  const pool = createDkimSigners(opts.dkim.privateKeyPem, opts.dkimWorkers);
  const prepare = createDkimPreparer(opts.dkim);
  return {
    sign: async (raw, body) => {
      const p = prepare(raw, body);
      return p.finish(await pool.sign(p.canonical));
    },
    close: () => void pool.close(),
  };
}

const BOOLEAN_PARAMS = new Set(['ignoreTLS', 'requireTLS', 'secure']);

export function smtpOptionsFromUrl(smtpUrl: string): {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  ignoreTLS?: boolean;
  requireTLS?: boolean;
  tls?: { rejectUnauthorized: boolean };
} {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error(`SMTP URL is not a URL: "${smtpUrl}"`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP URL must start with smtp:// or smtps://, got "${url.protocol}"`);
  const secure = url.protocol === 'smtps:';
  const opts: ReturnType<typeof smtpOptionsFromUrl> = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || (secure ? 465 : 25), secure };
  if (url.username) opts.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  for (const [key, value] of url.searchParams) {
    if (BOOLEAN_PARAMS.has(key)) (opts as Record<string, unknown>)[key] = value === 'true';
    else if (key === 'tls.rejectUnauthorized') opts.tls = { rejectUnauthorized: value !== 'false' };
    else throw new Error(`unknown SMTP URL parameter "${key}"`);
  }
  return opts;
}

export function createSmtpTransport(opts: SmtpTransportOptions): SmtpTransport {
  const dkim = dkimHeaderFor(opts);
  const timeout = opts.timeoutMs ?? 60_000;
  const pool = createSmtpPool({
    ...smtpOptionsFromUrl(opts.smtpUrl),
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: opts.maxMessagesPerConnection ?? 1000,
    connectionTimeout: Math.min(timeout, 30_000),
    greetingTimeout: Math.min(timeout, 30_000),
    socketTimeout: timeout,
  });

  return {
    async send(m: BuiltMessage, dataEnd?: DataEndGate): Promise<SendResult> {
      // Encoded once: the same bytes are hashed for DKIM and written to the socket.
      const bytes = Buffer.from(m.raw);
      let raw = bytes;
      try {
        if (dkim.sign) {
          const at = m.canonicalBody ? bytes.indexOf(HEADER_END) : -1;
          const header = await dkim.sign(m.raw, at >= 0 ? bytes.subarray(at + 4) : undefined);
          raw = Buffer.concat([Buffer.from(header, 'latin1'), bytes]);
        }
      } catch (err) {
        // Nothing left this process, so a later attempt is safe; policy flags it as our problem.
        return { outcome: 'retryable', text: `message could not be signed: ${(err as Error).message}`, policy: true };
      }
      try {
        const info = await pool.send(m.envelope, raw, dataEnd);
        const rejected = (info.rejected ?? []) as unknown[];
        if (rejected.length && !(info.accepted ?? []).length) {
          const e = ((info as { rejectedErrors?: SmtpSendError[] }).rejectedErrors ?? [])[0];
          return classifySmtpOutcome({ responseCode: e?.responseCode, response: e?.response, errorCode: 'EENVELOPE', command: 'RCPT TO' });
        }
        return classifySmtpOutcome({ response: typeof info.response === 'string' ? info.response : '250 accepted' });
      } catch (err) {
        const e = err as SmtpSendError;
        if (e.dataEndRefused) {
          // The dot never left and the connection closed: the server dropped the message, so it may go again.
          return { outcome: 'retryable', text: e.message, internal: true };
        }
        if (e.code === 'EAUTH' || /^AUTH\b/i.test(e.command ?? '')) {
          // The relay refused our credentials: about the sender identity, not this recipient. Nothing was sent.
          const text = `the relay refused the identity's login: ${(e.response ?? e.message).replace(/[\r\n]+/g, ' ')}`.slice(0, 500);
          opts.logger?.warn({ event: 'smtp.auth_refused', code: e.responseCode, text }, 'smtp.auth_refused');
          return { outcome: 'retryable', ...(e.responseCode ? { code: e.responseCode } : {}), text, internal: true, relayProblem: 'auth' };
        }
        const result = classifySmtpOutcome({
          responseCode: e.responseCode,
          response: e.response,
          errorCode: e.code ?? 'EUNKNOWN',
          command: e.command,
          message: e.message,
          // Once the body went to the socket only the server knows whether it kept the message.
          afterData: e.bodyStarted === true,
        });
        if (result.outcome !== 'permanent' || result.policy) {
          opts.logger?.warn(
            { event: 'smtp.send_failed', outcome: result.outcome, code: result.code, text: result.text, messageId: m.messageId },
            'smtp.send_failed',
          );
        }
        return result;
      }
    },
    verify: () => pool.verify(),
    close() {
      pool.close();
      dkim.close();
    },
  };
}
