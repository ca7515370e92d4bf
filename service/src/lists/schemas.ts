// The request bodies and query of LeadFWD list use cases, one zod schema each (rendered into docs/api.md).
import { z } from '../domain/input.js';

const NAME = 'name is required (at most 200 characters)';
const name = z
  .string({ error: NAME })
  .refine((v) => v.trim() !== '' && v.length <= 200, NAME)
  .transform((v) => v.trim())
  .describe('List name, at most 200 characters');

export const FilterListBody = z.object({
  name,
  module: z.unknown().optional().describe('Contacts, Leads, Prospects or Accounts (module_not_allowed otherwise)'),
  filter: z
    .array(z.unknown(), { error: 'filter must be a Sugar filter array' })
    .optional()
    .describe('A Sugar filter (Filter API), run in Sugar as the caller; absent: every record'),
});

export const CsvListBody = z.object({
  name,
  csv: z
    .string({ error: 'csv is required' })
    .refine((v) => v.trim() !== '', 'csv is required')
    .describe('The file: "," or ";" separated (detected from the header), the address column found by its header or content'),
});

const int = (field: string, min: number, max: number, description: string) => {
  const message = `${field} must be an integer from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(/^\d{1,15}$/, message)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, message)
    .optional()
    .describe(description);
};

export const ListPageQuery = z.object({
  limit: int('limit', 1, 5000, 'Members per page (default 1,000)'),
  after: int('after', 0, Number.MAX_SAFE_INTEGER, 'The nextAfter of the previous page'),
});
