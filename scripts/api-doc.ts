// Writes docs/api.md from the request schemas the service validates with (zod, rendered as JSON Schema) and the
// error table of the HTTP adapter, so the documented bodies and statuses are the ones the code enforces.
//   npx tsx scripts/api-doc.ts          (test/http/api-doc.test.ts fails while docs/api.md is out of date)
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EnrolBody, SplitWinnerBody } from '../service/src/automations/schemas.js';
import {
  AbTestSettings,
  AbWinnerBody,
  CampaignListQuery,
  ConfirmCampaignBody,
  CreateCampaignBody,
  FollowUpBody,
  PreviewBody,
  TestSendBody,
} from '../service/src/campaigns/schemas.js';
import { SaveTemplateBody } from '../service/src/campaigns/sugar-templates.js';
import { UncertainBody } from '../service/src/campaigns/uncertain.js';
import { PeopleQuery } from '../service/src/engagement/report-people.js';
import { HTTP_STATUS } from '../service/src/http/errors.js';
import { ApproveBody, DeliverabilityQuery, IdentityBody } from '../service/src/identities/schemas.js';
import { CsvListBody, FilterListBody, ListPageQuery } from '../service/src/lists/schemas.js';
import { PairBody } from '../service/src/relay/schemas.js';
import { DeadRowsQuery, ReviveBody } from '../service/src/writeback/schemas.js';

interface Entry {
  route: string;
  what: string;
  schema: z.ZodType;
  refusedWith: string;
}

const ENTRIES: Entry[] = [
  { route: 'POST /api/v1/campaigns', what: 'Create and schedule a campaign', schema: CreateCampaignBody, refusedWith: 'invalid_campaign' },
  {
    route: 'GET /api/v1/campaigns (query)',
    what: 'A page of the campaigns the caller may see, filtered',
    schema: CampaignListQuery,
    refusedWith: 'invalid_input',
  },
  {
    route: 'POST /api/v1/campaigns/:id/follow-up',
    what: 'Resend a sent campaign to its recipients who did not open (or click) it (GET: how many)',
    schema: FollowUpBody,
    refusedWith: 'invalid_campaign, invalid_transition',
  },
  {
    route: 'POST /api/v1/ab-tests (abTest)',
    what: 'An A/B test: the POST /api/v1/campaigns body with abTest (GET /api/v1/ab-tests/:id: the results)',
    schema: AbTestSettings,
    refusedWith: 'invalid_campaign, invalid_template',
  },
  { route: 'POST /api/v1/ab-tests/:id/winner', what: 'Choose the winner by hand', schema: AbWinnerBody, refusedWith: 'invalid_input, invalid_transition' },
  { route: 'POST /api/v1/campaigns/:id/confirm', what: 'Release a held campaign', schema: ConfirmCampaignBody, refusedWith: 'invalid_campaign' },
  {
    route: 'POST /api/v1/campaigns/:id/test-send',
    what: 'Send a test (addresses or a test list)',
    schema: TestSendBody,
    refusedWith: 'missing_recipients, invalid_addresses, too_many',
  },
  { route: 'GET /api/v1/campaigns/:id/people (query)', what: "A page of a report's list of people", schema: PeopleQuery, refusedWith: 'invalid_input' },
  {
    route: 'POST /api/v1/campaigns/:id/uncertain',
    what: 'Decide on messages whose hand-off ended uncertain; answers `{action, changed, stillAnswerable?, arrived?}` (a resend accepts the ones opened or clicked: `arrived`)',
    schema: UncertainBody,
    refusedWith: 'invalid_input, invalid_transition, sender_still_running, not_found, not_your_campaign, sugar_rights',
  },
  {
    route: 'POST /api/v1/sugar/email-templates',
    what: 'Save content as a Sugar Email Template, as the caller (GET: list; GET /:id: one mapped to merge tags)',
    schema: SaveTemplateBody,
    refusedWith: 'invalid_input, sugar_rights',
  },
  { route: 'POST /api/v1/preview', what: 'Render content without tracking', schema: PreviewBody, refusedWith: 'invalid_template' },
  { route: 'POST /api/v1/lists (filter)', what: 'A LeadFWD list from a Sugar filter', schema: FilterListBody, refusedWith: 'invalid_list' },
  { route: 'POST /api/v1/lists (csv)', what: 'A LeadFWD list from a CSV file', schema: CsvListBody, refusedWith: 'invalid_list' },
  { route: 'GET /api/v1/lists/:id (query)', what: "A page of a list's members", schema: ListPageQuery, refusedWith: 'invalid_input' },
  { route: 'POST /api/v1/automations/:id/enrol', what: 'Enrol Sugar records', schema: EnrolBody, refusedWith: 'invalid_enrolment' },
  {
    route: 'POST /api/v1/automations/:id/split-winner',
    what: "Choose a split step's winning path by hand",
    schema: SplitWinnerBody,
    refusedWith: 'invalid_input, invalid_transition, not_found',
  },
  { route: 'GET /api/v1/writeback/dead (query)', what: 'Dead outbox rows', schema: DeadRowsQuery, refusedWith: 'invalid_input' },
  { route: 'POST /api/v1/writeback/revive', what: 'Dead rows back to pending', schema: ReviveBody, refusedWith: 'invalid_input' },
  {
    route: 'POST /api/v1/identities, PUT /api/v1/identities/:id',
    what: 'Create or edit a sender identity (administrators)',
    schema: IdentityBody,
    refusedWith: 'invalid_identity, admin_only',
  },
  {
    route: 'POST /api/v1/identities/:id/approve',
    what: 'Let an identity send before its readiness passed (audited)',
    schema: ApproveBody,
    refusedWith: 'invalid_input, admin_only',
  },
  {
    route: 'GET /api/v1/identities/:id/deliverability (query)',
    what: 'Accepted, deferred, bounced, complained per day and provider',
    schema: DeliverabilityQuery,
    refusedWith: 'invalid_input',
  },
  { route: 'POST /relay/pair', what: 'Sugar trades a pairing code for the relay secret', schema: PairBody, refusedWith: 'bad_request, pairing_code_invalid' },
];

