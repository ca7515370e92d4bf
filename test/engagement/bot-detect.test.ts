// Case tables for the machine/person decision on opens and clicks (email-standards §3).
import { describe, expect, it } from 'vitest';
import { APPLE_NETWORK, type BotRules, classifyClick, classifyOpen, DEFAULT_BOT_RULES } from '../../service/src/domain/bot-detect.js';
import { cidrMatcher } from '../../service/src/engagement/ip.js';

const rules: BotRules = { ...DEFAULT_BOT_RULES, appleEgress: cidrMatcher([APPLE_NETWORK, '172.224.224.0/27']), scannerIps: cidrMatcher(['40.94.0.0/16']) };
const accepted = new Date('2026-11-26T09:00:00Z');
const later = (s: number) => new Date(accepted.getTime() + s * 1000);

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GMAIL = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const YAHOO = 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html';
const OUTLOOK = 'Microsoft Outlook 16.0.17928; ms-office; MSOffice 16';
const APPLE_MAIL = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';

describe('classifyOpen', () => {
  it.each<[string, string | undefined, string, number, string, boolean, string]>([
    ['Apple MPP prefetch', 'Mozilla/5.0', '17.58.101.4', 600, 'apple_mpp', false, 'apple_prefetch'],
    ['Apple MPP through Private Relay egress', 'Mozilla/5.0', '172.224.224.9', 1, 'apple_mpp', false, 'apple_prefetch'],
    ['bare Mozilla/5.0 elsewhere', 'Mozilla/5.0', '203.0.113.4', 600, 'unknown', false, 'bare_agent'],
    ['Apple IP with a full Safari agent is a person', APPLE_MAIL, '17.58.101.4', 600, 'human', true, 'mail_client'],
    ['Gmail image proxy', GMAIL, '66.249.84.1', 3600, 'gmail_proxy', true, 'webmail_proxy'],
    ['Gmail proxy at delivery is a prefetch', GMAIL, '66.249.84.1', 1, 'gmail_proxy', false, 'proxy_prefetch'],
    ['Yahoo proxy', YAHOO, '98.136.1.1', 3600, 'gmail_proxy', true, 'webmail_proxy'],
    ['browser', CHROME, '198.51.100.20', 3600, 'human', true, 'mail_client'],
    ['Outlook desktop', OUTLOOK, '198.51.100.20', 3600, 'human', true, 'mail_client'],
    ['browser agent one second after delivery', CHROME, '198.51.100.20', 1, 'scanner', false, 'too_soon'],
    ['security gateway agent', 'Mozilla/5.0 (compatible; Barracuda Sentinel)', '198.51.100.20', 3600, 'scanner', false, 'scanner_agent'],
    ['headless browser', 'Mozilla/5.0 HeadlessChrome/120.0', '198.51.100.20', 3600, 'scanner', false, 'scanner_agent'],
    ['python script', 'python-requests/2.32', '198.51.100.20', 3600, 'scanner', false, 'scanner_agent'],
    ['crawler', 'Mozilla/5.0 (compatible; Googlebot/2.1)', '198.51.100.20', 3600, 'scanner', false, 'scanner_agent'],
    ['datacenter network', CHROME, '40.94.12.1', 3600, 'scanner', false, 'scanner_network'],
    ['no agent', undefined, '198.51.100.20', 3600, 'unknown', false, 'no_user_agent'],
    ['blank agent', '   ', '198.51.100.20', 3600, 'unknown', false, 'no_user_agent'],
    ['odd agent', 'SomethingElse/1.0', '198.51.100.20', 3600, 'unknown', false, 'unrecognised_agent'],
  ])('%s', (_name, ua, ip, secondsAfter, cls, person, reason) => {
    expect(classifyOpen({ method: 'GET', userAgent: ua, ip, at: later(secondsAfter), acceptedAt: accepted }, rules)).toEqual({ class: cls, person, reason });
  });

  it('without an acceptance time (a test send) timing is not used', () => {
    expect(classifyOpen({ method: 'GET', userAgent: CHROME, ip: '198.51.100.20', at: later(0) }, rules).class).toBe('human');
  });
});

describe('classifyClick', () => {
  const base = {
    userAgent: CHROME,
    ip: '198.51.100.20',
    acceptedAt: accepted,
    linkIndex: 0,
    linkCount: 4,
    earlierHits: [] as Array<{ linkIndex: number; at: Date }>,
  };
  it.each<[string, Partial<Parameters<typeof classifyClick>[0]>, boolean, string]>([
    ['a person an hour later', { method: 'GET', at: later(3600) }, false, 'person'],
    ['HEAD request', { method: 'HEAD', at: later(3600) }, true, 'head_request'],
    ['OPTIONS request', { method: 'options', at: later(3600) }, true, 'head_request'],
    ['no user agent', { method: 'GET', userAgent: '', at: later(3600) }, true, 'no_user_agent'],
    ['bare Mozilla', { method: 'GET', userAgent: 'Mozilla/5.0', at: later(3600) }, true, 'bare_agent'],
    ['Proofpoint', { method: 'GET', userAgent: 'Proofpoint URL Defense', at: later(3600) }, true, 'scanner_agent'],
    ['Mimecast', { method: 'GET', userAgent: 'Mozilla/5.0 Mimecast', at: later(3600) }, true, 'scanner_agent'],
    ['image proxy following a link', { method: 'GET', userAgent: GMAIL, at: later(3600) }, true, 'scanner_agent'],
    ['datacenter network', { method: 'GET', ip: '40.94.3.3', at: later(3600) }, true, 'scanner_network'],
    ['seconds after delivery', { method: 'GET', at: later(4) }, true, 'too_soon'],
    [
      'every link at once',
      {
        method: 'GET',
        at: later(3600),
        linkIndex: 2,
        earlierHits: [
          { linkIndex: 0, at: later(3599) },
          { linkIndex: 1, at: later(3599.5) },
        ],
      },
      true,
      'every_link_at_once',
    ],
    [
      'both links of a two-link message at once',
      { method: 'GET', at: later(3600), linkIndex: 1, linkCount: 2, earlierHits: [{ linkIndex: 0, at: later(3598) }] },
      true,
      'every_link_at_once',
    ],
    ['two links minutes apart', { method: 'GET', at: later(3600), linkIndex: 1, earlierHits: [{ linkIndex: 0, at: later(3000) }] }, false, 'person'],
    ['the same link twice (double click)', { method: 'GET', at: later(3600), earlierHits: [{ linkIndex: 0, at: later(3599) }] }, false, 'person'],
    ['two of four links quickly', { method: 'GET', at: later(3600), linkIndex: 1, earlierHits: [{ linkIndex: 0, at: later(3599) }] }, false, 'person'],
  ])('%s', (_name, over, bot, reason) => {
    expect(classifyClick({ ...base, method: 'GET', at: later(0), ...over } as Parameters<typeof classifyClick>[0], rules)).toEqual({ bot, reason });
  });
});
