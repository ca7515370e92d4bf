// Click redirects resolve a signed (row, link index) to the URL stored for the campaign, so the
// service can never be used as an open redirect. Bot clicks are kept and reported apart; a
// person's click also counts as an open (their client may block images).
import { type BotRules, type ClickVerdict, classifyClick } from '../domain/bot-detect.js';
import { outboxItem } from '../domain/outbox.js';
import type { StorePart, UnitOfWork } from '../ports/index.js';
import { truncateIp } from './ip.js';
import type { RecipientLookup, TrackedRecipient } from './recipients.js';

export interface ClickHit {
  rowId: number;
  linkIndex: number;
  method: string;
  userAgent?: string;
  ip?: string;
  at: Date;
}

export interface ResolvedClick {
  url: string;
  recipient: TrackedRecipient;
  linkCount: number;
}

/** Only absolute http(s) URLs are ever redirected to. */
export function safeRedirectTarget(stored: string | undefined): string | undefined {
  if (typeof stored !== 'string' || stored.length > 8192) return undefined;
  try {
    const u = new URL(stored);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** `maxEventsPerRecipient`: raw events kept per recipient and kind (default 50); the counters count every hit. */
/** A click's counters (and an implied open), its raw events and outbox items, in one transaction. */
export type ClickStore = UnitOfWork & StorePart<{ engagement: 'forRecipient' | 'record'; events: 'add'; outbox: 'enqueue' }>;

export function createClickRecorder(o: { store: ClickStore; lookup: RecipientLookup; rules: BotRules; maxEventsPerRecipient?: number }) {
  const { store, lookup } = o;
  const maxEvents = o.maxEventsPerRecipient ?? 50;
  const hitsOf = (k: { humanHits: number; machineHits: number }) => k.humanHits + k.machineHits;

  async function resolve(rowId: number, linkIndex: number): Promise<ResolvedClick | undefined> {
    const recipient = await lookup.get(rowId);
    if (!recipient) return undefined;
    const links = await lookup.links(recipient.campaignId, linkIndex);
    const url = safeRedirectTarget(links[linkIndex]);
    return url ? { url, recipient, linkCount: links.length } : undefined;
  }

  async function record(hit: ClickHit, c: ResolvedClick): Promise<ClickVerdict> {
    const r = c.recipient;
    return await store.transaction(async (tx) => {
      const counters = await tx.engagement.forRecipient(r.rowId);
      const earlierHits = counters
        .filter((k) => k.kind === 'click' && k.linkIndex !== undefined)
        .map((k) => ({ linkIndex: k.linkIndex!, at: new Date([k.lastHumanAt, k.lastMachineAt].filter(Boolean).sort().pop() ?? 0) }));
      const verdict = classifyClick({ ...hit, acceptedAt: r.acceptedAt, linkCount: c.linkCount, earlierHits }, o.rules);
      const at = hit.at.toISOString();
      const human = !verdict.bot;
      const { firstHuman } = await tx.engagement.record({
        recipientRowId: r.rowId,
        campaignId: r.campaignId,
        kind: 'click',
        linkIndex: hit.linkIndex,
        at,
        human,
      });
      const clicksBefore = counters.filter((k) => k.kind === 'click').reduce((n, k) => n + hitsOf(k), 0);
      if (clicksBefore < maxEvents)
        await tx.events.add({
          recipientRowId: r.rowId,
          campaignId: r.campaignId,
          type: 'click',
          at,
          data: { linkIndex: hit.linkIndex, machine: verdict.bot, reason: verdict.reason, ip: truncateIp(hit.ip), ua: hit.userAgent?.slice(0, 200) },
        });
      if (firstHuman) {
        await tx.outbox.enqueue(outboxItem.click(r, hit.at, hit.linkIndex, c.url));
      }
      const opened = counters.some((k) => k.kind === 'open' && k.humanHits > 0);
      if (human && !opened) {
        await tx.engagement.record({ recipientRowId: r.rowId, campaignId: r.campaignId, kind: 'open', at, human: true });
        const opensBefore = counters.filter((k) => k.kind === 'open').reduce((n, k) => n + hitsOf(k), 0);
        if (opensBefore < maxEvents)
          await tx.events.add({
            recipientRowId: r.rowId,
            campaignId: r.campaignId,
            type: 'open',
            at,
            data: { class: 'human', machine: false, reason: 'implied_by_click' },
          });
        await tx.outbox.enqueue(outboxItem.open(r, hit.at, 'implied_by_click'));
      }
      return verdict;
    });
  }

  return { resolve, record };
}

export type ClickRecorder = ReturnType<typeof createClickRecorder>;
