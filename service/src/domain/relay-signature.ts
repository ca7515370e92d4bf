// The signature Sugar's relay puts on every call it forwards (docs/relay.md): an HMAC over the time, a nonce,
// the request line, the body and the user's token, so a captured call cannot be replayed, re-aimed or re-used
// with another user's session.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface RelayRequest {
  timestamp: string;
  nonce: string;
  method: string;
  /** Path and query exactly as sent, e.g. /relay/v1/campaigns?limit=5. */
  pathAndQuery: string;
  body: Buffer | string;
  userToken: string;
}

export const RELAY_WINDOW_SECONDS = 300;
const NONCE = /^[0-9a-f]{32}$/;
const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v1=([0-9a-f]{64})$/;

const sha256Hex = (v: Buffer | string) => createHash('sha256').update(v).digest('hex');

export function relaySigningString(r: RelayRequest): string {
  return ['v1', r.timestamp, r.nonce, r.method.toUpperCase(), r.pathAndQuery, sha256Hex(r.body), sha256Hex(r.userToken)].join('\n');
}

export function signRelay(secret: Buffer, r: RelayRequest): string {
  return `v1=${createHmac('sha256', secret).update(relaySigningString(r)).digest('hex')}`;
}

export type RelayVerdict = 'ok' | 'malformed' | 'stale' | 'invalid';

/** Checks shape, freshness and MAC; the caller checks the nonce was not seen before (it needs storage). */
export function verifyRelay(secret: Buffer, r: RelayRequest, signature: string, nowSeconds: number): RelayVerdict {
  const given = SIGNATURE.exec(signature);
  if (!given || !NONCE.test(r.nonce) || !TIMESTAMP.test(r.timestamp) || !r.userToken) return 'malformed';
  if (Math.abs(nowSeconds - Number(r.timestamp)) > RELAY_WINDOW_SECONDS) return 'stale';
  const expected = Buffer.from(signRelay(secret, r).slice(3), 'hex');
  return timingSafeEqual(Buffer.from(given[1], 'hex'), expected) ? 'ok' : 'invalid';
}
