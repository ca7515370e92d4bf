// What LeadFWD's own Module Loader package adds to a Sugar instance, as seen over REST (docs/relay.md):
// - GET leadfwd/config: the settings every user reads (LeadfwdConfigApi.php::readConfig), never the relay secret;
// - POST leadfwd/pair and POST leadfwd/test (administrators): pairing with the service and "Test connection";
// - leadfwd/api/<path>: the relay (LeadfwdRelayApi.php) that forwards a user's call to the service, signed, with
//   the user's own token, and answers Sugar's 200 envelope {status, contentType, body}.
// The settings live in Sugar's config table, category "leadfwd", keyed as retrieveSettings() returns them; the
// Sidecar harness runs the real PHP files against this same object.
import { randomBytes } from 'node:crypto';
import { signRelay } from '../../service/src/domain/relay-signature.js';
import type { SimRequest } from './call.js';
import type { SimCore } from './core.js';
import { SugarError } from './errors.js';
import { errorResponse, type SimResponse } from './response.js';
import { splitVersion } from './version.js';

export type LeadfwdSettings = Record<string, string>;

const SCOPES = ['all', 'address', 'none'];
const RELAY_FIRST = new Set(['campaigns', 'automations', 'lists', 'sugar', 'preview', 'writeback', 'me', 'report', 'identities', 'ab-tests']);
const MAX_BODY = 2 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

/** readConfig()'s answer: a scope no administrator chose (or an unknown one) reads as null; the secret never. */
export function leadfwdConfigBody(s: LeadfwdSettings) {
  const scope = s.leadfwd_optout_scope;
  return {
    service_url: s.leadfwd_service_url ?? '',
    optout_scope: scope !== undefined && SCOPES.includes(scope) ? scope : null,
    paired: Boolean(s.leadfwd_relay_secret),
    paired_at: s.leadfwd_paired_at || null,
  };
}

const envelope = (status: number, body: string, contentType = 'application/json'): SimResponse => ({
  status: 200,
  body: { status, contentType, body },
  headers: {},
  cookies: [],
});
const relayError = (status: number, error: string, message: string) => envelope(status, JSON.stringify({ error, message }));

async function callService(url: string, init: RequestInit): Promise<SimResponse> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError';
    return timeout
      ? relayError(504, 'service_timeout', 'The LeadFWD service did not answer in time')
      : relayError(502, 'service_unreachable', 'The LeadFWD service cannot be reached from Sugar');
  }
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const text = await res.text();
  if (!/^(application\/json|text\/csv)$/.test(contentType)) return relayError(502, 'not_leadfwd', 'The address does not answer like a LeadFWD service');
  return envelope(res.status, text, contentType);
}

/** The service's status and JSON answer inside a relay envelope ({} where the body is not JSON). */
function answerOf(r: SimResponse): { status: number; answer: Record<string, unknown> } {
  const env = r.body as { status: number; body: string };
  try {
    return { status: env.status, answer: JSON.parse(env.body) as Record<string, unknown> };
  } catch {
    return { status: env.status, answer: {} };
  }
}

function isAdmin(core: SimCore, req: SimRequest) {
  const actor = core.auth.authenticate(req.headers['oauth-token'] ?? '');
  if (!actor.isAdmin) throw new SugarError(403, 'not_authorized', 'Only administrators can change the LeadFWD settings');
}