type Json = {
  type?: string | string[];
  items?: Json;
  properties?: Record<string, Json>;
  required?: string[];
  description?: string;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  additionalProperties?: Json | boolean;
};

const cell = (s: string) => s.replace(/\|/g, '\\|');
const codeList = (codes: string[]) => codes.map((c) => `\`${c}\``).join(', ');

function typeOf(j: Json): string {
  if (j.enum) return j.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (j.type === 'array') return `${j.items ? typeOf(j.items) : 'any'}[]`;
  if (j.type === 'object' && j.properties) return `{${Object.keys(j.properties).join(', ')}}`;
  if (j.type === 'object') return 'object';
  return Array.isArray(j.type) ? j.type.join(' \\| ') : (j.type ?? 'any');
}

function rules(j: Json): string {
  const out: string[] = [];
  if (j.maxLength !== undefined) out.push(`≤ ${j.maxLength} characters`);
  if (j.pattern) out.push(`\`${j.pattern}\``);
  if (j.minItems !== undefined) out.push(`≥ ${j.minItems} items`);
  if (j.maxItems !== undefined) out.push(`≤ ${j.maxItems} items`);
  if (j.items?.pattern) out.push(`items \`${j.items.pattern}\``);
  if (j.items?.maxLength !== undefined) out.push(`items ≤ ${j.items.maxLength} characters`);
  return out.join(', ');
}

function table(schema: z.ZodType): string {
  const j = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const required = new Set(j.required ?? []);
  const rows = Object.entries(j.properties ?? {}).map(
    ([name, p]) => `| \`${name}\` | ${cell(typeOf(p))} | ${required.has(name) ? 'yes' : ''} | ${cell(rules(p))} | ${cell(p.description ?? '')} |`,
  );
  return ['| Field | Type | Required | Rules | Meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function renderApiDoc(): string {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(HTTP_STATUS)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return [
    '# LeadFWD HTTP API: request bodies and error codes',
    '',
    'Generated by `npx tsx scripts/api-doc.ts` from the zod schemas the service validates with and the code → status',
    'table of `service/src/http/errors.ts`; `test/http/api-doc.test.ts` fails when this file is out of date. Routes and',
    'what they answer: README → HTTP API. Every refusal is `{"error": code, "message": text}`, with `details` where',
    'there is more (a refused body lists every problem in `details.problems`).',
    '',
    ...ENTRIES.flatMap((e) => [
      `## ${e.route}`,
      '',
      `${e.what}. Refused with ${codeList(e.refusedWith.split(', '))} (statuses: [Error codes](#error-codes)).`,
      '',
      table(e.schema),
      '',
    ]),
    '## Error codes',
    '',
    '| Status | Codes |',
    '|---|---|',
    ...[...byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([status, codes]) => `| ${status} | ${codeList(codes.sort())} |`),
    '',
    'Besides these: `403 sugar_forbidden` and `502`/`503 sugar_unavailable` when Sugar refuses or fails a call made for',
    'the caller, `400 bad_request` for a request Express could not read, `500 internal` for anything else (logged as',
    '`http.error`, never with a stack trace in the answer).',
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('api-doc.ts')) {
  writeFileSync(new URL('../docs/api.md', import.meta.url), renderApiDoc());
  console.log('docs/api.md written');
}
