// The campaign report: ledger counts, people versus machines for opens and clicks, bounces,
// opt-outs and complaints from the per-recipient counters and facts (which outlive raw-event
// retention), per-link clicks, and an hourly timeline from the raw events still kept.
import { type MailboxProvider, type ProviderGroup, providerOfDomain, reportGroup } from '../domain/mailbox-provider.js';
import type { DomainTally, EventRepo, StorePart } from '../ports/index.js';

export type ReportStore = StorePart<{ campaigns: 'get' | 'links'; recipients: 'counts'; engagement: 'summary'; events: 'countByHour'; reports: 'byDomain' }>;

export type { ProviderGroup };
export const PROVIDER_GROUPS: readonly ProviderGroup[] = ['google', 'microsoft', 'yahoo', 'apple', 'other'];

/**
 * The report group of a recipient domain. The one place that decides it: by the domain alone today (the big four's
 * consumer domains); grouping by MX host later changes only this function.
 */
export function providerGroupOf(domain: string, provider?: string): ProviderGroup {
  // The provider found from MX at extraction wins (a company domain hosted by Google is Google's); else the domain.
  return reportGroup(provider && provider !== 'unknown' ? (provider as MailboxProvider) : providerOfDomain(domain));
}

export interface ProviderResult extends Omit<DomainTally, 'domain'> {
  provider: ProviderGroup;
}

/** The campaign's recipients by mailbox provider, every group present (zeros where it has nobody), in a fixed order. */
export function byProvider(domains: DomainTally[]): ProviderResult[] {
  const zero = (provider: ProviderGroup): ProviderResult => ({
    provider,
    recipients: 0,
    accepted: 0,
    failed: 0,
    uncertain: 0,
    opened: 0,
    clicked: 0,
    hardBounces: 0,
    softBounces: 0,
    complaints: 0,
    optOuts: 0,
  });
  const out = new Map(PROVIDER_GROUPS.map((g) => [g, zero(g)]));
  for (const { domain, provider, ...tally } of domains) {
    const sum = out.get(providerGroupOf(domain, provider))!;
    for (const k of Object.keys(tally) as Array<keyof typeof tally>) sum[k] += tally[k];
  }
  return [...out.values()];
}

/** A campaign's key figures as a list row shows them: people only, machines left to the report. */
export interface KeyFigures {
  accepted: number;
  opened: number;
  clicked: number;
  bounced: number;
  optedOut: number;
  complaints: number;
}

export async function keyFigures(store: StorePart<{ recipients: 'counts'; engagement: 'summary' }>, campaignId: string): Promise<KeyFigures> {
  const s = await store.engagement.summary(campaignId);
  return {
    accepted: (await store.recipients.counts(campaignId)).accepted,
    opened: s.opens.people,
    clicked: s.clicks.people,
    bounced: s.facts.hard_bounce + s.facts.soft_bounce,
    optedOut: s.facts.opt_out,
    complaints: s.facts.complaint,
  };
}

export interface TimelineHour {
  hour: string;
  opens: number;
  machineOpens: number;
  clicks: number;
  botClicks: number;
  bounces: number;
  optOuts: number;
  complaints: number;
}

export interface CampaignReport {
  campaignId: string;
  status: string;
  generatedAt: string;
  recipients: { total: number; queued: number; sending: number; accepted: number; failed: number; uncertain: number };
  /** Rows with a final SMTP outcome: accepted, failed or uncertain. */
  sent: number;
  accepted: number;
  bounced: { hard: number; soft: number };
  blocked: number;
  opened: { people: number; machineOnly: number; humanOpens: number; machineOpens: number; rate: number };
  clicked: { people: number; botOnly: number; humanClicks: number; botClicks: number; rate: number };
  optedOut: number;
  complaints: number;
  links: Array<{ index: number; url: string; people: number; clicks: number; botClicks: number }>;
  /** Recipients by mailbox provider (Gmail, Outlook, Yahoo, Apple, other). */
  providers: ProviderResult[];
  timeline: TimelineHour[];
  timelineRetentionDays: number;
}

const rate = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : 0);

function timeline(rows: Awaited<ReturnType<EventRepo['countByHour']>>): TimelineHour[] {
  const hours = new Map<string, TimelineHour>();
  for (const r of rows) {
    const hour = `${r.hour}:00:00.000Z`;
    let h = hours.get(hour);
    if (!h) {
      h = { hour, opens: 0, machineOpens: 0, clicks: 0, botClicks: 0, bounces: 0, optOuts: 0, complaints: 0 };
      hours.set(hour, h);
    }
    if (r.type === 'open') h[r.machine ? 'machineOpens' : 'opens'] += r.count;
    else if (r.type === 'click') h[r.machine ? 'botClicks' : 'clicks'] += r.count;
    else if (r.type === 'bounce') h.bounces += r.count;
    else if (r.type === 'optout') h.optOuts += r.count;
    else if (r.type === 'complaint') h.complaints += r.count;
  }
  return [...hours.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}

/** Undefined when the campaign does not exist. */
export async function campaignReport(store: ReportStore, campaignId: string, retentionDays: number, now = new Date()): Promise<CampaignReport | undefined> {
  const campaign = await store.campaigns.get(campaignId);
  if (!campaign) return undefined;
  const counts = await store.recipients.counts(campaignId);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const summary = await store.engagement.summary(campaignId);
  const urls = await store.campaigns.links(campaignId);
  const accepted = counts.accepted;
  return {
    campaignId,
    status: campaign.status,
    generatedAt: now.toISOString(),
    recipients: { total, ...counts },
    sent: counts.accepted + counts.failed + counts.uncertain,
    accepted,
    bounced: { hard: summary.facts.hard_bounce, soft: summary.facts.soft_bounce },
    blocked: summary.facts.block,
    opened: {
      people: summary.opens.people,
      machineOnly: summary.opens.machineOnly,
      humanOpens: summary.opens.humanHits,
      machineOpens: summary.opens.machineHits,
      rate: rate(summary.opens.people, accepted),
    },
    clicked: {
      people: summary.clicks.people,
      botOnly: summary.clicks.machineOnly,
      humanClicks: summary.clicks.humanHits,
      botClicks: summary.clicks.machineHits,
      rate: rate(summary.clicks.people, accepted),
    },
    optedOut: summary.facts.opt_out,
    complaints: summary.facts.complaint,
    links: urls.map((url, index) => {
      const l = summary.links.find((x) => x.linkIndex === index);
      return { index, url, people: l?.people ?? 0, clicks: l?.humanHits ?? 0, botClicks: l?.machineHits ?? 0 };
    }),
    providers: byProvider(await store.reports.byDomain(campaignId)),
    timeline: timeline(await store.events.countByHour(campaignId)),
    timelineRetentionDays: retentionDays,
  };
}
