// Shapes of the LeadFWD service's JSON API (README "HTTP API") as the UI reads them. Types the service declares for
// its JSON as it is are taken from it (type-only imports: nothing of the service is bundled).
import type { CampaignContent, CampaignStatus, RecipientState, SkipReason } from '../../../service/src/domain/types.js';
import type { CampaignReport, KeyFigures, ProviderGroup, ProviderResult, TimelineHour } from '../../../service/src/engagement/report.js';

export type { RecipientChoice } from '../../../service/src/campaigns/recipient-preview.js';
export type { CampaignReport, CampaignStatus, KeyFigures, ProviderGroup, ProviderResult, RecipientState, SkipReason, TimelineHour };

export interface Audit {
  candidates: number;
  queued: number;
  skipped: Partial<Record<SkipReason, number>>;
  progress?: { listsDone: number; listsTotal: number; recordsRead: number };
  /** Local-time sending: how many go when, per time zone. */
  localTimes?: Array<{ timeZone: string; at: string; count: number; fromRecord: boolean }>;
}

/** Rows the service still has to write into Sugar, written, and given up on; lag of the oldest pending row. */
export interface WriteBackState {
  pending: number;
  done: number;
  dead: number;
  lagSeconds: number;
  errors?: Array<{ kind: string; error: string; dead: boolean }>;
}

export interface CampaignView {
  id: string;
  name: string;
  status: CampaignStatus;
  subject: string;
  fromName: string;
  fromEmail: string;
  targetListIds: string[];
  leadfwdListIds: string[];
  customFields: string[];
  sendAt: string;
  sugarCampaignId?: string;
  held?: boolean;
  /** Set when the campaign sends a step of an automation, which controls it. */
  automation?: { automationId: string; automationName: string; automationStatus: AutomationStatus; stepKey: string } | null;
  createdAt: string;
  updatedAt: string;
  audit: Audit | null;
  progress: Partial<Record<RecipientState, number>>;
  history: Array<{ status: CampaignStatus; at: string; reason?: string }>;
  writeback?: WriteBackState;
  /** GET /campaigns/:id: whether Sugar lets this user change the campaign. */
  mayEdit?: boolean;
  /** GET /campaigns?figures=true: the row's key figures, people only. */
  figures?: KeyFigures;
  /** When its rows go, where the sender identity's warm-up plan or daily limit spreads them over days (issue 16). */
  schedule?: CampaignSchedule | null;
  /** A part of an A/B test: a variant (its index) or the rest that got the winner. */
  abPart?: { testId: string; group: number | 'rest' };
  /** A follow-up to a sent campaign's non-openers. */
  followUpOf?: { campaignId: string; name: string; criterion: 'not_opened' | 'not_clicked'; mppOnly: 'include' | 'exclude' };
}

export interface CampaignSchedule {
  days: Array<{ date: string; count: number }>;
  fits: boolean;
  limitedBy?: Array<'warmup' | 'perDay'>;
  nextSendAt?: string;
}

/** A sender identity the user may pick (GET /identities as that user). */
export interface IdentityChoice {
  id: string;
  name: string;
  isDefault: boolean;
  fromDomains: string[];
  fromAddresses: string[];
}

/** GET /campaigns/:id/follow-up: whom a follow-up could reach now. */
export interface FollowUpAudience {
  accepted: number;
  humanOpeners: number;
  mppOnly: number;
  noOpen: number;
  humanClickers: number;
}

/** GET /ab-tests/:id */
export interface AbTestView {
  id: string;
  name: string;
  metric: 'opens' | 'clicks';
  testShare: number;
  decideAt: string;
  winner?: number;
  decidedBy?: string;
  decidedAt?: string;
  undecidedReason?: string;
  variants: Array<{
    variant: number;
    label: string;
    campaignId: string;
    name: string;
    subject: string;
    status: CampaignStatus;
    accepted: number;
    humanOpeners: number;
    mppOnly: number;
    humanClickers: number;
    rate: number;
  }>;
  rest: { campaignId: string; name: string; status: CampaignStatus } | null;
}

