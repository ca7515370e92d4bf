// The enrolment body of the automation API (the automation itself is checked by domain/automation.ts, which
// compiles it). Rendered into docs/api.md.
import { z } from '../domain/input.js';
import type { TargetModule } from '../domain/types.js';

export const ENROL_MODULES: TargetModule[] = ['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users'];
export const MAX_ENROL = 10_000;
const LIST = 'targets must be a non-empty array of {module, id, email}';

const EnrolTargetSchema = z.object(
  {
    module: z.enum(ENROL_MODULES as [TargetModule, ...TargetModule[]], { error: `.module must be one of ${ENROL_MODULES.join(', ')}` }),
    id: z.string({ error: '.id must be a record id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, '.id must be a record id'),
    email: z.string({ error: '.email must be a string' }).max(254, '.email must be a string'),
    fields: z
      .record(z.string(), z.unknown(), { error: '.fields must be an object of strings' })
      .refine((o): o is Record<string, string> => Object.values(o).every((v) => typeof v === 'string'), '.fields must be an object of strings')
      .optional(),
    trackingConsent: z.boolean().optional(),
  },
  { error: LIST },
);

export const EnrolBody = z.object({
  targets: z
    .array(EnrolTargetSchema, { error: LIST })
    .min(1, LIST)
    .max(MAX_ENROL, `at most ${MAX_ENROL} targets per request`)
    .describe(`Sugar records to enrol (at most ${MAX_ENROL}); already enrolled records are skipped`),
});

export const SplitWinnerBody = z.object({
  step: z
    .string({ error: 'step must be the id of a split step' })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'step must be the id of a split step')
    .describe('The id of the split step'),
  path: z.number({ error: 'path must be the index of a path of the split (0 for the first)' }).int().min(0).describe('0 for the first path'),
});
