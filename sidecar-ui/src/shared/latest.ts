// Overlapping reads of one thing (a filter changed while the last read was on its way, a Refresh beside a poll or an
// action's own read): only the answer to the last one asked for is shown. An older answer arriving after it would put
// back what the person had just replaced, and stay until the next read (a search's results under another filter).

/** Each call starts a read and answers its check: true while no read was started after it. */
export function latestReads(): () => () => boolean {
  let asked = 0;
  return () => {
    const mine = ++asked;
    return () => mine === asked;
  };
}
