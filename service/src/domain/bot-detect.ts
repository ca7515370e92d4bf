// Who fetched the pixel or followed a link: a person, or a machine acting before (or instead of)
// one. Machine hits are kept and reported apart, never counted as a person's engagement and never
// acted on (email-standards §3). Pure: the caller supplies the clock readings and IP matchers.
import type { IpMatcher, OpenClass } from './engagement.js';

export interface HitContext {
  method: string;
  userAgent?: string;
  ip?: string; // full address; only used here, truncated before storage
  /** What the full address matched, worked out before it was cut to its network (a spooled hit keeps no more). */
  ipMatched?: IpMatches;
  at: Date;
  /** When the relay accepted the message; unknown for test sends and rows not yet flushed. */
  acceptedAt?: Date;
}

export interface OpenVerdict {
  class: OpenClass;
  /** Counted as a person's open. */
  person: boolean;
  reason: string;
}

export interface IpMatches {
  apple: boolean;
  scanner: boolean;
}

/** What an address matches of the rules' networks. */
export function ipMatches(ip: string | undefined, rules: BotRules): IpMatches {
  return { apple: rules.appleEgress(ip), scanner: !!rules.scannerIps?.(ip) };
}

export interface BotRules {
  /** Apple's Private Relay egress ranges (17.0.0.0/8 plus the published list, when configured). */
  appleEgress: IpMatcher;
  /** Optional datacenter / security-gateway ranges whose hits are machine hits. */
  scannerIps?: IpMatcher;
  /** A pixel fetch sooner than this after acceptance is a gateway scanning the message. */
  openTooSoonMs: number;
  /** A click sooner than this after acceptance is a link scanner (humans take longer). */
  clickTooSoonMs: number;
  /** Distinct links of one message hit within this window look like a scanner following every link. */
  burstWindowMs: number;
}

export const DEFAULT_BOT_RULES = { openTooSoonMs: 2_000, clickTooSoonMs: 10_000, burstWindowMs: 5_000 } as const;

/** Apple owns 17.0.0.0/8; MPP prefetches come from there or from Private Relay egress. */
export const APPLE_NETWORK = '17.0.0.0/8';

// Webmail image proxies fetch when the reader opens the message; their caches hide repeat opens.
const WEBMAIL_PROXY = /GoogleImageProxy|ggpht\.com|YahooMailProxy/i;
const SCANNER_AGENT = new RegExp(
  [
    String.raw`\b(?:bot|crawler|spider|scanner|preview)\b`,
    'bot/',
    'headlesschrome',
    'phantomjs',
    'python-requests',
    'python-urllib',
    'aiohttp',
    String.raw`\bcurl/`,
    String.raw`\bwget/`,
    'go-http-client',
    String.raw`\bjava/`,
    'okhttp',
    'libwww',
    'httpclient',
    'axios/',
    'node-fetch',
    'barracuda',
    'proofpoint',
    'mimecast',
    'trendmicro',
    'symantec',
    'forcepoint',
    'ironport',
    'sophos',
    'fortiguard',
    'existence discovery',
    'facebookexternalhit',
    'slackbot',
    'whatsapp',
  ].join('|'),
  'i',
);
const BARE_MOZILLA = /^Mozilla\/5\.0$/;
const CLIENT_AGENT = /^Mozilla\/\d|Outlook|Thunderbird|AppleWebKit|\bMail\//i;

function agentOf(ua: string | undefined): string {
  return typeof ua === 'string' ? ua.trim().slice(0, 512) : '';
}

function sinceAccepted(h: HitContext): number | undefined {
  return h.acceptedAt ? h.at.getTime() - h.acceptedAt.getTime() : undefined;
}

export function classifyOpen(h: HitContext, rules: BotRules): OpenVerdict {
  const ua = agentOf(h.userAgent);
  const elapsed = sinceAccepted(h);
  const tooSoon = elapsed !== undefined && elapsed < rules.openTooSoonMs;
  if (BARE_MOZILLA.test(ua)) {
    return (h.ipMatched?.apple ?? rules.appleEgress(h.ip))
      ? { class: 'apple_mpp', person: false, reason: 'apple_prefetch' }
      : { class: 'unknown', person: false, reason: 'bare_agent' };
  }
  if (WEBMAIL_PROXY.test(ua)) {
    // A fetch right at delivery is the proxy warming its cache, not a reader.
    return tooSoon ? { class: 'gmail_proxy', person: false, reason: 'proxy_prefetch' } : { class: 'gmail_proxy', person: true, reason: 'webmail_proxy' };
  }
  if (!ua) return { class: 'unknown', person: false, reason: 'no_user_agent' };
  if (SCANNER_AGENT.test(ua)) return { class: 'scanner', person: false, reason: 'scanner_agent' };
  if (h.ipMatched?.scanner ?? rules.scannerIps?.(h.ip)) return { class: 'scanner', person: false, reason: 'scanner_network' };
  if (tooSoon) return { class: 'scanner', person: false, reason: 'too_soon' };
  if (CLIENT_AGENT.test(ua)) return { class: 'human', person: true, reason: 'mail_client' };
  return { class: 'unknown', person: false, reason: 'unrecognised_agent' };
}

export interface ClickContext extends HitContext {
  linkIndex: number;
  /** How many tracked links the message has. */
  linkCount: number;
  /** The latest earlier hit on each link of this recipient's message (any class). */
  earlierHits: Array<{ linkIndex: number; at: Date }>;
}

export interface ClickVerdict {
  bot: boolean;
  reason: string;
}

export function classifyClick(c: ClickContext, rules: BotRules): ClickVerdict {
  const method = c.method.toUpperCase();
  if (method === 'HEAD' || method === 'OPTIONS') return { bot: true, reason: 'head_request' };
  const ua = agentOf(c.userAgent);
  if (!ua) return { bot: true, reason: 'no_user_agent' };
  if (BARE_MOZILLA.test(ua)) return { bot: true, reason: 'bare_agent' };
  if (SCANNER_AGENT.test(ua) || WEBMAIL_PROXY.test(ua)) return { bot: true, reason: 'scanner_agent' };
  if (c.ipMatched?.scanner ?? rules.scannerIps?.(c.ip)) return { bot: true, reason: 'scanner_network' };
  const elapsed = sinceAccepted(c);
  if (elapsed !== undefined && elapsed < rules.clickTooSoonMs) return { bot: true, reason: 'too_soon' };
  const windowStart = c.at.getTime() - rules.burstWindowMs;
  const recent = new Set(c.earlierHits.filter((e) => e.at.getTime() >= windowStart).map((e) => e.linkIndex));
  recent.add(c.linkIndex);
  // Two quick links of a two-link message, or three of a longer one: nobody reads that fast.
  if (recent.size >= 2 && recent.size >= Math.min(3, c.linkCount)) return { bot: true, reason: 'every_link_at_once' };
  return { bot: false, reason: 'person' };
}
