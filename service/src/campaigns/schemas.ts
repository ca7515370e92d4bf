// The request bodies the campaign use cases take, one zod schema each (rendered into docs/api.md).
import { isSendableAddress } from '../domain/address.js';
import { dateTime, id, idList, queryNumber, text, z } from '../domain/input.js';
import { isTimeZone } from '../domain/local-send-time.js';

const always = { when: () => true }; // cross-field checks run even when a field is wrong, so every problem is told at once
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

export const CreateCampaignBody = z
  .object({
    name: text('name', 200, { description: 'Campaign name (the Sugar Campaign gets its first 50 characters)' }),
    subject: text('subject', 998, { description: 'Subject line; Liquid merge tags allowed' }),
    fromName: text('fromName', 200),
    fromEmail: text('fromEmail', 254, { description: 'From address, one the sender identity allows' }),
    replyTo: text('replyTo', 254, { required: false }),
    mjml: text('mjml', 2_000_000, { required: false, description: 'MJML body (give mjml or html); LEADFWD_CONTENT_MAX_BYTES applies' }),
    html: text('html', 2_000_000, { required: false, description: 'HTML body (give mjml or html)' }),
    targetListIds: idList('targetListIds', 'Sugar Target List ids'),
    leadfwdListIds: idList('leadfwdListIds', 'LeadFWD list ids'),
    savedFilterIds: idList('savedFilterIds', 'Sugar saved filter ids (Filters): whom each selects when the campaign is extracted, read as its creator'),
    reportIds: idList('reportIds', "Sugar saved report ids (Reports): the report's records when the campaign is extracted, read as its creator"),
    customFields: idList('customFields', 'Sugar fields to merge, readable by the caller'),
    sendAt: dateTime('sendAt', 'When to send; absent or past: now'),
    sugarCampaignId: z.preprocess((v) => (v === '' || v === null ? undefined : v), id('sugarCampaignId', 'An existing Sugar Campaign to send as')),
    hold: z.boolean({ error: 'hold must be true or false' }).optional().describe('true: extract and count, then wait for POST /campaigns/:id/confirm'),
    senderIdentityId: text('senderIdentityId', 64, { required: false, description: 'The sender identity (GET /identities); absent: the default one' }),
    sendAsAssignedUser: z
      .boolean({ error: 'sendAsAssignedUser must be true or false' })
      .optional()
      .describe("true: From each target's assigned Sugar user where the identity allows that address (else fromEmail)"),
    localTime: z
      .object({
        at: z.string({ error: 'localTime.at must be a time HH:MM' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'localTime.at must be a time HH:MM'),
        timeZone: z
          .string({ error: 'localTime.timeZone must be an IANA time zone such as Europe/Berlin' })
          .refine(isTimeZone, 'localTime.timeZone must be an IANA time zone such as Europe/Berlin'),
      })
      .optional()
      .describe("Send at this local time in each recipient's time zone (their record's leadfwd_timezone_c), else in timeZone"),
  })
  .refine((v) => isText(v.mjml) || isText(v.html), { ...always, message: 'one of mjml or html is required' })
  .refine((v) => !(isText(v.mjml) && isText(v.html)), { ...always, message: 'give either mjml or html, not both' })
  .refine((v) => !isText(v.fromEmail) || isSendableAddress(v.fromEmail), { ...always, message: 'fromEmail is not a valid address' })
  .refine((v) => !isText(v.replyTo) || isSendableAddress(v.replyTo), { ...always, message: 'replyTo is not a valid address' })
  .refine((v) => (v.targetListIds?.length ?? 0) + (v.leadfwdListIds?.length ?? 0) + (v.savedFilterIds?.length ?? 0) + (v.reportIds?.length ?? 0) > 0, {
    ...always,
    message: 'choose at least one target list, LeadFWD list, saved filter or report',
  });

const STATUSES = ['draft', 'extracting', 'pending', 'sending', 'sent', 'paused', 'cancelled', 'failed'] as const;
const statusList = z
  .string({ error: 'status must be a comma-separated list of statuses' })
  .refine(
    (v) => v.split(',').every((s) => (STATUSES as readonly string[]).includes(s.trim())),
    `status must be a comma-separated list of: ${STATUSES.join(', ')}`,
  );
const flag = (field: string) => z.enum(['true', 'false'], { error: `${field} must be true or false` });

/** GET /campaigns: a page of the campaigns the caller may see, filtered (every filter given applies). */
export const CampaignListQuery = z.object({
  limit: queryNumber('limit', 'Campaigns per page, 1 to 500 (default 50)'),
  offset: queryNumber('offset', 'Campaigns to skip'),
  status: statusList.optional().describe('Only these statuses, comma-separated'),
  q: z.string({ error: 'q must be text' }).max(200, 'q must be at most 200 characters').optional().describe('Text in the name or subject (case ignored)'),
  fromEmail: z.string({ error: 'fromEmail must be text' }).max(254, 'fromEmail must be at most 254 characters').optional().describe('Only this From address'),
  sentAfter: dateTime('sentAfter', 'Send time (scheduled, or when sending started) at or after this'),
  sentBefore: dateTime('sentBefore', 'Send time before this'),
  automation: z
    .string({ error: 'automation must be "none" or an automation id' })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'automation must be "none" or an automation id')
    .optional()
    .describe('"none": without the step campaigns of automations; an automation id: only its step campaigns'),
  held: flag('held').optional().describe("false: not the send flow's reviews waiting for confirmation; true: only those"),
  sugarCampaignId: id('sugarCampaignId', 'Only campaigns sent as this Sugar Campaign'),
  targetListId: id('targetListId', 'Only campaigns sending to this Sugar Target List'),
  figures: flag('figures').optional().describe("true: each campaign with its key figures (people's opens and clicks, bounces, opt-outs)"),
});

