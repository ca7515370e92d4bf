// How many of a mailbox provider's connections (an identity's `concurrency` for it) one process may hold, when
// several processes share them: what the others' live leases leave, at most a fair share while others wait for some.
// The count the others see never drops below what this process has on the wire (those are real whatever it says).

export interface SlotAsk {
  /** As many as this process could use now (0: it is idle and gives its slots back). */
  want: number;
  /** Messages this process has on the wire to the provider: kept whatever the others hold. */
  inUse: number;
  /** The provider's concurrency for the identity, for every process together. */
  limit: number;
}

export interface OtherHolder {
  held: number;
  /** What it last asked for: more than it holds means it waits for slots. */
  wanted: number;
}

export interface SlotGrant {
  /** What this process may have on the wire: no new message while it has as many. */
  grant: number;
  /** What the others are told it holds: the grant, or more while messages beyond it are still on the wire. */
  held: number;
}

export function slotsToHold(ask: SlotAsk, others: readonly OtherHolder[]): SlotGrant {
  let othersHeld = 0;
  let waiting = 0;
  for (const o of others) {
    othersHeld += o.held;
    if (o.wanted > o.held) waiting++;
  }
  const free = Math.max(0, ask.limit - othersHeld);
  // One process must not keep a provider's every connection while another's campaign waits for one: it shrinks to
  // a fair share, keeping those on the wire until they are answered. With fewer connections than processes waiting,
  // the first to hold keep theirs.
  const fair = waiting ? Math.ceil(ask.limit / (waiting + 1)) : ask.limit;
  const grant = Math.min(ask.want, free, fair);
  return { grant, held: Math.max(ask.inUse, grant) };
}
