// The winners of automations' split steps: decided once (automatically or by hand), and why an automatic choice
// could not be made yet. Asynchronous from the start, so a PostgreSQL adapter implements it as it is.

export interface SplitDecision {
  stepKey: string;
  /** The winning path (0-based); absent while undecided. */
  winner?: number;
  /** 'auto', or who chose by hand. */
  decidedBy?: string;
  decidedAt?: string;
  /** Why the automatic choice could not be made yet (no data, a tie). */
  undecidedReason?: string;
}

export interface SplitWinnerRepo {
  /** Every split of the automation with a decision or an undecided reason, by step key. */
  forAutomation(automationId: string): Promise<Map<string, SplitDecision>>;
  /** Records the winner once: false when the split already has one. */
  decide(automationId: string, stepKey: string, d: { winner: number; by: string; at: string }): Promise<boolean>;
  /** Why the automatic choice could not be made yet; ignored once decided. */
  noteUndecided(automationId: string, stepKey: string, reason: string): Promise<void>;
}
