// Wall clocks in IANA time zones, read through Intl so no time-zone database ships with us. One module for the
// service, the Sugar simulator and the Sugar UI (pure: it bundles into the browser as it is).

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

// Building a formatter costs far more than using one; a process sees few zones.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** What a clock in `zone` shows at the instant `at` (a Date or epoch ms). */
export function wallClock(at: Date | number, zone: string): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(at)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: p.weekday.toLowerCase().slice(0, 3) as Weekday,
  };
}

const asUtc = (w: Omit<WallClock, 'weekday'>) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** How far `zone` is ahead of UTC at `at` (epoch ms), in ms (DST included). */
export function zoneOffsetMs(zone: string, at: number): number {
  return asUtc(wallClock(at, zone)) - Math.floor(at / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` names: the later side of a DST gap, the first of an overlap. */
export function zonedInstant(wall: Omit<WallClock, 'weekday'>, zone: string): Date {
  const target = asUtc(wall);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const seen = asUtc(wallClock(guess, zone));
    if (seen === target) break;
    guess += target - seen;
  }
  return new Date(guess);
}
