// The only module that reads process.env. Every problem is collected and reported at once,
// so an operator fixes a bad deployment in one pass instead of one restart per mistake.
import { availableParallelism } from 'node:os';
import { DEFAULT_GUARD_RAILS, type GuardRailSettings } from './domain/guard-rails.js';
import { ANSWER_GRACE_MS } from './domain/uncertain.js';
import { cidrMatcher } from './engagement/ip.js';
import { DEFAULT_WRITEBACK, type WritebackSettings } from './writeback/settings.js';

/** What a process does (LEADFWD_ROLES); several processes on one PostgreSQL split the work by role. */
export const ROLES = ['api', 'tracking', 'send', 'writeback', 'automations'] as const;
export type Role = (typeof ROLES)[number];

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  /**
   * PostgreSQL instead of the embedded SQLite file (LEADFWD_DATABASE_URL, postgres://…), with this many connections
   * per process (LEADFWD_DATABASE_POOL). Absent: SQLite in dataDir. `prepared`: hot statements as named prepared
   * statements (off behind a pooler that cannot keep them).
   */
  database: { url: string; poolSize: number; prepared: boolean } | undefined;
  /** Quota for the database file in MB (0 = none): past it writes fail as disk full, cleanly. */
  dbMaxMb: number;
  /** WAL checkpoints from a background thread this often, in ms (0 = SQLite's own, inside commits). */
  dbCheckpointMs: number;
  /** /readyz fails its database check below this much free space on the data disk, in MB (0 = no check). */
  diskMinFreeMb: number;
  /**
   * The HTTP server's limits on slow and idle clients (LEADFWD_HTTP_*): headers and whole request deadlines, the
   * kept-alive idle time, connections at once in all and from one address (0: no per-address cap).
   */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number; maxConnectionsPerIp: number };
  apiKey: string | undefined;
  sugar: {
    url: string;
    username: string;
    password: string;
    platform: string;
    apiVersion: string;
    timeoutMs: number;
    /** How long a user's rights read from Sugar's /me are reused (LEADFWD_SUGAR_RIGHTS_CACHE_MS). */
    rightsCacheMs: number;
    /** Most requests a second to this Sugar, every call, all processes on one database together; 0: no limit (LEADFWD_SUGAR_RATE). */
    ratePerSecond: number;
    /**
     * Of that, most a second for people's own calls through the service (the dashlet's lists, templates, rights), all
     * processes together (LEADFWD_SUGAR_USERS_RATE; default half of it): the service's own work keeps the rest.
     */
    usersRatePerSecond: number;
  };
  /** Domains campaigns may send From (LEADFWD_SENDER_DOMAINS; default: the DKIM domain). */
  senderDomains: string[];
  smtp: {
    url: string;
    rate: number;
    ratePerHour: number;
    ratePerDay: number;
    maxConnections: number;
    sendThreads: number;
    /** Each message's final dot waits for its row's durable end of DATA mark (LEADFWD_DATA_END_MARK). */
    dataEndMark: boolean;
  };
  /** DNS for MX look-ups (mailbox providers) and identity readiness: servers (empty: the system's), timeout, MX cache. */
  dns: { servers: string[]; timeoutMs: number; mxCacheMs: number };
  /** Complaint and hard-bounce rates that pause an identity (LEADFWD_GUARD_*), and the days an identity's rates cover. */
  guardRails: GuardRailSettings & { windowDays: number };
  bounceDomain: string;
  bounceSmtpPort: number;
  dkim: { domain: string | undefined; selector: string | undefined; privateKeyFile: string | undefined; workers: number };
  senderAddress: string;
  senderName: string;
  engagement: {
    retentionDays: number;
    softBounceLimit: number;
    /** Addresses at one provider whose blocks came in within the hour before a DSN's block slows that provider. */
    dsnBlockReporters: number;
    webhookSecret: string | undefined;
    bounceMaxBytes: number;
    /** Inbound SMTP limits (issue 12): bytes buffered across connections, connections in all and per IP, idle and DATA time. */
    inbound: { maxBufferedBytes: number; maxClients: number; maxClientsPerIp: number; idleTimeoutMs: number; dataTimeoutMs: number };
    appleEgressCidrs: string[];
    scannerCidrs: string[];
    openTooSoonMs: number;
    clickTooSoonMs: number;
    pixelFlushMs: number;
    pixelAnswerAfterCommit: boolean;
    /** Raw open and click events kept per recipient and kind (LEADFWD_EVENTS_PER_RECIPIENT); counters stay exact. */
    eventsPerRecipient: number;
    /** A tracking process's links kept ready for an outage: days after a campaign ended, and how often re-read. */
    trackedLinks: { days: number; refreshMs: number };
    /** Bytes a tracking process's outage spool may hold before opens and clicks are no longer kept (LEADFWD_SPOOL_MAX_MB). */
    spoolMaxBytes: number;
  };
  writeback: WritebackSettings;
  /** How often automated campaigns move due targets (LEADFWD_AUTOMATION_TICK_MS). */
  automationTickMs: number;
  /** How often automations re-read their Sugar target lists to enrol new members (LEADFWD_AUTOMATION_LIST_REFRESH_MS). */
  automationListRefreshMs: number;
  /** Checks of Sugar users' tokens: how long a rejected token is refused without asking Sugar, and /me calls at once. */
  tokenCheck: { rejectedTtlMs: number; maxConcurrent: number };
  /** Most members a LeadFWD list may get from a filter or a CSV (LEADFWD_LIST_MAX_MEMBERS). */
  listMaxMembers: number;
  /** The Sugar field holding a person's IANA time zone, for local-time sending. */
  timeZoneField: string;
  /** Largest MJML or HTML body the API takes, in bytes (LEADFWD_CONTENT_MAX_BYTES); more is a 413. */
  contentMaxBytes: number;
  /** Signs tracking, unsubscribe and VERP tokens (LEADFWD_SECRET, required, at least 32 random bytes). */
  secret: string;
  /** The secret before a rotation (LEADFWD_SECRET_PREVIOUS): still accepted when verifying, never used to sign. */
  secretPrevious: string | undefined;
  logLevel: string;
  /** What this process does (LEADFWD_ROLES, default all): api, tracking, send, writeback, automations. */
  roles: ReadonlySet<Role>;
  /** How long a lease outlives its holder's last heartbeat (LEADFWD_LEASE_TTL_MS): a dead process's work is taken over after it. */
  leaseTtlMs: number;
  /** How long after its process was last seen an interrupted message may not be sent again (LEADFWD_ANSWER_GRACE_MS). */
  answerGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A database URL fit for logs and error messages: the password (and any password parameter) replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  // Up to the last '@' before the query: a password with an '@' (or a '/' or '#' before one) left unencoded ends
  // there, not at the first; a host part shown too little is the price of never showing part of a password.
  const query = url.indexOf('?');
  const at = url.lastIndexOf('@', query < 0 ? url.length : query);
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:/i.exec(url);
  const shown = userinfo && at > userinfo[0].length ? `${userinfo[0]}***${url.slice(at)}` : url;
  return shown.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/** What is wrong with LEADFWD_DATABASE_URL, named without repeating the password; undefined when it is usable. */
