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

/**
 * Tries `again` by itself after a read failed for a passing reason: in 5, 10, 20, 40 s, then a minute each time.
 * `later` replaces a try not yet made; `stop` drops it (a read asked for meanwhile, the screen closed); `tried` says
 * whether one was ever planned.
 */
export function laterTries(again: () => void) {
  let next = 5_000;
  let timer: number | undefined;
  let tried = false;
  const stop = () => window.clearTimeout(timer);
  return {
    later() {
      stop();
      tried = true;
      timer = window.setTimeout(again, next);
      next = Math.min(60_000, next * 2);
    },
    stop,
    get tried() {
      return tried;
    },
  };
}
