// A/B tests as stored: the variants' campaigns, when and on what the winner is chosen, and the choice. Asynchronous
// from the start, so a PostgreSQL adapter implements it as it is.
import type { WinnerMetric } from '../domain/ab-test.js';

export interface NewAbTest {
  id: string;
  name: string;
  metric: WinnerMetric;
  /** The share of the audience the variants split (the rest waits for the winner). */
  testShare: number;
  decideAt: string;
  variantCampaignIds: string[];
}

export interface AbTest extends NewAbTest {
  winner?: number;
  /** 'auto', or who chose by hand. */
  decidedBy?: string;
  decidedAt?: string;
  restCampaignId?: string;
  /** Why the automatic choice is not made yet (no data, a tie): shown until someone chooses. */
  undecidedReason?: string;
  createdAt: string;
}

export interface AbTestRepo {
  create(t: NewAbTest): Promise<AbTest>;
  get(id: string): Promise<AbTest | undefined>;
  /** The test a variant's or the rest's campaign belongs to. */
  ofCampaign(campaignId: string): Promise<AbTest | undefined>;
  /** Tests without a winner whose decide time has come. */
  due(nowIso: string): Promise<AbTest[]>;
  /** Tests with a winner whose rest campaign is not recorded yet (a crash between the two). */
  withoutRest(): Promise<AbTest[]>;
  /** Compare-and-set: false when the test already has a winner. */
  decide(id: string, d: { winner: number; by: string; at: string }): Promise<boolean>;
  setRestCampaign(id: string, campaignId: string): Promise<void>;
  noteUndecided(id: string, reason: string | null): Promise<void>;
}
