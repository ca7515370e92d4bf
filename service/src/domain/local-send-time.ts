// Sending at a local time per recipient: the next moment it is `localTime` (HH:MM) in the recipient's time zone,
// from `now`; a recipient without a known zone gets the campaign's default zone.

import { wallClock, zonedInstant } from './zoned-time.js';

export { isTimeZone } from './zoned-time.js';

/** The first instant at or after `now` when the local clock in `timeZone` shows `localTime` (HH:MM). */
export function nextLocalSendTime(localTime: string, timeZone: string, now: Date): Date {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(localTime);
  if (!m) throw new RangeError(`local time must be HH:MM, got ${localTime}`);
  const today = wallClock(now, timeZone);
  for (let d = -1; d <= 2; d++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + d, 12));
    const wall = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Number(m[1]), minute: Number(m[2]), second: 0 };
    const at = zonedInstant(wall, timeZone);
    if (at.getTime() >= now.getTime()) return at;
  }
  throw new Error('unreachable: a local time recurs every day');
}
