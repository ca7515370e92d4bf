// A Sugar user's token bought by the service's administrator session (POST /oauth2/sudo/<user_name>, Sugar's
// OAuth2Api::sudo), so work done later without the user (a campaign's extraction) reads Sugar with that user's
// roles, teams and field rights. The platform is the service's own (`leadfwd`), never `base`: a sudo login ends that
// user's other sessions on the same platform, and `base` is the one their browser uses. The token is kept until it
// expires and renewed one at a time; Sugar gives no refresh token for sudo, so renewal is another sudo.

import { EARLY_MS, type SessionShare, type SessionTokens } from '../ports/sugar-sessions.js';
import { errorFromResponse, SugarApiError } from './errors.js';
import type { SugarExchange } from './http-exchange.js';

export class SudoSession {
  private access: string | undefined;
  private expiresAt = 0;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly transport: SugarExchange,
    /** The service's own token (an administrator's), and a way to replace it when Sugar refuses it. */
    private readonly admin: { current(): Promise<string>; renew(failed: string | undefined, mode: 'refresh' | 'login'): Promise<string> },
    private readonly userName: string,
    private readonly platform: string,
    private readonly now: () => number = Date.now,
    private readonly share?: SessionShare,
  ) {}

  current(): Promise<string> {
    if (this.pending) return this.pending;
    if (this.access && this.now() < this.expiresAt - EARLY_MS) return Promise.resolve(this.access);
    return this.renew(undefined);
  }

  renew(failed: string | undefined, _mode?: 'refresh' | 'login'): Promise<string> {
    if (this.pending) return this.pending;
    if (this.access && this.access !== failed && this.now() < this.expiresAt - EARLY_MS) return Promise.resolve(this.access);
    this.access = undefined;
    const run = this.share ? this.share.renew(failed, () => this.sudo()) : this.sudo();
    this.pending = run
      .then((t) => {
        this.access = t.access;
        this.expiresAt = t.expiresAt ?? 0;
        return t.access;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Nothing to end: the token dies on its own, and ending it would be one more call per campaign. */
  logout(): Promise<void> {
    return Promise.resolve();
  }

  private async sudo(): Promise<SessionTokens> {
    const path = `/oauth2/sudo/${encodeURIComponent(this.userName)}`;
    const body = { platform: this.platform, client_id: 'sugar' };
    let token = await this.admin.current();
    let res = await this.transport.exchange({ method: 'POST', path, token, body, idempotent: true });
    if (res.status === 401) {
      token = await this.admin.renew(token, 'refresh');
      res = await this.transport.exchange({ method: 'POST', path, token, body, idempotent: true });
    }
    if (res.status !== 200) throw errorFromResponse('POST', path, res.status, res.body);
    const b = (res.body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof b.access_token !== 'string' || !b.access_token)
      throw new SugarApiError({ kind: 'unexpected', method: 'POST', path, status: res.status, message: 'sudo response without access_token' });
    const ttl = Number(b.expires_in);
    return { access: b.access_token, expiresAt: this.now() + (Number.isFinite(ttl) && ttl > 0 ? ttl * 1000 : 3_600_000) };
  }
}
