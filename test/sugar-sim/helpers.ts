// Real simulator on port 0 plus a thin fetch wrapper, shared by the conformance suite.
import { afterAll, beforeAll } from 'vitest';
import { jsonOr } from '../../scripts/sugar-harness/runtime/api.js';
import { type SimOptions, type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
  text: string;
  headers: Headers;
}

export interface ReqOptions {
  token?: string;
  body?: unknown; // JSON-encoded unless raw is given
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export async function startTestSim(opts: SimOptions = {}): Promise<SugarSim> {
  return startSugarSim({ quiet: true, ...opts });
}

/** A simulator for the whole test file and an admin token on it (filled in before the file's tests run). */
export function adminSim(opts: SimOptions = {}): { sim: SugarSim; a: ReturnType<typeof api>; token: string } {
  const ctx = {} as { sim: SugarSim; a: ReturnType<typeof api>; token: string };
  beforeAll(async () => {
    ctx.sim = await startTestSim(opts);
    ctx.a = api(ctx.sim);
    ctx.token = (await ctx.a.login('admin')).access_token;
  });
  afterAll(() => ctx.sim?.close());
  return ctx;
}

export function api(sim: SugarSim, version = 'v11_1') {
  const base = `${sim.url}/rest${version ? `/${version}` : ''}`;
  async function req(method: string, path: string, o: ReqOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers['OAuth-Token'] = o.token;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['Content-Type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, body: jsonOr(text, undefined), text, headers: res.headers };
  }
  async function login(username = 'admin', platform = 'base', extra: Record<string, unknown> = {}) {
    const r = await req('POST', '/oauth2/token', {
      body: { grant_type: 'password', client_id: 'sugar', client_secret: '', username, password: username, platform, ...extra },
    });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return r.body as { access_token: string; refresh_token: string; download_token: string };
  }
  return { req, login, base };
}

export function expectSugarError(r: Reply, status: number, label: string, message?: string | RegExp): void {
  const problems: string[] = [];
  if (r.status !== status) problems.push(`status ${r.status} != ${status}`);
  if (r.body?.error !== label) problems.push(`error ${r.body?.error} != ${label}`);
  if (typeof r.body?.error_message !== 'string') problems.push('error_message missing');
  if (typeof message === 'string' && r.body?.error_message !== message) problems.push(`message "${r.body?.error_message}" != "${message}"`);
  if (message instanceof RegExp && !message.test(r.body?.error_message)) problems.push(`message "${r.body?.error_message}" !~ ${message}`);
  if (r.headers.get('cache-control') !== 'no-store') problems.push('Cache-Control is not no-store');
  if (/\bat .*\.(ts|js):\d+/.test(r.text)) problems.push('stack trace in body');
  if (problems.length) throw new Error(`${problems.join('; ')}\nbody: ${r.text}`);
}
