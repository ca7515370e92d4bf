// How the screens read the service again. Overlapping reads of one thing (a filter changed while the last read was on
// its way, a Refresh beside a poll or an action's own read): only the answer to the last one asked for is shown, since
// an older answer arriving after it would put back what the person had just replaced. A read that failed for a passing
// reason (the service restarting) is tried again by itself, at growing intervals, so a screen opened meanwhile fills in.

/** Each call starts a read and answers its check: true while no read was started after it. */
export function latestReads(): () => () => boolean {
  let asked = 0;
  return () => {
    const mine = ++asked;
    return () => mine === asked;
  };
}

/** Waits between tries of a read that failed for a passing reason: 5, 10, 20, 40 s, then a minute each. */
export function retryWaits(): () => number {
  let next = 5_000;
  return () => {
    const wait = next;
    next = Math.min(60_000, next * 2);
    return wait;
  };
}