export function databaseUrlProblem(value: string): string | undefined {
  const shape = 'postgres://user:password@host:5432/database';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    // Most often a password holding '#' or '/': the URL then ends, or its port starts, in the middle of it.
    return `LEADFWD_DATABASE_URL is not a valid URL; expected ${shape} (percent-encode a user name or password holding '@', '/', '?' or '#': %40, %2F, %3F, %23)`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    return `LEADFWD_DATABASE_URL must start with postgres:// or postgresql:// (got ${u.protocol}//…); leave it unset for the embedded SQLite store`;
  }
  // An '@' in the path or fragment: a password holding '/' or '#' unencoded, its rest read as a host it is not (one in
  // the query is a parameter's value: ?application_name=lf@prod).
  const start = value.indexOf('//') + 2;
  const afterHost = value.slice(start + value.slice(start).split(/[/?#]/)[0].length);
  if (afterHost.replace(/\?[^#]*/, '').includes('@'))
    return `LEADFWD_DATABASE_URL has an '@' after its host: percent-encode the user name and password ('@' as %40, '/' as %2F, '#' as %23, '?' as %3F); expected ${shape}`;
  if (!u.hostname && !u.searchParams.get('host')) return `LEADFWD_DATABASE_URL names no host; expected ${shape}`;
  if (u.port && !(Number(u.port) >= 1 && Number(u.port) <= 65535)) return `LEADFWD_DATABASE_URL has a bad port; expected ${shape}`;
  // The service adds its own settings after the URL's options: a trailing backslash would escape the space between.
  if (/(^|[^\\])(\\\\)*\\$/.test(u.searchParams.get('options') ?? ''))
    return "LEADFWD_DATABASE_URL's options end in a backslash, which would run into the settings the service adds after them; remove it";
  // The driver reads an unknown sslmode as "no SSL" and the server's refusal then blamed the server.
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) return `LEADFWD_DATABASE_URL has sslmode=${sslmode}; use one of ${SSL_MODES.join(', ')}`;
  return undefined;
}

/** Bytes a secret holds: hex and base64 (the forms `openssl rand` prints) count decoded, anything else as written. */
export function secretBytes(value: string): number {
  if (/^(?:[0-9a-f]{2})+$/i.test(value)) return value.length / 2;
  const b64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? value.replace(/=+$/, '') : undefined;
  if (b64 !== undefined) return Math.floor((b64.length * 6) / 8);
  return Buffer.byteLength(value, 'utf8');
}

export const MIN_SECRET_BYTES = 32;

/**
 * The one rule for every secret the service holds (LEADFWD_SECRET, LEADFWD_SECRET_PREVIOUS, LEADFWD_API_KEY,
 * LEADFWD_WEBHOOK_SECRET): at least 32 bytes of key material (64 hex or 43 base64 characters, e.g.
 * `openssl rand -base64 32`), not a repeated pattern or a handful of characters. Names the variable, never the value.
 */
export function secretProblem(name: string, value: string): string | undefined {
  const hint = `at least ${MIN_SECRET_BYTES} random bytes, e.g. the output of \`openssl rand -base64 32\``;
  if (secretBytes(value) < MIN_SECRET_BYTES) return `${name} is too short: it must hold ${hint}`;
  // 'abcabcabc…', 'xxxxxxxx…': long enough, but nowhere near random.
  if ((value + value).indexOf(value, 1) < value.length || new Set(value).size < 10)
    return `${name} looks like a placeholder or a repeated pattern: it must be ${hint}`;
  return undefined;
}

/** `requireSecret: false` is for operator tools that never sign or verify anything (`npm run backup`). */
export function loadConfig(env: Env = process.env, opts: { requireSecret?: boolean } = {}): Config {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const v = env[`LEADFWD_${name}`]?.trim();
    if (v) return v;
    if (fallback === undefined) problems.push(`LEADFWD_${name} is required`);
    return fallback ?? '';
  };
  const opt = (name: string): string | undefined => env[`LEADFWD_${name}`]?.trim() || undefined;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = opt(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`LEADFWD_${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = opt(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`LEADFWD_${name} must be one of ${allowed.join(', ')}, got "${opt(name)}"`);
    return fallback;
  };
  const url = (name: string, fallback?: string): string => {
    const v = str(name, fallback);
    if (v && !/^https?:\/\/[^\s]+$/i.test(v)) problems.push(`LEADFWD_${name} must be an http(s) URL, got "${v}"`);
    return v.replace(/\/+$/, '');
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = opt(name);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`LEADFWD_${name} must be true or false, got "${raw}"`);
    return fallback;
  };
  const cidrs = (name: string): string[] => {
    const list = (opt(name) ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    try {
      cidrMatcher(list);
    } catch (e) {
      problems.push(`LEADFWD_${name} must be a comma-separated list of CIDR ranges: ${(e as Error).message}`);
      return [];
    }
    return list;
  };

  const domains = (name: string): string[] | undefined => {
    const raw = opt(name);
    if (raw === undefined) return undefined;
    const list = raw
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    const bad = list.filter((d) => !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d));
    if (bad.length) problems.push(`LEADFWD_${name} must be a comma-separated list of domain names, got "${bad.join(', ')}"`);
    return list;
  };

  const rate = (name: string, fallback: number): number => {
    const raw = opt(name);
    if (raw === undefined) return fallback;
    const n = Number(raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : raw);
    if (!Number.isFinite(n) || n <= 0 || n >= 1 || raw.trim() === '') {
      problems.push(`LEADFWD_${name} must be a rate between 0 and 1 (e.g. 0.001) or a percentage (0.1%), got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const dnsServers = (): string[] => {
    const list = (opt('DNS_SERVERS') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const bad = list.filter((v) => !/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?|[0-9a-f:]+:[0-9a-f:.]*)$/i.test(v));
    if (bad.length) problems.push(`LEADFWD_DNS_SERVERS must be a comma-separated list of IP addresses (with :port if not 53), got "${bad.join(', ')}"`);
    return bad.length ? [] : list;
  };

  const optOutScope = (raw: string | undefined): WritebackSettings['optOutScope'] => {
    if (raw === undefined) return DEFAULT_WRITEBACK.optOutScope;
    if (raw === 'address' || raw === 'all' || raw === 'none') return raw;
    problems.push(`LEADFWD_OPT_OUT_SCOPE must be address, all or none, got "${raw}"`);
    return DEFAULT_WRITEBACK.optOutScope;
  };

  const port = int('PORT', 8080, 0, 65535);
  const sugarRate = int('SUGAR_RATE', 0, 0, 10_000);
  const config: Config = {
    port,
    host: str('HOST', '127.0.0.1'),
    publicUrl: url('PUBLIC_URL', `http://127.0.0.1:${port}`),
    dataDir: str('DATA_DIR', './data'),
    database: undefined,
    dbMaxMb: int('DB_MAX_MB', 0, 0, 10_000_000),
    dbCheckpointMs: int('DB_CHECKPOINT_MS', 1000, 0, 3_600_000),
    diskMinFreeMb: int('DISK_MIN_FREE_MB', 64, 0, 10_000_000),
    automationTickMs: int('AUTOMATION_TICK_MS', 1000, 50, 3_600_000),
    automationListRefreshMs: int('AUTOMATION_LIST_REFRESH_MS', 15 * 60_000, 100, 24 * 3_600_000),
    http: {
      // Pixels, links and unsubscribes send their headers in one packet; 10 s is plenty for a slow phone.
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      // A 2 MB API body (the largest express takes) at 512 kbit/s; Sugar's relay gives up after 30 s anyway.
      requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000),
      keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      maxConnections: int('HTTP_MAX_CONNECTIONS', 4096, 1, 1_000_000),
      // Off by default: Gmail's image proxy, Apple's Mail Privacy Protection and a load balancer not on this host
      // each fetch for many people from a few addresses.
      maxConnectionsPerIp: int('HTTP_MAX_CONNECTIONS_PER_IP', 0, 0, 1_000_000),
    },
    apiKey: opt('API_KEY'),
    sugar: {
      url: url('SUGAR_URL', 'http://127.0.0.1:8089'),
      username: str('SUGAR_USERNAME', 'admin'),
      password: str('SUGAR_PASSWORD', 'admin'),
      platform: str('SUGAR_PLATFORM', 'leadfwd'),
      apiVersion: str('SUGAR_API_VERSION', 'v11_1'),
      timeoutMs: int('SUGAR_TIMEOUT_MS', 30_000, 100, 600_000),
      rightsCacheMs: int('SUGAR_RIGHTS_CACHE_MS', 5_000, 0, 300_000),
      ratePerSecond: sugarRate,
      usersRatePerSecond: int('SUGAR_USERS_RATE', sugarRate > 0 ? Math.max(1, Math.floor(sugarRate / 2)) : 0, 0, 10_000),
    },
    smtp: {
      url: str('SMTP_URL', 'smtp://127.0.0.1:2525'),
      rate: int('SMTP_RATE', 500, 1, 100_000),
      ratePerHour: int('SMTP_RATE_PER_HOUR', 0, 0, 100_000_000),
      ratePerDay: int('SMTP_RATE_PER_DAY', 0, 0, 1_000_000_000),
      maxConnections: int('SMTP_MAX_CONNECTIONS', 5, 1, 100),
      // Build, DKIM and SMTP on worker threads, one per core (0 = all on the main thread).
      sendThreads: int('SEND_THREADS', Math.min(8, availableParallelism()), 0, 32),
      // A crash then leaves 'uncertain' only messages whose final dot may have left; the rest are queued again.
      dataEndMark: bool('DATA_END_MARK', true),
    },
    dns: { servers: dnsServers(), timeoutMs: int('DNS_TIMEOUT_MS', 2000, 100, 60_000), mxCacheMs: int('MX_CACHE_MS', 3_600_000, 0, 7 * 86_400_000) },
    guardRails: {
      maxComplaintRate: rate('GUARD_MAX_COMPLAINT_RATE', DEFAULT_GUARD_RAILS.maxComplaintRate),
      maxHardBounceRate: rate('GUARD_MAX_HARD_BOUNCE_RATE', DEFAULT_GUARD_RAILS.maxHardBounceRate),
      minSample: int('GUARD_MIN_SAMPLE', DEFAULT_GUARD_RAILS.minSample, 1, 100_000_000),
      windowDays: int('GUARD_WINDOW_DAYS', 30, 1, 365),
    },
    senderDomains: domains('SENDER_DOMAINS') ?? (opt('DKIM_DOMAIN') ? [opt('DKIM_DOMAIN')!.toLowerCase()] : []),
    bounceDomain: str('BOUNCE_DOMAIN', 'bounces.leadfwd.localhost'),
    // A service on an ephemeral port (tests) gets an ephemeral bounce listener too.
    bounceSmtpPort: int('BOUNCE_SMTP_PORT', port === 0 ? 0 : 2526, 0, 65535),
    dkim: {
      domain: opt('DKIM_DOMAIN'),
      selector: opt('DKIM_SELECTOR'),
      privateKeyFile: opt('DKIM_PRIVATE_KEY_FILE'),
      // RSA signing is the costliest step per message; with LEADFWD_SEND_THREADS=0 one worker thread
      // lets it overlap SMTP I/O. Send threads sign inline (measured faster than handing off again).
      workers: int('DKIM_WORKERS', 1, 0, 8),
    },
    senderAddress: str('SENDER_ADDRESS', 'LeadFWD Demo, 1 Example Street, Springfield'),
    senderName: str('SENDER_NAME', 'LeadFWD Demo'),
    engagement: {
      retentionDays: int('EVENT_RETENTION_DAYS', 90, 1, 3650),
      softBounceLimit: int('SOFT_BOUNCE_LIMIT', 3, 1, 100),
      dsnBlockReporters: int('DSN_BLOCK_REPORTERS', 3, 1, 1000),
      webhookSecret: opt('WEBHOOK_SECRET'),
      bounceMaxBytes: int('BOUNCE_MAX_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      inbound: {
        maxBufferedBytes: int('INBOUND_BUFFER_MAX_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
        maxClients: int('INBOUND_MAX_CLIENTS', 50, 1, 10_000),
        maxClientsPerIp: int('INBOUND_MAX_CLIENTS_PER_IP', 5, 1, 10_000),
        idleTimeoutMs: int('INBOUND_IDLE_TIMEOUT_MS', 30_000, 100, 3_600_000),
        dataTimeoutMs: int('INBOUND_DATA_TIMEOUT_MS', 60_000, 100, 3_600_000),
      },
      appleEgressCidrs: cidrs('APPLE_EGRESS_CIDRS'),
      scannerCidrs: cidrs('SCANNER_CIDRS'),
      openTooSoonMs: int('BOT_OPEN_WINDOW_MS', 2_000, 0, 600_000),
      clickTooSoonMs: int('BOT_CLICK_WINDOW_MS', 10_000, 0, 600_000),
      pixelFlushMs: int('PIXEL_FLUSH_MS', 0, 0, 100),
      pixelAnswerAfterCommit: bool('PIXEL_ANSWER_AFTER_COMMIT', true),
      eventsPerRecipient: int('EVENTS_PER_RECIPIENT', 50, 1, 100_000),
      trackedLinks: { days: int('TRACKED_LINKS_DAYS', 30, 1, 3650), refreshMs: int('TRACKED_LINKS_REFRESH_MS', 300_000, 100, 24 * 3_600_000) },
      spoolMaxBytes: int('SPOOL_MAX_MB', 1024, 1, 1_048_576) * 1_048_576,
    },
    writeback: {
      ...DEFAULT_WRITEBACK,
      batchSize: int('WRITEBACK_BATCH', DEFAULT_WRITEBACK.batchSize, 1, 5000),
      bulkMax: int('WRITEBACK_BULK_MAX', DEFAULT_WRITEBACK.bulkMax, 1, 5000),
      inFlight: int('WRITEBACK_IN_FLIGHT', DEFAULT_WRITEBACK.inFlight, 1, 16),
      ratePerSecond: int('WRITEBACK_RATE', DEFAULT_WRITEBACK.ratePerSecond, 0, 1000),
      maxAttempts: int('WRITEBACK_MAX_ATTEMPTS', DEFAULT_WRITEBACK.maxAttempts, 1, 1000),
      optOutScope: optOutScope(opt('OPT_OUT_SCOPE')),
      score: {
        enabled: bool('SCORE_WRITEBACK', DEFAULT_WRITEBACK.score.enabled),
        windowMs: int('SCORE_WINDOW_MS', DEFAULT_WRITEBACK.score.windowMs, 1000, 3_600_000),
        weights: {
          open: int('SCORE_OPEN', DEFAULT_WRITEBACK.score.weights.open, -100, 100),
          click: int('SCORE_CLICK', DEFAULT_WRITEBACK.score.weights.click, -100, 100),
          hardBounce: int('SCORE_HARD_BOUNCE', DEFAULT_WRITEBACK.score.weights.hardBounce, -100, 100),
          complaint: int('SCORE_COMPLAINT', DEFAULT_WRITEBACK.score.weights.complaint, -100, 100),
          optOut: int('SCORE_OPT_OUT', DEFAULT_WRITEBACK.score.weights.optOut, -100, 100),
          halfLifeDays: int('SCORE_HALF_LIFE_DAYS', DEFAULT_WRITEBACK.score.weights.halfLifeDays, 1, 3650),
        },
      },
    },
    contentMaxBytes: int('CONTENT_MAX_BYTES', 256 * 1024, 1024, 1_000_000),
    listMaxMembers: int('LIST_MAX_MEMBERS', 200_000, 1, 10_000_000),
    timeZoneField: opt('TIMEZONE_FIELD') ?? 'leadfwd_timezone_c',
    tokenCheck: { rejectedTtlMs: int('REJECTED_TOKEN_TTL_MS', 60_000, 0, 3_600_000), maxConcurrent: int('TOKEN_CHECKS_IN_FLIGHT', 4, 1, 100) },
    secret: opt('SECRET') ?? '',
    secretPrevious: opt('SECRET_PREVIOUS'),
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    roles: new Set<Role>(ROLES),
    leaseTtlMs: int('LEASE_TTL_MS', 15_000, 300, 600_000),
    answerGraceMs: int('ANSWER_GRACE_MS', ANSWER_GRACE_MS, 0, 86_400_000),
  };
  const roles = opt('ROLES');
  // Blank is an env file whose line did not render: a tracking host would become a sender and write-back process.
  if (roles === undefined && env.LEADFWD_ROLES !== undefined)
    problems.push(`LEADFWD_ROLES is set but empty; give some of ${ROLES.join(', ')}, or unset it for all`);
  if (roles !== undefined) {
    const named = roles
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean);
    const unknown = named.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length) problems.push(`LEADFWD_ROLES has unknown roles ${unknown.map((r) => JSON.stringify(r)).join(', ')}; the roles are ${ROLES.join(', ')}`);
    else if (named.length === 0) problems.push(`LEADFWD_ROLES names no role; give some of ${ROLES.join(', ')} (unset: all)`);
    else config.roles = new Set(named as Role[]);
  }

  if (config.engagement.inbound.maxBufferedBytes < config.engagement.bounceMaxBytes) {
    problems.push('LEADFWD_INBOUND_BUFFER_MAX_BYTES must be at least LEADFWD_BOUNCE_MAX_BYTES, or no message of the largest size could be taken');
  }
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    problems.push('LEADFWD_HTTP_HEADERS_TIMEOUT_MS must be at most LEADFWD_HTTP_REQUEST_TIMEOUT_MS: the headers are part of the request');
  }
  if (sugarRate > 0 && config.sugar.usersRatePerSecond > sugarRate)
    problems.push(`LEADFWD_SUGAR_USERS_RATE must be at most LEADFWD_SUGAR_RATE (${sugarRate}): it is a share of that budget`);
  const databaseUrl = opt('DATABASE_URL');
  // Set but blank is an env file whose secret did not render: on a fleet host, falling back to an empty local SQLite
  // file would answer every tracked link with 404 and say nothing.
  if (databaseUrl === undefined && env.LEADFWD_DATABASE_URL !== undefined) {
    problems.push('LEADFWD_DATABASE_URL is set but empty; give postgres://user:password@host:5432/database, or unset it for the embedded SQLite store');
  }
  // The same for Sugar's login: blank fell back to the simulator's admin/admin and failed later, at Sugar, as a refused login.
  for (const name of ['SUGAR_USERNAME', 'SUGAR_PASSWORD'])
    if (env[`LEADFWD_${name}`] !== undefined && !opt(name))
      problems.push(`LEADFWD_${name} is set but empty; give the Sugar user's, or unset it for the simulator's default (admin)`);
  // Per process: several processes share one server, whose max_connections (100 by default) bounds their sum.
  const poolSize = int('DATABASE_POOL', 10, 1, 1000);
  if (databaseUrl !== undefined) {
    const problem = databaseUrlProblem(databaseUrl);
    if (problem) problems.push(problem);
    config.database = { url: databaseUrl, poolSize, prepared: bool('DATABASE_PREPARED', true) };
  }
  if (!/^smtps?:\/\//i.test(config.smtp.url)) problems.push(`LEADFWD_SMTP_URL must start with smtp:// or smtps://`);
  const dkimSet = [config.dkim.domain, config.dkim.selector, config.dkim.privateKeyFile].filter(Boolean).length;
  if (dkimSet !== 0 && dkimSet !== 3) {
    problems.push('LEADFWD_DKIM_DOMAIN, LEADFWD_DKIM_SELECTOR and LEADFWD_DKIM_PRIVATE_KEY_FILE must be set together');
  }
  // No default, whatever NODE_ENV says: a public default lets anyone sign unsubscribe, open and click tokens
  // and VERP addresses offline (issue 12).
  if (!config.secret && opts.requireSecret !== false) {
    problems.push(
      'LEADFWD_SECRET is required: it signs tracking, unsubscribe and bounce addresses; give it at least ' +
        `${MIN_SECRET_BYTES} random bytes, e.g. \`openssl rand -base64 32\``,
    );
  }
  const secrets: Array<[string, string | undefined]> = [
    ['LEADFWD_SECRET', config.secret || undefined],
    ['LEADFWD_SECRET_PREVIOUS', config.secretPrevious],
    ['LEADFWD_API_KEY', config.apiKey],
    ['LEADFWD_WEBHOOK_SECRET', config.engagement.webhookSecret],
  ];
  for (const [name, value] of secrets) {
    const problem = value === undefined ? undefined : secretProblem(name, value);
    if (problem) problems.push(problem);
  }
  // One value in two roles leaks one through the other: the API key travels in headers, the webhook secret is
  // shared with the ESP, and either would then sign tokens.
  const set = secrets.filter(([, v]) => v !== undefined) as Array<[string, string]>;
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) if (set[i][1] === set[j][1]) problems.push(`${set[i][0]} and ${set[j][0]} must differ`);
  }

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}
