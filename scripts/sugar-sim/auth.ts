// OAuth2 as sugar-platform.md §1 and fact-check rows 1-4, 20-21 describe it: password and refresh grants,
// rotating refresh tokens, and one live session per (user, platform) (two on mobile).
import { SugarError } from './errors.js';
import type { Row, Rows } from './rows.js';
import { type Actor, actorFor, hashPassword, type Role } from './users.js';
import { newId } from './util.js';

export interface AuthOptions {
  platforms: string[];
  accessTokenLifetime: number;
  refreshTokenLifetime: number;
  sessionCheckDelayMs: number;
  rejectRefresh: () => boolean;
  /** Roles changed at run time, by user id. */
  roles?: Map<string, Role>;
}

export interface TokenResult {
  body: Record<string, unknown>;
  cookies: string[];
}

const oauth400 = (label: string, msg: string) => new SugarError(400, label, msg);

export class Auth {
  constructor(
    private rows: Rows,
    private opts: AuthOptions,
  ) {}

  validatePlatform(platform: unknown): string {
    const p = platform === undefined || platform === null || platform === '' ? 'base' : platform;
    if (typeof p !== 'string' || !this.opts.platforms.includes(p)) {
      throw new SugarError(422, 'invalid_parameter', 'Invalid platform specified.');
    }
    return p;
  }

  token(args: Record<string, unknown>): TokenResult {
    const platform = this.validatePlatform(args.platform);
    const grant = args.grant_type;
    if (grant !== 'password' && grant !== 'refresh_token') {
      throw oauth400('invalid_request', 'Invalid grant_type parameter or parameter missing');
    }
    if (args.client_id !== 'sugar' || (args.client_secret !== undefined && args.client_secret !== '' && args.client_secret !== null)) {
      throw oauth400('invalid_client', 'The client credentials are invalid');
    }
    const userId = grant === 'password' ? this.checkPassword(args) : this.useRefreshToken(args);
    return this.issue(userId, platform);
  }

  /**
   * POST /oauth2/sudo/:user_name (OAuth2Api::sudo, SugarOAuth2Server::getSudoToken in Sugar 8.0): an administrator gets
   * an access token of another user, with that user's rights, on `platform` (default base). Not from a sudo token.
   * Sugar creates the session like a login (other sessions of that user and platform end) and then deletes its
   * refresh token, so the answer has none. How long Sugar keeps such a session alive is not read in its source:
   * here it lives its access-token lifetime.
   */
  sudo(adminToken: string, userName: string, args: Record<string, unknown>): TokenResult {
    const admin = this.authenticate(adminToken);
    const own = this.rows.prepare('SELECT sudo_for FROM oauth_access_tokens WHERE token = ?').get(adminToken) as Row | undefined;
    if (!admin.isAdmin || own?.sudo_for)
      throw new SugarError(403, 'not_authorized', 'You are not authorized to perform this action. Contact your administrator if you need access.');
    const platform = this.validatePlatform(args.platform);
    const user = this.rows.prepare("SELECT id FROM users WHERE user_name = ? AND deleted = 0 AND status = 'Active'").get(userName) as Row | undefined;
    if (!user) throw new SugarError(404, 'not_found', 'Could not find record');
    const t = this.issue(String(user.id), platform);
    const refresh = t.body.refresh_token as string;
    this.rows.prepare('UPDATE oauth_access_tokens SET sudo_for = ?, refresh_token = NULL WHERE refresh_token = ?').run(admin.id, refresh);
    this.rows.prepare('DELETE FROM oauth_refresh_tokens WHERE token = ?').run(refresh);
    const { refresh_token: _gone, refresh_expires_in: _none, ...body } = t.body;
    return { body, cookies: t.cookies };
  }

