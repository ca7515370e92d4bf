import { describe, expect, it } from 'vitest';
import { ConfigError, databaseUrlProblem, loadConfig, redactDatabaseUrl } from '../service/src/config.js';
import { randomSecret } from './support/secrets.js';

const SECRET = randomSecret();

describe('configuration', () => {
  it('runs on embedded defaults with nothing set but the signing secret', () => {
    const c = loadConfig({ LEADFWD_SECRET: SECRET });
    expect(c).toMatchObject({ port: 8080, sugar: { url: 'http://127.0.0.1:8089', platform: 'leadfwd' }, smtp: { url: 'smtp://127.0.0.1:2525' } });
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every bad value in one error', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({
        LEADFWD_SECRET: SECRET,
        LEADFWD_PORT: 'eighty',
        LEADFWD_SUGAR_URL: 'ftp://x',
        LEADFWD_SMTP_URL: 'http://x',
        LEADFWD_DKIM_DOMAIN: 'a.example',
        LEADFWD_API_KEY: 'short',
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual([
      'LEADFWD_PORT must be an integer from 0 to 65535, got "eighty"',
      'LEADFWD_SUGAR_URL must be an http(s) URL, got "ftp://x"',
      'LEADFWD_SMTP_URL must start with smtp:// or smtps://',
      'LEADFWD_DKIM_DOMAIN, LEADFWD_DKIM_SELECTOR and LEADFWD_DKIM_PRIVATE_KEY_FILE must be set together',
      'LEADFWD_API_KEY is too short: it must hold at least 32 random bytes, e.g. the output of `openssl rand -base64 32`',
    ]);
  });

  it('refuses a blank LEADFWD_DATABASE_URL instead of falling back to a local SQLite file', () => {
    for (const blank of ['', '  ']) {
      expect(() => loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_DATABASE_URL: blank, LEADFWD_ROLES: 'tracking' })).toThrow(
        /LEADFWD_DATABASE_URL is set but empty; give postgres:\/\/.*or unset it for the embedded SQLite store/,
      );
    }
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).database).toBeUndefined();
  });

  it("gives people's calls half of Sugar's budget unless told, and never more than all of it", () => {
    expect(loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_SUGAR_RATE: '10' }).sugar.usersRatePerSecond).toBe(5);
    expect(loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_SUGAR_RATE: '1' }).sugar.usersRatePerSecond).toBe(1);
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).sugar.usersRatePerSecond).toBe(0);
    expect(() => loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_SUGAR_RATE: '10', LEADFWD_SUGAR_USERS_RATE: '12' })).toThrow(
      /LEADFWD_SUGAR_USERS_RATE must be at most LEADFWD_SUGAR_RATE \(10\)/,
    );
  });

  it("refuses a blank Sugar user name or password instead of logging in as the simulator's admin", () => {
    expect(() => loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_SUGAR_PASSWORD: ' ' })).toThrow(
      /LEADFWD_SUGAR_PASSWORD is set but empty; give the Sugar user's, or unset it for the simulator's default \(admin\)/,
    );
    expect(() => loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_SUGAR_USERNAME: '' })).toThrow(/LEADFWD_SUGAR_USERNAME is set but empty/);
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).sugar).toMatchObject({ username: 'admin', password: 'admin' });
  });

  it('never shows part of a database password, and refuses one whose unencoded characters move the host', () => {
    expect(redactDatabaseUrl('postgres://lf:s3cret-pw@db.example.com:5432/leadfwd')).toBe('postgres://lf:***@db.example.com:5432/leadfwd');
    // An unencoded '@' in the password: the driver (as WHATWG URL) takes the last one for the host's start.
    expect(redactDatabaseUrl('postgres://lf2:top@secret@127.0.0.1:1/leadfwd')).toBe('postgres://lf2:***@127.0.0.1:1/leadfwd');
    expect(redactDatabaseUrl('postgres://lf2:p@ss/w#rd@127.0.0.1:1/leadfwd')).toBe('postgres://lf2:***@127.0.0.1:1/leadfwd');
    expect(redactDatabaseUrl('postgres://db.example.com/leadfwd?user=lf&password=s3cret')).toBe('postgres://db.example.com/leadfwd?user=lf&password=***');
    expect(databaseUrlProblem('postgres://lf2:top@secret@127.0.0.1:1/leadfwd')).toBeUndefined();
    // An '@' in a parameter's value is no password's: accepted, and the host shown.
    expect(databaseUrlProblem('postgres://lf:pw@db.example.com/leadfwd?application_name=lf@prod')).toBeUndefined();
    expect(redactDatabaseUrl('postgres://lf:pw@db.example.com/leadfwd?application_name=lf@prod')).toBe(
      'postgres://lf:***@db.example.com/leadfwd?application_name=lf@prod',
    );
    const moved = databaseUrlProblem('postgres://lf2:p@ss/w#rd@127.0.0.1:1/leadfwd');
    expect(moved).toMatch(/has an '@' after its host: percent-encode the user name and password/);
    expect(moved).not.toMatch(/w#rd|ss\//);
    // A '#' in the password ends the URL's authority there: "not a valid URL" alone did not say why.
    const hashed = databaseUrlProblem('postgres://leadfwd:s3c#r3tPW@db.example.com/leadfwd');
    expect(hashed).toMatch(/is not a valid URL; .*percent-encode a user name or password holding '@', '\/', '\?' or '#'/);
    expect(hashed).not.toContain('r3tPW');
    // The driver read an unknown sslmode as no SSL at all, and blamed the server.
    expect(databaseUrlProblem('postgres://lf:pw@db.example.com/leadfwd?sslmode=bogus')).toBe(
      'LEADFWD_DATABASE_URL has sslmode=bogus; use one of disable, allow, prefer, require, verify-ca, verify-full, no-verify',
    );
    expect(databaseUrlProblem('postgres://lf:pw@db.example.com/leadfwd?sslmode=verify-full')).toBeUndefined();
    // A trailing backslash in the options swallowed the service's own -c leadfwd.owner=… (PostgreSQL's words only).
    expect(databaseUrlProblem(`postgres://lf:pw@db.example.com/leadfwd?options=${encodeURIComponent('-c application_name=x\\')}`)).toMatch(
      /options end in a backslash/,
    );
    expect(databaseUrlProblem(`postgres://lf:pw@db.example.com/leadfwd?options=${encodeURIComponent('-c application_name=x\\\\')}`)).toBeUndefined();
  });

  it('reads the DNS servers and the guard rails of sender identities (issue 16), and says what is wrong with them', () => {
    const c = loadConfig({
      LEADFWD_SECRET: SECRET,
      LEADFWD_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.2',
      LEADFWD_GUARD_MAX_COMPLAINT_RATE: '0.2%',
      LEADFWD_GUARD_MAX_HARD_BOUNCE_RATE: '0.03',
      LEADFWD_SMTP_RATE_PER_DAY: '5000',
    });
    expect(c.dns).toEqual({ servers: ['127.0.0.1:5353', '10.0.0.2'], timeoutMs: 2000, mxCacheMs: 3_600_000 });
    expect(c.guardRails).toEqual({ maxComplaintRate: 0.002, maxHardBounceRate: 0.03, minSample: 500, windowDays: 30 });
    expect(c.smtp.ratePerDay).toBe(5000);
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).dns.servers).toEqual([]); // the system resolver
    expect(() => loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_DNS_SERVERS: 'dns.example.com', LEADFWD_GUARD_MAX_COMPLAINT_RATE: '2' })).toThrow(
      /LEADFWD_DNS_SERVERS must be a comma-separated list of IP addresses[\s\S]*LEADFWD_GUARD_MAX_COMPLAINT_RATE must be a rate between 0 and 1/,
    );
  });

  it('reads the roles of a process (default all) and the lease ttl, and names unknown roles clearly', () => {
    expect([...loadConfig({ LEADFWD_SECRET: SECRET }).roles]).toEqual(['api', 'tracking', 'send', 'writeback', 'automations']);
    const c = loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_ROLES: ' Tracking, api ', LEADFWD_LEASE_TTL_MS: '5000' });
    expect([...c.roles].sort()).toEqual(['api', 'tracking']);
    expect(c.leaseTtlMs).toBe(5000);
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).leaseTtlMs).toBe(15_000);
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ LEADFWD_SECRET: SECRET, ...env });
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ LEADFWD_ROLES: 'send,tracker,mailer' })).toEqual([
      'LEADFWD_ROLES has unknown roles "tracker", "mailer"; the roles are api, tracking, send, writeback, automations',
    ]);
    expect(problems({ LEADFWD_ROLES: ',' })).toEqual(['LEADFWD_ROLES names no role; give some of api, tracking, send, writeback, automations (unset: all)']);
    for (const blank of ['', ' '])
      expect(problems({ LEADFWD_ROLES: blank })).toEqual([
        'LEADFWD_ROLES is set but empty; give some of api, tracking, send, writeback, automations, or unset it for all',
      ]);
    expect(problems({ LEADFWD_LEASE_TTL_MS: '10' })).toEqual(['LEADFWD_LEASE_TTL_MS must be an integer from 300 to 600000, got "10"']);
    // How long a process taken for dead may still answer for its messages: RFC 5321's 10 minutes by default.
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).answerGraceMs).toBe(600_000);
    expect(loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_ANSWER_GRACE_MS: '0' }).answerGraceMs).toBe(0);
    expect(problems({ LEADFWD_ANSWER_GRACE_MS: '-1' })).toEqual(['LEADFWD_ANSWER_GRACE_MS must be an integer from 0 to 86400000, got "-1"']);
  });

  it('reads the HTTP server limits (slowloris) and refuses a headers timeout longer than the request timeout', () => {
    expect(loadConfig({ LEADFWD_SECRET: SECRET }).http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 4096,
      maxConnectionsPerIp: 0,
    });
    const c = loadConfig({ LEADFWD_SECRET: SECRET, LEADFWD_HTTP_MAX_CONNECTIONS: '500', LEADFWD_HTTP_MAX_CONNECTIONS_PER_IP: '20' });
    expect(c.http).toMatchObject({ maxConnections: 500, maxConnectionsPerIp: 20 });
    expect(() =>
      loadConfig({
        LEADFWD_SECRET: SECRET,
        LEADFWD_HTTP_HEADERS_TIMEOUT_MS: '90000',
        LEADFWD_HTTP_KEEP_ALIVE_TIMEOUT_MS: '0',
        LEADFWD_HTTP_MAX_CONNECTIONS: '0',
      }),
    ).toThrow(
      /LEADFWD_HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer from 100[\s\S]*LEADFWD_HTTP_MAX_CONNECTIONS must be an integer from 1[\s\S]*LEADFWD_HTTP_HEADERS_TIMEOUT_MS must be at most LEADFWD_HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  it('never puts a secret into its error message', () => {
    expect(() => loadConfig({ LEADFWD_API_KEY: 'tiny', LEADFWD_SUGAR_PASSWORD: 'hunter2', LEADFWD_PORT: 'x' })).toThrow(ConfigError);
    try {
      loadConfig({ LEADFWD_API_KEY: 'tiny', LEADFWD_SUGAR_PASSWORD: 'hunter2', LEADFWD_PORT: 'x' });
    } catch (e) {
      expect((e as Error).message).not.toMatch(/hunter2|tiny"/);
    }
  });
});
