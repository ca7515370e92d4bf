// Test sends go to a few given addresses or to the members of a Sugar `test` list, outside the ledger: no
// tracking tokens, no suppression bookkeeping, nothing written back to Sugar. The subject says [Test], the list
// is read as the user (Sugar decides whose addresses they may see), and each user has an hourly allowance, so
// a test send cannot become a way to mail anyone as the company.

import { type Actor, actorKey } from '../access/actor.js';
import { isSendableAddress } from '../domain/address.js';
import { AppError } from '../domain/errors.js';
import { ID, shown } from '../domain/input.js';
import type { Campaign, ContentSpec } from '../domain/types.js';
import type { BuiltMessage, CompiledCampaign, MessageContext, RecipientForMessage, RelayRepo, SendResult } from '../ports/index.js';
import { ExtractionError, loadTargetLists, MEMBER_LINKS } from './extraction.js';

export interface TestSendDeps {
  compile: (spec: ContentSpec) => Promise<CompiledCampaign>;
  // A method, so mail's buildMessage (which reads what compile put in `internal`) fits.
  build(c: CompiledCampaign, r: RecipientForMessage, ctx: MessageContext): BuiltMessage;
  /** The campaign's sender identity as `actor` sends a test: its relay and key, its message context; or why it may not. */
  senderOf(
    campaign: Campaign,
    actor: Actor,
  ): Promise<{ mailer: { send(m: BuiltMessage): Promise<SendResult> }; messageContext: MessageContext } | { refused: string }>;
  allowance: Pick<RelayRepo, 'takeTestSend'>;
  now?: () => Date;
}

export const MAX_TEST_RECIPIENTS = 10;
export const TEST_SENDS_PER_HOUR = 20;
export const TEST_SUBJECT_PREFIX = '[Test] ';

async function testListMembers(actor: Actor, campaign: Campaign, listId: string) {
  const unknown = () => new AppError('unknown_lists', `Unknown Sugar target list id: ${shown(listId, 64)}`);
  if (!ID.test(listId)) throw unknown();
  // Only a list Sugar does not have is unknown; Sugar unreachable stays an outage (it was told as an unknown list).
  const [list] = await loadTargetLists(actor.sugar, [listId]).catch((e: unknown) => {
    throw e instanceof ExtractionError ? unknown() : e;
  });
  if (list.list_type !== 'test') throw new AppError('not_a_test_list', `Target list "${list.name}" is not a test list`);
  const out: Array<{ email: string; fields: Record<string, string> }> = [];
  for (const [link] of MEMBER_LINKS) {
    for await (const page of actor.sugar.linkPages('ProspectLists', list.id, link, {
      fields: ['id', 'email', 'first_name', 'last_name', 'name', ...campaign.customFields],
    })) {
      for (const rec of page) {
        const email = (rec.email as Array<{ email_address?: string; primary_address?: boolean }> | undefined)?.find((e) => e.primary_address)?.email_address;
        if (email) out.push({ email, fields: Object.fromEntries(Object.entries(rec).filter(([, v]) => typeof v === 'string')) as Record<string, string> });
        if (out.length > MAX_TEST_RECIPIENTS) return out;
      }
    }
  }
  return out;
}

export async function testSend(deps: TestSendDeps, campaign: Campaign, body: { addresses?: unknown; targetListId?: unknown }, actor: Actor) {
  let recipients: Array<{ email: string; fields: Record<string, string> }>;
  if (Array.isArray(body.addresses)) {
    if (body.addresses.length > MAX_TEST_RECIPIENTS) throw new AppError('too_many', `A test send goes to at most ${MAX_TEST_RECIPIENTS} addresses`);
    const bad = body.addresses.filter((a) => typeof a !== 'string' || !isSendableAddress(a));
    if (bad.length)
      throw new AppError(
        'invalid_addresses',
        `Not valid addresses: ${bad
          .map((a) => shown(a))
          .join(', ')
          .slice(0, 300)}`,
      );
    recipients = (body.addresses as string[]).map((email) => ({ email, fields: {} }));
  } else if (typeof body.targetListId === 'string') {
    recipients = await testListMembers(actor, campaign, body.targetListId);
  } else {
    throw new AppError('missing_recipients', 'Give addresses[] or targetListId of a test list');
  }
  if (recipients.length === 0) throw new AppError('missing_recipients', 'The test list has no members with an address');
  if (recipients.length > MAX_TEST_RECIPIENTS) throw new AppError('too_many', `A test send goes to at most ${MAX_TEST_RECIPIENTS} addresses`);
  const sender = await deps.senderOf(campaign, actor);
  if ('refused' in sender) throw new AppError('identity_not_ready', `No test can be sent: ${sender.refused}`);
  const now = deps.now?.() ?? new Date();
  const since = new Date(now.getTime() - 3_600_000).toISOString();
  if (!(await deps.allowance.takeTestSend(actorKey(actor), since, TEST_SENDS_PER_HOUR, now.toISOString()))) {
    throw new AppError('test_send_limit', `At most ${TEST_SENDS_PER_HOUR} test sends an hour; try again later`);
  }

  const compiled = await deps.compile({ ...campaign, campaignId: `test-${campaign.id}`, subject: TEST_SUBJECT_PREFIX + campaign.subject });
  const results = [];
  for (const r of recipients) {
    let msg: BuiltMessage;
    try {
      msg = deps.build(compiled, { rowId: 0, email: r.email, fields: r.fields, trackingConsent: false }, sender.messageContext);
    } catch (err) {
      // This member's values make the template fail (a filter on them, output past the limit): told, the others go.
      results.push({
        email: r.email,
        outcome: 'permanent',
        detail: `not sent: the message could not be rendered with this member's values (${(err as Error).message})`,
      });
      continue;
    }
    const res = await sender.mailer.send(msg);
    results.push({ email: r.email, outcome: res.outcome, detail: res.text });
  }
  return { sent: results.filter((r) => r.outcome === 'accepted').length, results };
}
