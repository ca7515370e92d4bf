// Test sends go to given addresses or to the members of a Sugar `test` list, outside the ledger:
// no tracking tokens, no suppression bookkeeping, nothing written back to Sugar.
import { isSendableAddress } from '../domain/address.js';
import type { Campaign } from '../domain/types.js';
import type { BuiltMessage, CompiledCampaign, MessageContext, RecipientForMessage } from '../mail/message.js';
import type { SendResult } from '../mail/transport.js';
import { loadTargetLists, MEMBER_LINKS, type SugarReader } from './extract-targets.js';
import { UseCaseError } from './campaigns.js';

export interface TestSendDeps {
  sugar: SugarReader;
  compiled: (c: Campaign) => Promise<CompiledCampaign>;
  build: (c: CompiledCampaign, r: RecipientForMessage, ctx: MessageContext) => BuiltMessage;
  messageContext: MessageContext;
  mailer: { send(m: BuiltMessage): Promise<SendResult> };
}

const MAX_TEST_RECIPIENTS = 50;

export async function testSend(deps: TestSendDeps, campaign: Campaign, body: { addresses?: unknown; targetListId?: unknown }) {
  const recipients: Array<{ email: string; fields: Record<string, string> }> = [];
  if (Array.isArray(body.addresses)) {
    const bad = body.addresses.filter((a) => typeof a !== 'string' || !isSendableAddress(a));
    if (bad.length) throw new UseCaseError(422, 'invalid_addresses', `Not valid addresses: ${bad.map(String).join(', ').slice(0, 300)}`);
    for (const a of body.addresses as string[]) recipients.push({ email: a, fields: {} });
  } else if (typeof body.targetListId === 'string') {
    const [list] = await loadTargetLists(deps.sugar, [body.targetListId]).catch(() => {
      throw new UseCaseError(422, 'unknown_lists', `Unknown Sugar target list id: ${body.targetListId}`);
    });
    if (list.list_type !== 'test') throw new UseCaseError(422, 'not_a_test_list', `Target list "${list.name}" is not a test list`);
    for (const [link] of MEMBER_LINKS) {
      for await (const page of deps.sugar.linkPages('ProspectLists', list.id, link, { fields: ['id', 'email', 'first_name', 'last_name', 'name', ...campaign.customFields] })) {
        for (const rec of page) {
          const email = (rec.email as Array<{ email_address?: string; primary_address?: boolean }> | undefined)?.find((e) => e.primary_address)?.email_address;
          if (email) recipients.push({ email, fields: Object.fromEntries(Object.entries(rec).filter(([, v]) => typeof v === 'string')) as Record<string, string> });
        }
      }
    }
  } else {
    throw new UseCaseError(422, 'missing_recipients', 'Give addresses[] or targetListId of a test list');
  }
  if (recipients.length === 0) throw new UseCaseError(422, 'missing_recipients', 'The test list has no members with an address');
  if (recipients.length > MAX_TEST_RECIPIENTS) throw new UseCaseError(422, 'too_many', `A test send goes to at most ${MAX_TEST_RECIPIENTS} addresses`);

  const compiled = await deps.compiled(campaign);
  const results = [];
  for (const r of recipients) {
    const msg = deps.build(compiled, { rowId: 0, email: r.email, fields: r.fields, trackingConsent: false }, deps.messageContext);
    const res = await deps.mailer.send(msg);
    results.push({ email: r.email, outcome: res.outcome, detail: res.text });
  }
  return { sent: results.filter((r) => r.outcome === 'accepted').length, results };
}