export interface CampaignPage {
  campaigns: CampaignView[];
  total: number;
  limit: number;
  offset: number;
}

export type PeopleKind = 'bounced' | 'complaint' | 'opted_out' | 'uncertain';
export interface Person {
  rowId: number;
  email: string;
  name: string;
  module: string;
  recordId: string;
  state: RecipientState;
  fact?: 'hard_bounce' | 'soft_bounce' | 'block' | 'complaint' | 'opt_out';
  at?: string;
  detail?: string;
  resolution?: { action: 'accepted' | 'resend'; by: string | null; at: string };
}
export interface PeoplePage {
  kind: PeopleKind;
  people: Person[];
  total: number;
  /** People in modules this user's Sugar role does not show. */
  hidden: number;
  limit: number;
  offset: number;
}

export interface TargetList {
  id: string;
  name: string;
  list_type: string;
  memberCount: number | null;
}
export interface LeadfwdList {
  id: string;
  name: string;
  memberCount: number;
}
export interface MergeField {
  name: string;
  type: string;
  label: string;
  custom: boolean;
}
export interface Preview {
  subject: string;
  html: string;
  text: string;
}
export interface TestSendResult {
  sent: number;
  results: Array<{ email: string; outcome: string; detail?: string }>;
}

export interface NewCampaign extends CampaignContent {
  name: string;
  targetListIds: string[];
  leadfwdListIds: string[];
  customFields: string[];
  sendAt?: string;
  sugarCampaignId?: string;
  /** Extract and count, but send only after POST /campaigns/:id/confirm. */
  hold?: boolean;
  /** The sender identity (absent: the default one). */
  senderIdentityId?: string;
  /** From each target's assigned user, where the identity allows that address. */
  sendAsAssignedUser?: boolean;
  /** Sugar saved filters and reports, read when the campaign is extracted (as its creator). */
  savedFilterIds?: string[];
  reportIds?: string[];
  /** Sent at this local time in each recipient's time zone. */
  localTime?: { at: string; timeZone: string };
}

/** GET /sugar/saved-filters and /sugar/reports: audiences that follow Sugar. */
export interface SavedAudience {
  id: string;
  name: string;
  module: string;
}

export type AutomationStatus = 'active' | 'paused' | 'stopped';
export interface Enrolments {
  active: number;
  done: number;
  left: number;
}
export interface AutomationSummary {
  id: string;
  name: string;
  status: AutomationStatus;
  createdAt: string;
  enrolments: Enrolments;
}
export interface AutomationWindow {
  weekdays: string[];
  from: string;
  to: string;
  timeZone: string;
}
export type AutomationStep =
  | { key: string; type: 'wait'; waiting: number; seconds?: number; window?: AutomationWindow }
  | {
      key: string;
      type: 'send_email';
      waiting: number;
      name: string;
      subject: string;
      campaignId: string | null;
      passed: number;
      delivery: Partial<Record<RecipientState, number>> | null;
      engagement: { opened: number; clicked: number; machineOnlyOpens: number } | null;
    };
export interface AutomationSplit {
  key: string;
  winnerRule: { metric: 'opens' | 'clicks'; afterHours: number } | null;
  decideAt: string | null;
  winner: number | null;
  decidedBy: string | null;
  decidedAt: string | null;
  undecidedReason: string | null;
  paths: Array<{ path: number; label: string; stepKey: string | null; campaignId: string | null; accepted: number; rate: number }>;
}
export interface AutomationView extends AutomationSummary {
  targetListIds: string[];
  updatedAt: string;
  steps: AutomationStep[];
  /** Each split step: its winner rule, each path's first email with its people's rate, and the decision. */
  splits?: AutomationSplit[];
  /** The body it was created or last edited with (what the builder edits). */
  definition?: unknown;
  /** Whether Sugar lets this user change it. */
  mayEdit?: boolean;
  createdBy?: { id: string; userName: string } | null;
}