export const ConfirmCampaignBody = z.object({ sendAt: dateTime('sendAt', 'When to send; absent or past: now') });

export const TestSendBody = z.object({
  addresses: z.array(z.unknown()).optional().describe('At most 10 addresses'),
  targetListId: z.string().optional().describe('A Sugar Target List of type test'),
});

export const PreviewBody = z.object({
  subject: z.unknown().optional().describe('Subject line'),
  fromName: z.unknown().optional(),
  fromEmail: z.unknown().optional(),
  mjml: z.unknown().optional().describe('MJML body (or html)'),
  html: z.unknown().optional(),
  fields: z.record(z.string(), z.string()).optional().describe('Merge field values to render with'),
});

/** POST /campaigns/:id/follow-up: the first campaign's recipients who did not open (or click) it get a new subject. */
export const FollowUpBody = z
  .object({
    subject: text('subject', 998, { description: 'The follow-up subject line; Liquid merge tags allowed' }),
    name: text('name', 200, { required: false, description: 'Absent: "<first campaign> – follow-up"' }),
    criterion: z
      .enum(['not_opened', 'not_clicked'], { error: 'criterion must be not_opened or not_clicked' })
      .optional()
      .describe('not_opened (default): no human open (a human click counts as one); not_clicked: no human click'),
    mppOnly: z
      .enum(['include', 'exclude'], { error: 'mppOnly must be include or exclude' })
      .optional()
      .describe('Recipients whose only opens were Apple Mail Privacy Protection prefetches (unknown): required with not_opened'),
    afterDays: z
      .number({ error: 'afterDays must be a whole number of days from 0 to 90' })
      .int('afterDays must be a whole number of days from 0 to 90')
      .min(0, 'afterDays must be a whole number of days from 0 to 90')
      .max(90, 'afterDays must be a whole number of days from 0 to 90')
      .optional()
      .describe("Days after the first campaign's send time; who has not opened is read then (absent: sendAt, else now)"),
    sendAt: dateTime('sendAt', 'When to send instead of afterDays; absent or past: now'),
    mjml: text('mjml', 2_000_000, { required: false, description: "New content (absent: the first campaign's)" }),
    html: text('html', 2_000_000, { required: false, description: "New content (absent: the first campaign's)" }),
    hold: z.boolean({ error: 'hold must be true or false' }).optional().describe('true: extract and count now, then wait for confirm'),
  })
  .refine((v) => v.criterion === 'not_clicked' || v.mppOnly !== undefined, {
    ...always,
    message: 'choose mppOnly: include or exclude the recipients whose only opens were Apple Mail Privacy Protection prefetches',
  })
  .refine((v) => !(isText(v.mjml) && isText(v.html)), { ...always, message: 'give either mjml or html, not both' })
  .refine((v) => v.afterDays === undefined || v.sendAt === undefined, { ...always, message: 'give afterDays or sendAt, not both' });

const variantText = (field: string, max: number) => text(field, max, { required: false });

/** The variants given as objects: the checks across fields run on a body of any shape, whose own problems are told apart. */
const variantsOf = (v: unknown): Array<Record<string, unknown>> => {
  const list = (v as { variants?: unknown } | null | undefined)?.variants;
  return Array.isArray(list) ? list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
};

/** POST /ab-tests: a campaign body (POST /campaigns) plus `abTest`. */

export const AbTestSettings = z
  .object({
    variants: z
      .array(
        z.object({
          subject: variantText('subject', 998).describe("This variant's subject (absent: the campaign's)"),
          mjml: variantText('mjml', 2_000_000).describe("This variant's MJML (absent: the campaign's content)"),
          html: variantText('html', 2_000_000).describe("This variant's HTML (absent: the campaign's content)"),
        }),
        { error: 'variants must be a list of 2 to 4 variants' },
      )
      .min(2, 'an A/B test needs 2 to 4 variants')
      .max(4, 'an A/B test needs 2 to 4 variants')
      .describe('2 to 4 variants of subject and/or content'),
    testShare: z
      .number({ error: 'testShare must be a number from 0.05 to 0.9' })
      .min(0.05, 'testShare must be a number from 0.05 to 0.9')
      .max(0.9, 'testShare must be a number from 0.05 to 0.9')
      .describe('The share of the audience the variants split evenly (e.g. 0.2); the rest gets the winner'),
    metric: z.enum(['opens', 'clicks'], { error: 'metric must be opens or clicks' }).describe("The winner is the best people's open or click rate"),
    decideAfterHours: z
      .number({ error: 'decideAfterHours must be from 1 to 720' })
      .min(1, 'decideAfterHours must be from 1 to 720')
      .max(720, 'decideAfterHours must be from 1 to 720')
      .describe('Hours after the send time when the winner is chosen (or choose by hand before)'),
    id: z
      .string({ error: 'id must be a UUID' })
      .uuid('id must be a UUID')
      .optional()
      .describe("The caller's id for the test: asked again with the same id (its answer lost), the test made the first time is answered, not a second one"),
  })
  .refine((v) => variantsOf(v).every((x) => !(isText(x.mjml) && isText(x.html))), { ...always, message: 'a variant gives either mjml or html, not both' })
  .refine((v) => variantsOf(v).every((x) => isText(x.subject) || isText(x.mjml) || isText(x.html)), {
    ...always,
    message: 'every variant changes the subject, the content or both',
  });

export const AbTestBody = z.object({ abTest: AbTestSettings }).passthrough().describe('The campaign body (POST /api/v1/campaigns) with abTest');

export const AbWinnerBody = z.object({
  variant: z.number({ error: 'variant must be the index of a variant (0 for the first)' }).int().min(0).describe('0 for the first variant'),
});
