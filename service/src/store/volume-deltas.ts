// A batch of deliverability counts summed per (identity, campaign, provider, day) before it is written, the same for
// both adapters: one upsert per key, however many deltas of the batch share it.
import type { VolumeCounts, VolumeDelta } from '../ports/index.js';
import { StoreInputError } from './errors.js';

const COUNTS = ['accepted', 'deferred', 'failed', 'hardBounces', 'softBounces', 'blocks', 'complaints'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function mergeVolumeDeltas(deltas: VolumeDelta[]): Array<VolumeDelta & VolumeCounts> {
  const merged = new Map<string, VolumeDelta & VolumeCounts>();
  for (const d of deltas) {
    if (!DAY.test(d.day)) throw new StoreInputError(`day must be YYYY-MM-DD, got ${JSON.stringify(d.day)}`);
    const key = `${d.identityId}\n${d.campaignId}\n${d.provider}\n${d.day}`;
    let m = merged.get(key);
    if (!m) {
      m = {
        identityId: d.identityId,
        campaignId: d.campaignId,
        provider: d.provider,
        day: d.day,
        ...Object.fromEntries(COUNTS.map((c) => [c, 0])),
      } as VolumeDelta & VolumeCounts;
      merged.set(key, m);
    }
    for (const c of COUNTS) m[c] += d[c] ?? 0;
  }
  return [...merged.values()];
}
