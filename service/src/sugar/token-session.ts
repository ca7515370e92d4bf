// The service's own Sugar session (sugar-platform.md §1). Logins and refreshes are single-flight:
// concurrent callers whose token died all wait for the same renewal instead of racing, which matters
// because Sugar keeps one session per user and platform, so a second login would kill the first.
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
  ) {}

  /** A usable access token, logging in on first use. */
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
    const run = mode === 'refresh' && this.refresh ? this.refreshGrant() : this.passwordGrant();
    this.pending = run.finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Ends the session on Sugar's side; best effort, since the tokens are forgotten either way. */
  async logout(): Promise<void> {
    await this.pending?.catch(() => undefined);
    const { access, refresh } = this;
    this.access = undefined;
    this.refresh = undefined;
    if (!access) return;
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

  private async refreshGrant(): Promise<string> {
    this.transport.stats.refreshes++;
    const res = await this.transport.exchange({
      method: 'POST',
      path: TOKEN_PATH,
      idempotent: true,
      body: { grant_type: 'refresh_token', client_id: 'sugar', client_secret: '', refresh_token: this.refresh, platform: this.creds.platform },
    });
    // A rotated-away or expired refresh token is 400 invalid_grant; start a new session instead.
    if (res.status === 400 || res.status === 401) {
      this.forget();
      return this.passwordGrant();
    }
    return this.accept(res.status, res.body);
  }

  private async passwordGrant(): Promise<string> {
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
    return this.accept(res.status, res.body);
  }

  private accept(status: number, body: unknown): string {
    if (status !== 200) throw errorFromResponse('POST', TOKEN_PATH, status, body, true);
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.access_token !== 'string' || !b.access_token) {
      const { label } = errorLabel(body);
      throw new SugarApiError({ kind: 'unexpected', method: 'POST', path: TOKEN_PATH, status, label, message: 'token response without access_token' });
    }
    this.access = b.access_token;
    this.refresh = typeof b.refresh_token === 'string' ? b.refresh_token : undefined;
    return this.access;
  }

  private forget(): void {
    this.access = undefined;
    this.refresh = undefined;
  }
}
