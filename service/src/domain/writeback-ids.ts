// Deterministic Sugar ids (RFC 9562 UUIDv5) for every record the write-back creates. A replay after a
// crash asks Sugar to create the same id again, which Sugar refuses with 422 "Record already exists":
// the write is recognised instead of duplicated.
import { createHash } from 'node:crypto';

/** The LeadFWD namespace; never change it, or every replay would create new rows. */
export const LEADFWD_NAMESPACE = '6f1d3c52-8f4e-4b9a-9c67-1e0f2d7a5b3c';

function bytesOf(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

const LEADFWD_NAMESPACE_BYTES = bytesOf(LEADFWD_NAMESPACE);

export function uuidv5(name: string, namespace: string = LEADFWD_NAMESPACE): string {
  const ns = namespace === LEADFWD_NAMESPACE ? LEADFWD_NAMESPACE_BYTES : bytesOf(namespace);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const sugarIds = {
  campaign: (campaignId: string) => uuidv5(`campaign:${campaignId}`),
  list: (leadfwdListId: string) => uuidv5(`list:${leadfwdListId}`),
  tracker: (campaignId: string, linkIndex: number) => uuidv5(`tracker:${campaignId}:${linkIndex}`),
  /** One per target and activity (and link for clicks), so each fact maps to exactly one CampaignLog row. */
  log: (campaignId: string, rowId: number, activity: string, linkIndex?: number) =>
    uuidv5(`log:${campaignId}:${rowId}:${activity}${linkIndex === undefined ? '' : `:${linkIndex}`}`),
  /** Shared by all of a target's rows in one campaign, as Sugar copies it from the targeted row. */
  trackerKey: (campaignId: string, rowId: number) => uuidv5(`target:${campaignId}:${rowId}`),
};
