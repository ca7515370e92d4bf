// app.api as ventana's contract describes it (sugar-platform.md §1, §10): call(method, url, data, callbacks),
// buildURL, the OAuth-Token header, and one refresh on 401 invalid_grant before replaying the call.
export interface HarnessApi {
  serverUrl: string;
  call(method: string, url: string, data?: unknown, callbacks?: { success?: (d: any) => void; error?: (e: any) => void; complete?: () => void }): Promise<any>;
  buildURL(module: string, action?: string | null, attributes?: Record<string, any> | null, params?: Record<string, any>): string;
  getOAuthToken(): string | undefined;
  getRefreshToken(): string | undefined;
  login(username: string, password: string): Promise<void>;
  /** Harness only: lets tests put a token Sugar no longer knows in place of the real one. */
  setTokens(access?: string, refresh?: string): void;
}

/** A response body as JSON (undefined when empty), or `fallback` when it is not JSON (an error page, a proxy's text). */
export function jsonOr(text: string, fallback: unknown): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return fallback;
  }
}

const VERB: Record<string, string> = { read: 'GET', create: 'POST', update: 'PUT', delete: 'DELETE' };

export function createApi(serverUrl: string, events: { trigger(e: string, ...a: unknown[]): void }): HarnessApi {
  let access: string | undefined;
  let refresh: string | undefined;
  let refreshing: Promise<boolean> | undefined;

  async function token(body: Record<string, unknown>): Promise<boolean> {
    const res = await fetch(`${serverUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_id: 'sugar', client_secret: '', platform: 'base', ...body }),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) return false;
    access = json.access_token;
    refresh = json.refresh_token;
    return true;
  }

  function refreshOnce(): Promise<boolean> {
    if (!refreshing) {
      refreshing = (refresh ? token({ grant_type: 'refresh_token', refresh_token: refresh }) : Promise.resolve(false))
        .catch(() => false)
        .finally(() => {
          refreshing = undefined;
        });
    }
    return refreshing;
  }

  async function send(method: string, url: string, data: unknown) {
    const verb = VERB[method] ?? method.toUpperCase();
    const res = await fetch(url, {
      method: verb,
      headers: { ...(access ? { 'OAuth-Token': access } : {}), ...(data != null && verb !== 'GET' ? { 'Content-Type': 'application/json' } : {}) },
      body: data != null && verb !== 'GET' ? JSON.stringify(data) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: jsonOr(text, text) as any };
  }

  const api: HarnessApi = {
    serverUrl,
    async call(method, url, data, callbacks = {}) {
      try {
        let r = await send(method, url, data);
        if (r.status === 401 && r.json?.error === 'invalid_grant' && (await refreshOnce())) r = await send(method, url, data);
        if (r.status >= 200 && r.status < 300) {
          callbacks.success?.(r.json);
          return r.json;
        }
        const err = { status: r.status, code: r.json?.error, message: r.json?.error_message ?? `HTTP ${r.status}` };
        if (r.status === 401) events.trigger('app:login:needed', err);
        callbacks.error?.(err);
        return undefined;
      } catch (e) {
        const err = { status: 0, code: 'network', message: (e as Error).message, textStatus: 'error' };
        callbacks.error?.(err);
        return undefined;
      } finally {
        callbacks.complete?.();
      }
    },
    buildURL(module, action, attributes, params) {
      let url = `${serverUrl}/${module}`;
      if (attributes?.id) url += `/${encodeURIComponent(attributes.id)}`;
      if (attributes?.link) url += `/link/${attributes.link}`;
      if (action) url += `/${action}`;
      const qs = params && Object.keys(params).length ? `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}` : '';
      return url + qs;
    },
    getOAuthToken: () => access,
    getRefreshToken: () => refresh,
    async login(username, password) {
      if (!(await token({ grant_type: 'password', username, password }))) throw new Error('You must specify a valid username and password.');
    },
    setTokens(a, r) {
      access = a;
      refresh = r;
    },
  };
  return api;
}
