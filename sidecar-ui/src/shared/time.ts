// Times in the user's Sugar time zone (their profile's preference, app.user.getPreference('timezone')), not the
// browser's: a marketer in Berlin on a laptop set to another zone schedules in Berlin time. Pure except userTimeZone.
import { isTimeZone, wallClock, zoneOffsetMs } from '../../../service/src/domain/zoned-time.js';
import { getApp } from './app.js';

/** The user's Sugar time zone; the browser's when Sugar has none (or one this browser does not know). */
export function userTimeZone(): string {
  const user = getApp().user as unknown as { getPreference?: (k: string) => unknown; get?: (k: string) => { timezone?: unknown } | undefined } | undefined;
  const pref = user?.getPreference?.('timezone') ?? user?.get?.('preferences')?.timezone;
  return isTimeZone(pref) ? pref : Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * A datetime-local value (YYYY-MM-DDTHH:MM[:SS]) read as a wall-clock time in `zone`; undefined when it is not a
 * real date. A time skipped by a daylight-saving change moves forward by the gap, as clocks do.
 */
export function zonedToUtc(value: string, zone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59) return undefined;
  let t = wall - zoneOffsetMs(zone, wall);
  const second = wall - zoneOffsetMs(zone, t);
  if (second !== t) t = Math.max(t, second);
  return new Date(t);
}

/** The same instant as a datetime-local value in `zone` (to show a saved time back in the field). */
export function utcToZonedInput(at: Date, zone: string): string {
  const p = wallClock(at, zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** "Thursday, 10 December 2026 at 09:00 (Europe/Berlin)": an instant as the user reads it in their Sugar zone. */
export function formatInZone(at: Date, zone: string, locale?: string): string {
  const text = new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }).format(at);
  return `${text} (${zone})`;
}
