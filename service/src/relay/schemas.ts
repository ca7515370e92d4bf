// What Sugar sends to pair (docs/relay.md), as a zod schema (rendered into docs/api.md).
import { z } from '../domain/input.js';

export const PairBody = z.object({
  code: z.unknown().describe('The pairing code the service printed (XXXX-XXXX; case, spaces and dashes are ignored)'),
  sugarUrl: z
    .string({ error: 'sugarUrl must be an http(s) address' })
    .regex(/^https?:\/\/\S{1,250}$/i, 'sugarUrl must be an http(s) address')
    .optional()
    .describe('Where Sugar is, for the operator to see'),
});
