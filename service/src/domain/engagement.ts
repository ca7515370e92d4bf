// Engagement vocabulary shared by the tracking routes and the inbound listener: open classes, bounce kinds, and
// the shape of an IP range check (engagement/ip.ts builds it with node:net).

export type OpenClass = 'human' | 'apple_mpp' | 'gmail_proxy' | 'scanner' | 'unknown';
export type BounceKind = 'hard' | 'soft' | 'block' | 'complaint';
/** True when the address is in one of the configured ranges. */
export type IpMatcher = (ip: string | undefined) => boolean;
