// The write-back's narrow parts of the store, each declared by the code that uses it.
import type {
  CampaignRepo, EngagementRepo, LeadfwdListRepo, OutboxRepo, RecipientRepo, SuppressionRepo, UnitOfWork, WritebackRepo,
} from '../ports/index.js';

/** Planning an activity row: the ledger, counters and suppressions at drain time. */
export interface PlanStore {
  recipients: Pick<RecipientRepo, 'get'>;
  lists: Pick<LeadfwdListRepo, 'get'>;
  suppressions: Pick<SuppressionRepo, 'get'>;
  outbox: Pick<OutboxRepo, 'states'>;
  engagement: Pick<EngagementRepo, 'forRecipient'>;
}

/** Campaign and list setup: the LeadFWD list copied to Sugar, and the Sugar ids remembered. */
export interface SetupStore {
  campaigns: Pick<CampaignRepo, 'setSugarCampaignId'>;
  lists: Pick<LeadfwdListRepo, 'get' | 'members' | 'setSugarListId'>;
}

/** Keeping `hits` equal to the local counts. */
export interface HitsStore extends UnitOfWork {
  writeback: Pick<WritebackRepo, 'staleHits' | 'hitsWritten' | 'dropStale'>;
}

/** What the campaign view shows of the write-back. */
export interface StateStore {
  campaigns: Pick<CampaignRepo, 'get'>;
  outbox: Pick<OutboxRepo, 'stats' | 'dead' | 'retrying' | 'notes'>;
  writeback: Pick<WritebackRepo, 'counts' | 'staleCount'>;
}

/** The writeback loop: claims, verdicts and what each changed, committed together. */
export interface LoopStore extends PlanStore, SetupStore, HitsStore {
  campaigns: Pick<CampaignRepo, 'get' | 'setSugarCampaignId'>;
  lists: Pick<LeadfwdListRepo, 'get' | 'members' | 'setSugarListId'>;
  outbox: Pick<OutboxRepo, 'claim' | 'complete' | 'fail' | 'defer' | 'note' | 'states' | 'sweepStale'>;
  writeback: Pick<WritebackRepo, 'recordWritten' | 'staleHits' | 'hitsWritten' | 'dropStale'>;
}

/** The whole feature: taking campaigns on, the loop, the state and the operator's dead rows. */
export interface WritebackStore extends LoopStore, StateStore {
  campaigns: Pick<CampaignRepo, 'get' | 'setSugarCampaignId' | 'inStatus'>;
  outbox: LoopStore['outbox'] & StateStore['outbox'] & Pick<OutboxRepo, 'enqueue' | 'revive'>;
  writeback: LoopStore['writeback'] & StateStore['writeback'];
}