const serviceUrlOf = (v: unknown): string => {
  const url = typeof v === 'string' ? v.trim().replace(/\/+$/, '') : '';
  if (!/^https:\/\/[^\s/]+|^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(url) || /[?#]/.test(url)) {
    throw new SugarError(422, 'invalid_parameter', 'service_url must be an https:// address (http:// only on this computer)');
  }
  return url;
};

const argsOf = (req: SimRequest): Record<string, unknown> => {
  const body = req.body && 'text' in req.body ? (JSON.parse(req.body.text || '{}') as Record<string, unknown>) : {};
  return { ...body, ...req.query };
};

async function relay(core: SimCore, req: SimRequest, segments: string[]): Promise<SimResponse> {
  const token = req.headers['oauth-token'] ?? '';
  core.auth.authenticate(token);
  const s = core.leadfwdSettings;
  if (!s.leadfwd_service_url) return relayError(409, 'relay_not_configured', 'No LeadFWD service address is saved in Sugar');
  if (!s.leadfwd_relay_secret) return relayError(409, 'relay_not_paired', 'Sugar is not paired with the LeadFWD service yet');
  const args = argsOf(req);
  const query = typeof args.lf_query === 'string' ? args.lf_query : '';
  const body = typeof args.lf_body === 'string' ? args.lf_body : '';
  if (
    !RELAY_FIRST.has(segments[0]) ||
    segments.some((p) => !/^[A-Za-z0-9_-]{1,64}$/.test(p)) ||
    body.length > MAX_BODY ||
    (args.lf_body !== undefined && typeof args.lf_body !== 'string') ||
    /[^\x21-\x7E]|#/.test(query) ||
    (req.method === 'GET' && body !== '')
  ) {
    return relayError(422, 'relay_bad_request', 'This LeadFWD request cannot be relayed');
  }
  // Signed as fetch will send it: it percent-encodes what cURL leaves as is (a quote), and the service checks the bytes it got.
  const sent = new URL(`${s.leadfwd_service_url}/relay/v1/${segments.join('/')}${query ? `?${query}` : ''}`);
  const path = sent.pathname.slice(new URL(s.leadfwd_service_url).pathname.replace(/\/$/, '').length) + sent.search;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = signRelay(Buffer.from(s.leadfwd_relay_secret, 'base64url'), {
    timestamp,
    nonce,
    method: req.method,
    pathAndQuery: path,
    body,
    userToken: token,
  });
  return callService(`${s.leadfwd_service_url}${path}`, {
    method: req.method,
    headers: {
      'OAuth-Token': token,
      'X-LeadFWD-Timestamp': timestamp,
      'X-LeadFWD-Nonce': nonce,
      'X-LeadFWD-Signature': signature,
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body || undefined,
  });
}

async function pair(core: SimCore, req: SimRequest): Promise<SimResponse> {
  isAdmin(core, req);
  const args = argsOf(req);
  const url = serviceUrlOf(args.service_url);
  if (typeof args.code !== 'string' || !args.code.trim()) throw new SugarError(422, 'missing_parameter', 'Missing parameter: code');
  const r = await callService(`${url}/relay/pair`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ code: args.code.trim().slice(0, 64), sugarUrl: 'http://sugar-sim.local' }),
  });
  const { status, answer } = answerOf(r);
  if (status === 200 && answer.service === 'leadfwd' && typeof answer.secret === 'string') {
    Object.assign(core.leadfwdSettings, { leadfwd_service_url: url, leadfwd_relay_secret: answer.secret, leadfwd_paired_at: String(answer.pairedAt ?? '') });
    return envelope(200, JSON.stringify({ paired: true, paired_at: answer.pairedAt }));
  }
  if (status === 200) return relayError(502, 'not_leadfwd', 'The address does not answer like a LeadFWD service');
  return r;
}

async function test(core: SimCore, req: SimRequest): Promise<SimResponse> {
  isAdmin(core, req);
  const url = serviceUrlOf(argsOf(req).service_url);
  const r = await callService(`${url}/relay/hello`, { method: 'GET', headers: { Accept: 'application/json' } });
  const { answer: hello } = answerOf(r);
  if (hello.service === 'leadfwd' || ['service_unreachable', 'service_timeout', 'not_leadfwd'].includes(String(hello.error))) return r;
  return relayError(502, 'not_leadfwd', 'The address does not answer like a LeadFWD service');
}

/** The package's endpoints that call the service; undefined for every other path (handled as Sugar's own). */
export async function handleLeadfwdPackage(core: SimCore, req: SimRequest): Promise<SimResponse | undefined> {
  let rest: string;
  try {
    rest = splitVersion(req.path, req.headers.accept, core.opts.maxVersion).rest;
  } catch {
    return undefined;
  }
  const segments = rest.split('/').filter(Boolean);
  if (segments[0] !== 'leadfwd') return undefined;
  try {
    if (segments[1] === 'api' && segments.length >= 3 && segments.length <= 5) return await relay(core, req, segments.slice(2));
    if (req.method === 'POST' && segments.length === 2 && segments[1] === 'pair') return await pair(core, req);
    if (req.method === 'POST' && segments.length === 2 && segments[1] === 'test') return await test(core, req);
  } catch (err) {
    return errorResponse(err, core);
  }
  return undefined;
}
