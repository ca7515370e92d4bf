// Sending at a local time per recipient: the next moment it is `localTime` (HH:MM) in the recipient's time zone,
// from `now`; a recipient without a known zone gets the campaign's default zone.

/** The UTC instant when it is `hh:mm` on `date` (YYYY-MM-DD) in `timeZone`. */
function zonedInstant(date: string, hh: number, mm: number, timeZone: string): Date {
  const guess = new Date(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
  // The zone's offset at that moment, read through Intl (DST included); applied twice to settle across a change.
  let t = guess.getTime();
  for (let i = 0; i < 2; i++) t = guess.getTime() - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((o, p) => {
      o[p.type] = p.value;
      return o;
    }, {});
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || !tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The first instant at or after `now` when the local clock in `timeZone` shows `localTime` (HH:MM). */
export function nextLocalSendTime(localTime: string, timeZone: string, now: Date): Date {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(localTime);
  if (!m) throw new RangeError(`local time must be HH:MM, got ${localTime}`);
  const localDate = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  for (let d = -1; d <= 2; d++) {
    const day = new Date(Date.parse(`${localDate}T12:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    const at = zonedInstant(day, Number(m[1]), Number(m[2]), timeZone);
    if (at.getTime() >= now.getTime()) return at;
  }
  throw new Error('unreachable: a local time recurs every day');
}
