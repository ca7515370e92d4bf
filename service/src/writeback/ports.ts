// The write-back's narrow parts of the store, each declared for the code that uses it.
import type { StorePart, UnitOfWork } from '../ports/index.js';

/** Planning an activity row: the ledger, counters and suppressions at drain time. */
export type PlanStore = StorePart<{ recipients: 'get'; lists: 'get'; suppressions: 'get'; outbox: 'states'; engagement: 'forRecipient' }>;

/** Campaign and list setup: the LeadFWD list copied to Sugar, and the Sugar ids remembered. */
export type SetupStore = StorePart<{ campaigns: 'setSugarCampaignId'; lists: 'get' | 'members' | 'setSugarListId' }>;

/** Keeping `hits` equal to the local counts. */
export type HitsStore = UnitOfWork & StorePart<{ writeback: 'staleHits' | 'hitsWritten' | 'dropStale' }>;

/** What the campaign view shows of the write-back. */
export type StateStore = StorePart<{ campaigns: 'get'; outbox: 'stats' | 'dead' | 'retrying' | 'notes'; writeback: 'counts' | 'staleCount' }>;

/** The writeback loop: claims, verdicts and what each changed, committed together. */
export type LoopStore = PlanStore &
  SetupStore &
  HitsStore &
  StorePart<{
    campaigns: 'get';
    recipients: 'getMany';
    outbox: 'claim' | 'complete' | 'fail' | 'defer' | 'note' | 'sweepStale' | 'enqueue' | 'pendingTime' | 'hasten';
    writeback: 'recordWritten';
    scores: 'eventsOf';
  }>;

/** The whole feature: taking campaigns on, the loop, the state and the operator's dead rows. */
export type WritebackStore = LoopStore & StateStore & StorePart<{ campaigns: 'inStatus'; outbox: 'enqueue' | 'revive' }>;
