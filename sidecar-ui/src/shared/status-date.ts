// A campaign's dates as people read them, in the user's Sugar time zone: the area's lists and reports and the dashlet
// said different times for one send when the dashlet used the browser's zone.
import { t } from './app.js';
import type { CampaignView } from './service-types.js';

/** A date-time as people read it, in the user's Sugar time zone. */
export function when(iso: string | undefined, zone: string): string {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(d) : '';
}

/** A time of day ("Updated at …"), in the user's Sugar time zone. */
export const clockTime = (at: Date, zone: string) => at.toLocaleTimeString(undefined, { timeZone: zone });

/** A chart's hour (seconds since the epoch), short, in the user's Sugar time zone. */
export const chartTime = (zone: string) => (s: number) =>
  new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(s * 1000));

/** The time that matters for a campaign's status (sent, sending since, sends, paused, …) in the user's Sugar zone. */
export function statusDate(c: CampaignView, zone: string): string {
  const last = (status: string) => [...(c.history ?? [])].reverse().find((x) => x.status === status)?.at;
  const at = (iso: string | undefined) => when(iso ?? c.updatedAt, zone);
  switch (c.status) {
    case 'sent':
      return t('LBL_LEADFWD_SENT_ON', { when: at(last('sent')) });
    case 'sending':
      return t('LBL_LEADFWD_SENDING_SINCE', { when: at(last('sending')) });
    case 'paused':
      return t('LBL_LEADFWD_PAUSED_ON', { when: at(last('paused')) });
    case 'cancelled':
      return t('LBL_LEADFWD_CANCELLED_ON', { when: at(last('cancelled')) });
    case 'failed':
      return t('LBL_LEADFWD_FAILED_ON', { when: at(last('failed')), reason: c.history[c.history.length - 1]?.reason ?? '' });
    default:
      return t('LBL_LEADFWD_SENDS_ON', { when: when(c.sendAt, zone) });
  }
}
