// Time rules of automation waits: ISO 8601 durations (days and clock time only: months and years have no fixed
// length) and weekday/time windows in an IANA time zone, computed with Intl so no tz database ships with us.

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

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Send only on these weekdays, from `from` (inclusive) to `to` (exclusive) local time in `timeZone`. */
export interface TimeWindow {
  weekdays: Weekday[];
  from: string;
  to: string;
  timeZone: string;
}

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const minutesOf = (hhmm: string): number | undefined => {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface Local {
  y: number;
  mo: number;
  d: number;
  minutes: number;
  weekday: Weekday;
}
function local(at: Date, tz: string): Local {
  const p = Object.fromEntries(
    formatter(tz)
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return {
    y: Number(p.year),
    mo: Number(p.month),
    d: Number(p.day),
    minutes: Number(p.hour) * 60 + Number(p.minute),
    weekday: p.weekday.toLowerCase().slice(0, 3) as Weekday,
  };
}

/** The instant a local wall-clock time in `tz` names (the later one in a DST gap, the first in an overlap). */
function instantOf(y: number, mo: number, d: number, minutes: number, tz: string): Date {
  const wall = Date.UTC(y, mo - 1, d, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const l = local(new Date(guess), tz);
    const seen = Date.UTC(l.y, l.mo - 1, l.d, 0, l.minutes);
    if (seen === wall) break;
    guess += wall - seen;
  }
  return new Date(guess);
}

/** The first instant at or after `now` inside the window. */
export function nextWindowStart(now: Date, w: TimeWindow): Date {
  const from = minutesOf(w.from)!;
  const to = minutesOf(w.to)!;
  const days = new Set(w.weekdays);
  const l = local(now, w.timeZone);
  if (days.has(l.weekday) && l.minutes >= from && l.minutes < to) return now;
  for (let i = 0; i <= 7; i++) {
    const noon = new Date(Date.UTC(l.y, l.mo - 1, l.d + i, 12));
    const day = WEEKDAYS[(noon.getUTCDay() + 6) % 7];
    if (!days.has(day)) continue;
    const start = instantOf(noon.getUTCFullYear(), noon.getUTCMonth() + 1, noon.getUTCDate(), from, w.timeZone);
    if (start.getTime() >= now.getTime()) return start;
  }
  // Unreachable for a validated window (at least one weekday, from < to); a week later is a safe answer anyway.
  return new Date(now.getTime() + 7 * 86_400_000);
}