  private checkPassword(args: Record<string, unknown>): string {
    const { username, password } = args;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      throw oauth400('invalid_request', 'Missing parameters. "username" and "password" required');
    }
    const user = this.rows.prepare("SELECT * FROM users WHERE user_name = ? AND deleted = 0 AND status = 'Active'").get(username) as Row | undefined;
    if (!user || user.user_hash !== hashPassword(username, password)) {
      throw new SugarError(401, 'need_login', 'You must specify a valid username and password.');
    }
    return String(user.id);
  }

  private useRefreshToken(args: Record<string, unknown>): string {
    const token = args.refresh_token;
    if (typeof token !== 'string' || !token) throw oauth400('invalid_request', 'No "refresh_token" parameter found');
    const row = this.rows.prepare('SELECT * FROM oauth_refresh_tokens WHERE token = ?').get(token) as Row | undefined;
    if (!row || this.opts.rejectRefresh()) throw oauth400('invalid_grant', 'Invalid refresh token');
    if (Number(row.expires_at) <= Date.now()) throw oauth400('invalid_grant', `Refresh token has expired: ${token}`);
    this.killSessions('SELECT token FROM oauth_refresh_tokens WHERE token = ?', [token]);
    return String(row.user_id);
  }

  private issue(userId: string, platform: string): TokenResult {
    const now = Date.now();
    // Sugar's cleanupOldUserTokens: keep the newest N-1 sessions so that with the new one there are N.
    const keep = platform === 'mobile' ? 1 : 0;
    this.killSessions('SELECT token FROM oauth_refresh_tokens WHERE user_id = ? AND platform = ? ORDER BY created_seq DESC LIMIT -1 OFFSET ?', [
      userId,
      platform,
      keep,
    ]);
    const refresh = newId();
    const access = newId();
    const download = newId();
    const accessExp = now + this.opts.accessTokenLifetime * 1000;
    const refreshExp = now + this.opts.refreshTokenLifetime * 1000;
    this.rows
      .prepare('INSERT INTO oauth_refresh_tokens (token, user_id, platform, expires_at, created_seq) VALUES (?, ?, ?, ?, ?)')
      .run(refresh, userId, platform, refreshExp, this.nextSeq());
    this.rows
      .prepare(`INSERT INTO oauth_access_tokens (token, user_id, platform, refresh_token, expires_at, dies_at, download_token)
      VALUES (?, ?, ?, ?, ?, NULL, ?)`)
      .run(access, userId, platform, refresh, accessExp, download);
    return {
      body: {
        access_token: access,
        expires_in: this.opts.accessTokenLifetime,
        token_type: 'bearer',
        scope: null,
        refresh_token: refresh,
        refresh_expires_in: Math.max(0, Math.round((refreshExp - now) / 1000)),
        download_token: download,
      },
      cookies: [`download_token_${platform}=${download}; Path=/; HttpOnly`],
    };
  }

  // Ordering survives restarts on a file database, unlike an in-memory counter.
  private nextSeq(): number {
    return (this.rows.prepare('SELECT COALESCE(MAX(created_seq), 0) + 1 AS n FROM oauth_refresh_tokens').get() as { n: number }).n;
  }

  // A killed refresh token is gone at once; its access tokens notice after the session re-check delay (§1).
  private killSessions(selectSql: string, params: unknown[]): void {
    const tokens = (this.rows.prepare(selectSql).all(...params) as Array<{ token: string }>).map((r) => r.token);
    const dies = Date.now() + this.opts.sessionCheckDelayMs;
    for (const t of tokens) {
      this.rows.prepare('DELETE FROM oauth_refresh_tokens WHERE token = ?').run(t);
      if (this.opts.sessionCheckDelayMs <= 0) this.rows.prepare('DELETE FROM oauth_access_tokens WHERE refresh_token = ?').run(t);
      else this.rows.prepare('UPDATE oauth_access_tokens SET dies_at = MIN(COALESCE(dies_at, ?), ?) WHERE refresh_token = ?').run(dies, dies, t);
    }
  }

  authenticate(token: string | undefined): Actor {
    if (!token) throw new SugarError(401, 'need_login', 'No valid authentication for user.');
    const row = this.rows.prepare('SELECT * FROM oauth_access_tokens WHERE token = ?').get(token) as Row | undefined;
    const now = Date.now();
    const invalid = () => new SugarError(401, 'invalid_grant', 'The access token provided is invalid.');
    if (!row || (row.dies_at !== null && Number(row.dies_at) <= now)) throw invalid();
    if (Number(row.expires_at) <= now) throw new SugarError(401, 'invalid_grant', 'The access token provided has expired.');
    const user = this.rows.prepare("SELECT id, user_name, is_admin FROM users WHERE id = ? AND deleted = 0 AND status = 'Active'").get(row.user_id) as
      | Row
      | undefined;
    if (!user) throw invalid();
    return actorFor(user as { id: unknown; user_name: unknown; is_admin: unknown }, this.opts.roles?.get(String(user.id)));
  }

  logout(accessToken: string, refreshToken: unknown): void {
    this.rows.prepare('DELETE FROM oauth_access_tokens WHERE token = ?').run(accessToken);
    if (typeof refreshToken === 'string' && refreshToken) {
      this.rows.prepare('DELETE FROM oauth_refresh_tokens WHERE token = ?').run(refreshToken);
    }
  }

  expireAll(): void {
    this.rows.prepare('UPDATE oauth_access_tokens SET expires_at = MIN(expires_at, ?)').run(Date.now() - 1);
  }
}
