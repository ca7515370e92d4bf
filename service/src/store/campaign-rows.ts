// A campaign's row as both adapters' SQL returns it (the same columns), and the one mapping of it to the port's
// StoredCampaign, so store/sqlite-campaign-repo.ts and store/pg/campaign-repo.ts cannot read a column differently.
// A type, not an interface, so PostgreSQL's untyped rows (Record<string, unknown>) convert to it with a plain `as`.
import type { CampaignStatus } from '../domain/types.js';
import type { StoredCampaign } from '../ports/index.js';
import { fromJson, opt } from './values.js';

export type CampaignRow = {
  id: string;
  name: string;
  status: CampaignStatus;
  subject: string;
  from_name: string;
  from_email: string;
  reply_to: string | null;
  mjml: string | null;
  html: string | null;
  target_list_ids: string;
  leadfwd_list_ids: string;
  custom_fields: string;
  test_addresses: string | null;
  send_at: string;
  sugar_campaign_id: string | null;
  held: number;
  created_by_id: string | null;
  created_by_name: string | null;
  sender_identity_id: string | null;
  send_as_assigned_user: number;
  audiences: string | null;
  follow_up_of: string | null;
  ab_part: string | null;
  local_time: string | null;
  created_at: string;
  updated_at: string;
};

export const COLUMNS = `id, name, status, subject, from_name, from_email, reply_to, mjml, html, target_list_ids,
  leadfwd_list_ids, custom_fields, test_addresses, send_at, sugar_campaign_id, held, created_by_id, created_by_name,
  sender_identity_id, send_as_assigned_user, audiences, follow_up_of, ab_part, local_time, created_at, updated_at`;

/** Statuses a held campaign can be in before it is confirmed (it never reaches sending while held). */
export const STILL_HELD = "('draft', 'extracting', 'pending', 'paused')";

export function toCampaign(r: CampaignRow): StoredCampaign {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    subject: r.subject,
    fromName: r.from_name,
    fromEmail: r.from_email,
    replyTo: opt(r.reply_to),
    mjml: opt(r.mjml),
    html: opt(r.html),
    targetListIds: fromJson(r.target_list_ids, []),
    leadfwdListIds: fromJson(r.leadfwd_list_ids, []),
    customFields: fromJson(r.custom_fields, []),
    testAddresses: fromJson(r.test_addresses, undefined),
    sendAt: r.send_at,
    sugarCampaignId: opt(r.sugar_campaign_id),
    held: r.held === 1,
    createdBy: r.created_by_id ? { id: r.created_by_id, userName: r.created_by_name ?? '' } : undefined,
    ...(r.sender_identity_id ? { senderIdentityId: r.sender_identity_id } : {}),
    ...(r.send_as_assigned_user === 1 ? { sendAsAssignedUser: true } : {}),
    ...(r.audiences ? { audiences: fromJson(r.audiences, []) } : {}),
    ...(r.follow_up_of ? { followUpOf: fromJson(r.follow_up_of, undefined) } : {}),
    ...(r.ab_part ? { abPart: fromJson(r.ab_part, undefined) } : {}),
    ...(r.local_time ? { localTime: fromJson(r.local_time, undefined) } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
