// The operator's write-back requests (dead rows, revive), one zod schema each (rendered into docs/api.md).
import { z } from '../domain/input.js';

const CAMPAIGN = 'campaignId must be a campaign id';
const campaignId = z
  .preprocess((v) => (v === '' || v === null ? undefined : v), z.string({ error: CAMPAIGN }).max(200, CAMPAIGN).optional())
  .describe("Only this campaign's rows") as z.ZodType<string | undefined>;

export const DeadRowsQuery = z.object({
  campaignId,
  limit: z
    .unknown()
    .optional()
    .transform((v) => Math.min(Math.max(Math.trunc(Number(v ?? 100)) || 100, 1), 1000))
    .describe('1 to 1,000 rows (default 100)'),
});

const IDS = 'ids must be an array of outbox row ids (positive integers)';
export const ReviveBody = z
  .object({
    ids: z
      .array(z.number({ error: IDS }).int(IDS).positive(IDS).max(Number.MAX_SAFE_INTEGER, IDS), { error: IDS })
      .max(10_000, IDS)
      .optional()
      .describe('Dead outbox rows to revive'),
    campaignId,
  })
  .refine((v) => v.ids !== undefined || v.campaignId !== undefined, { message: 'give ids or a campaignId', when: () => true });
