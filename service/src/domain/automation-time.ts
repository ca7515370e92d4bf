// Time rules of automation waits: ISO 8601 durations (days and clock time only: months and years have no fixed
// length) and weekday/time windows in an IANA time zone, computed with Intl so no tz database ships with us.

import { WEEKDAYS, type Weekday, wallClock, zonedInstant } from './zoned-time.js';

export { isTimeZone, WEEKDAYS, type Weekday } from './zoned-time.js';

export const MIN_WAIT_SECONDS = 30;
export const MAX_WAIT_SECONDS = 90 * 86_400;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds of an ISO 8601 duration, or an error message naming what is wrong. */
export function parseDuration(text: unknown): { seconds: number } | { error: string } {
  if (typeof text !== 'string') return { error: 'must be an ISO 8601 duration such as "P2D" or "PT30M"' };
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    return { error: `"${text.slice(0, 40)}" is not an ISO 8601 duration of weeks, days, hours, minutes and seconds (e.g. "P2D", "PT1H30M")` };
  }
  const [w, d, h, mi, s] = m.slice(1).map((x) => (x ? Number(x) : 0));
  const seconds = w * 7 * 86_400 + d * 86_400 + h * 3600 + mi * 60 + s;
  if (seconds < MIN_WAIT_SECONDS || seconds > MAX_WAIT_SECONDS) return { error: `"${text}" must be between PT30S and P90D` };
  return { seconds };
}

/** Send only on these weekdays, from `from` (inclusive) to `to` (exclusive) local time in `timeZone`. */
export interface TimeWindow {
  weekdays: Weekday[];
  from: string;
  to: string;
  timeZone: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const minutesOf = (hhmm: string): number | undefined => {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};

/** The first instant at or after `now` inside the window. */
export function nextWindowStart(now: Date, w: TimeWindow): Date {
  const from = minutesOf(w.from)!;
  const to = minutesOf(w.to)!;
  const days = new Set(w.weekdays);
  const l = wallClock(now, w.timeZone);
  const minutes = l.hour * 60 + l.minute;
  if (days.has(l.weekday) && minutes >= from && minutes < to) return now;
  for (let i = 0; i <= 7; i++) {
    const noon = new Date(Date.UTC(l.year, l.month - 1, l.day + i, 12));
    const day = WEEKDAYS[(noon.getUTCDay() + 6) % 7];
    if (!days.has(day)) continue;
    const wall = {
      year: noon.getUTCFullYear(),
      month: noon.getUTCMonth() + 1,
      day: noon.getUTCDate(),
      hour: Math.floor(from / 60),
      minute: from % 60,
      second: 0,
    };
    const start = zonedInstant(wall, w.timeZone);
    if (start.getTime() >= now.getTime()) return start;
  }
  // Unreachable for a validated window (at least one weekday, from < to); a week later is a safe answer anyway.
  return new Date(now.getTime() + 7 * 86_400_000);
}
