// Rows admitted for delivery and not answered yet, each counting against its provider's concurrency from the strike
// epoch it went in; the send loop waits here until enough came back.
import type { LedgerRecipient } from '../ports/index.js';

export interface InFlight {
  row: LedgerRecipient;
  provider: string;
  epoch: number;
}

export class InFlightRows extends Map<number, InFlight> {
  #waiter: { below: number; wake(): void } | undefined;

  /** Resolves once fewer than `below` rows are in flight (one waiter at a time: the loop). */
  room(below: number): Promise<void> {
    return this.size < below ? Promise.resolve() : new Promise<void>((wake) => (this.#waiter = { below, wake }));
  }

  /** Called once a batch of results was taken, not per row: the loop refills in batches. */
  wakeIfRoom(): void {
    if (this.#waiter && this.size < this.#waiter.below) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.wake();
    }
  }
}
