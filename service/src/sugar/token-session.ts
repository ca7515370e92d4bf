// The service's own Sugar session (sugar-platform.md §1). Logins and refreshes are single-flight:
// concurrent callers whose token died all wait for the same renewal instead of racing, which matters
// because Sugar keeps one session per user and platform, so a second login would kill the first.

import type { SessionShare, SessionTokens } from '../ports/sugar-sessions.js';
import { errorFromResponse, errorLabel, SugarApiError } from './errors.js';
import type { SugarExchange } from './http-exchange.js';

export interface Credentials {
  username: string;
  password: string;
  platform: string;
}

const TOKEN_PATH = '/oauth2/token';

export class TokenSession {
  private access: string | undefined;
  private refresh: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly transport: SugarExchange,
    private readonly creds: Credentials,
    private readonly share?: SessionShare,
  ) {}

  /** A usable access token: the shared session's, or a login on first use. */
  current(): Promise<string> {
    if (this.pending) return this.pending;
    if (this.access) return Promise.resolve(this.access);
    return this.renew(undefined, 'login');
  }

  /**
   * Replaces the token `failed` that Sugar just rejected. 'refresh' uses the refresh token and falls back to a
   * password login if Sugar rejects it; 'login' goes straight to a password login.
   */
  renew(failed: string | undefined, mode: 'refresh' | 'login'): Promise<string> {
    if (this.pending) return this.pending;
    if (this.access && this.access !== failed) return Promise.resolve(this.access);
    const mine = this.access ? { access: this.access, refresh: this.refresh } : undefined;
    const run = this.share ? this.share.renew(failed, (latest) => this.grant(mode, latest)) : this.grant(mode, mine);
    this.pending = run
      .then((t) => {
        this.access = t.access;
        this.refresh = t.refresh;
        return t.access;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /**
   * Ends the session on Sugar's side; best effort, since the tokens are forgotten either way. A shared session is
   * only forgotten here: the other processes still use it.
   */
  async logout(): Promise<void> {
    await this.pending?.catch(() => undefined);
    const { access, refresh } = this;
    this.forget();
    if (!access || this.share) return;
    const res = await this.transport.exchange({
      method: 'POST',
      path: '/oauth2/logout',
      token: access,
      body: refresh ? { refresh_token: refresh } : {},
      idempotent: true,
      maxRetries: 0,
    });
    if (res.status >= 300) throw errorFromResponse('POST', '/oauth2/logout', res.status, res.body);
  }

  private grant(mode: 'refresh' | 'login', latest: SessionTokens | undefined): Promise<SessionTokens> {
    return mode === 'refresh' && latest?.refresh ? this.refreshGrant(latest.refresh) : this.passwordGrant();
  }

  private async refreshGrant(refreshToken: string): Promise<SessionTokens> {
    this.transport.stats.refreshes++;
    const res = await this.transport.exchange({
      method: 'POST',
      path: TOKEN_PATH,
      idempotent: true,
      body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: refreshToken, platform: this.creds.platform },
    });
    // A rotated-away or expired refresh token is 400 invalid_grant; start a new session instead.
    if (res.status === 400 || res.status === 401) return this.passwordGrant();
    return tokensOf(res.status, res.body);
  }

  private async passwordGrant(): Promise<SessionTokens> {
    this.transport.stats.logins++;
    this.forget();
    const res = await this.transport.exchange({
      method: 'POST',
      path: TOKEN_PATH,
      idempotent: true,
      body: {
        grant_type: 'password',
        client_id: 'sugar',
        client_secret: '',
        username: this.creds.username,
        password: this.creds.password,
        platform: this.creds.platform,
      },
    });
    return tokensOf(res.status, res.body);
  }

  private forget(): void {
    this.access = undefined;
    this.refresh = undefined;
  }
}

function tokensOf(status: number, body: unknown): SessionTokens {
  if (status !== 200) throw errorFromResponse('POST', TOKEN_PATH, status, body, true);
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.access_token !== 'string' || !b.access_token) {
    const { label } = errorLabel(body);
    throw new SugarApiError({ kind: 'unexpected', method: 'POST', path: TOKEN_PATH, status, label, message: 'token response without access_token' });
  }
  return { access: b.access_token, ...(typeof b.refresh_token === 'string' ? { refresh: b.refresh_token } : {}) };
}
