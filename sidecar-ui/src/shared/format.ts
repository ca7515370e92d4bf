// Pure arithmetic behind the dashlet's numbers: progress, send rate and ETA, durations. No DOM, no Sugar.
import type { Audit, CampaignStatus, CampaignView, RecipientState, SkipReason } from './service-types.js';

export const ACTIVE_STATUSES: readonly CampaignStatus[] = ['draft', 'extracting', 'pending', 'sending', 'paused'];
export const isActive = (s: CampaignStatus) => ACTIVE_STATUSES.includes(s);

/** Created by the send flow's review step and waiting for the person to confirm it: not a campaign to show yet. */
export const isHeld = (c: Pick<CampaignView, 'held'>) => c.held === true;

type Progress = Partial<Record<RecipientState, number>>;
const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Recipients with a final SMTP outcome. */
export const sentCount = (p: Progress) => n(p.accepted) + n(p.failed) + n(p.uncertain);
export const totalCount = (p: Progress) => sentCount(p) + n(p.queued) + n(p.sending);

export function percent(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

export function formatPercent(rate: number): string {
  const pct = Math.round(n(rate) * 1000) / 10;
  return `${pct}%`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
}

export interface RateSample {
  at: number;
  sent: number;
}

/** Keeps the last minute of (time, sent) samples per campaign to estimate the time left. */
export function addSample(samples: RateSample[], sample: RateSample, windowMs = 60_000): RateSample[] {
  const kept = samples.filter((s) => s.at >= sample.at - windowMs && s.at < sample.at && s.sent <= sample.sent);
  kept.push(sample);
  return kept;
}

/** Milliseconds until `remaining` more are sent at the rate seen across the samples; undefined if unknown. */
export function etaMs(samples: RateSample[], remaining: number): number | undefined {
  if (remaining <= 0) return 0;
  if (samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const perMs = (last.sent - first.sent) / (last.at - first.at);
  if (!(perMs > 0)) return undefined;
  return Math.round(remaining / perMs);
}

export const SKIP_REASONS: readonly SkipReason[] = ['opted_out', 'invalid', 'duplicate', 'no_address', 'suppressed', 'exempt', 'malformed'];

export function skippedTotal(audit: Audit): number {
  return SKIP_REASONS.reduce((sum, r) => sum + n(audit.skipped?.[r]), 0);
}

/** Non-zero skip reasons in a fixed order, so the audit always reads the same way. */
export function skips(audit: Audit): Array<[SkipReason, number]> {
  return SKIP_REASONS.map((r) => [r, n(audit.skipped?.[r])] as [SkipReason, number]).filter(([, v]) => v > 0);
}

/** Write-back lag in ms; undefined when the service reports no write-back state. */
export function writeBackLagMs(c: CampaignView): number | undefined {
  const v = c.writeback?.lagSeconds;
  return typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined;
}
