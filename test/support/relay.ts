// Calls as a Sugar user through Sugar's relay (docs/relay.md), with the simulator playing Sugar: pairing an
// administrator makes once, then each call goes browser → Sugar (leadfwd/api/…) → service, signed.
import type { Stack } from './stack.js';

export async function sugarToken(sugarUrl: string, user: string, platform = 'base'): Promise<string> {
  const res = await fetch(`${sugarUrl}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no Sugar token for ${user}`);
  return body.access_token;
}

/** A Sugar REST call with a user's token; JSON in and out. */
export async function sugarRest(sugarUrl: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sugarUrl}/rest/v11_1/${path}`, {
    method,
    headers: { 'OAuth-Token': token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

/** Pairs the simulator (as its admin) with the stack's service using a code made with the API key. */
export async function pairSugar(stack: Stack): Promise<void> {
  const code = (await stack.api('POST', '/relay/pairing-code')).body.code as string;
  const admin = await sugarToken(stack.sim.url, 'admin');
  const r = await sugarRest(stack.sim.url, admin, 'POST', 'leadfwd/pair', { service_url: stack.service.url, code });
  if (r.status !== 200 || r.body?.status !== 200) throw new Error(`pairing failed: ${JSON.stringify(r.body)}`);
}

export type RelayCall = <T = any>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** Calls the service as `user` through Sugar's relay; answers the service's status and body from the envelope. */
export async function relayAs(stack: Stack, user: string): Promise<RelayCall> {
  const token = await sugarToken(stack.sim.url, user);
  return async (method, path, body) => {
    const [p, q] = path.split('?');
    const url = `leadfwd/api/${p.replace(/^\//, '')}${q ? `?lf_query=${encodeURIComponent(q)}` : ''}`;
    const r = await sugarRest(stack.sim.url, token, method, url, body === undefined ? undefined : { lf_body: JSON.stringify(body) });
    if (r.status !== 200) return { status: r.status, body: r.body };
    const env = r.body as { status: number; contentType: string; body: string };
    return { status: env.status, body: env.contentType === 'application/json' && env.body ? JSON.parse(env.body) : env.body };
  };
}
