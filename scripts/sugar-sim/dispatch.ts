// One request pipeline for HTTP and bulk items: version, body, route (before auth, fact-check rows 5, 8), auth, handler.

import type { Call, SimRequest } from './call.js';
import type { SimCore } from './core.js';
import { noMethod } from './errors.js';
import { parseJsonText } from './json.js';
import { errorResponse, isSimResponse, type SimResponse } from './response.js';
import { ROUTES, type Route } from './routes.js';
import type { Actor } from './users.js';
import { isPlainObject } from './util.js';
import { MODULES } from './vardefs.js';
import { splitVersion } from './version.js';

// Routes that need no login (the token endpoint) run as nobody.
const GUEST: Actor = { id: '', userName: '', isAdmin: false, denied: {} };

function match(route: Route, segments: string[]): Record<string, string> | undefined {
  if (route.pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const p = route.pattern[i];
    const s = segments[i];
    if (p.startsWith(':')) {
      if (p === ':module' && !MODULES.has(s)) return undefined;
      params[p.slice(1)] = s;
    } else if (p !== s) return undefined;
  }
  return params;
}

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw noMethod(path);
  }
}

export function handleRest(core: SimCore, req: SimRequest): SimResponse {
  try {
    const { rest } = splitVersion(req.path, req.headers.accept, core.opts.maxVersion);
    const parsed = req.body === undefined ? undefined : 'text' in req.body ? parseJsonText(req.body.text) : req.body.value;
    const segments = decodeSegments(rest);
    const method = req.method.toUpperCase();
    let found: { route: Route; params: Record<string, string> } | undefined;
    for (const route of ROUTES) {
      if (!route.methods.includes(method)) continue;
      const params = match(route, segments);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) throw noMethod(rest);
    const body = isPlainObject(parsed) ? parsed : {};
    const bodyToken = method === 'POST' && typeof body.oauth_token === 'string' ? body.oauth_token : undefined;
    const token = req.headers['oauth-token'] || bodyToken || '';
    const actor = found.route.auth ? core.auth.authenticate(token) : GUEST;
    const call: Call = {
      core,
      method,
      params: found.params,
      query: req.query,
      body,
      args: { ...body, ...req.query },
      headers: req.headers,
      actor,
      token,
      handle: (sub) => handleRest(core, sub),
    };
    const out = found.route.run(call);
    if (isSimResponse(out)) return out;
    return { status: 200, body: out, headers: {}, cookies: [] };
  } catch (err) {
    return errorResponse(err, core);
  }
}
