// What each shared book of this folder takes besides its repository: tests drive its clock, and it warns (once per
// outage) when the database it shares through is away.
export interface BookOptions {
  /** Monotonic ms. */
  monotonic?: () => number;
  logger?: { warn(o: object, m?: string): void };
}
