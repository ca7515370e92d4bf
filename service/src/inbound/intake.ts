// Decides what an inbound report means, after proving it concerns a message we sent: the VERP
// signature names the row, and the returned message must carry that row's Message-ID. Forged or
// foreign reports change nothing; delayed notices, auto-replies and non-reports are ignored.
import { classifyBounce, isComplaintFeedback } from '../domain/bounce-rules.js';
import { type DsnRecipient, rowIdFromMessageId } from '../domain/dsn.js';
import type { FactRecorder } from '../engagement/facts.js';
import type { RecipientLookup } from '../engagement/recipients.js';
import type { InboundReport, InboundRoute } from '../ports/index.js';

export type IntakeOutcome =
  | { result: 'bounce'; rowId: number; kind: string; rule: string; recorded: boolean }
  | { result: 'complaint'; rowId: number; recorded: boolean }
  | { result: 'optout'; rowId: number; recorded: boolean }
  | { result: 'ignored'; reason: string }
  | { result: 'forged'; reason: string };

export interface IntakeDeps {
  facts: FactRecorder;
  lookup: RecipientLookup;
}

const norm = (id: string) => id.trim().toLowerCase();

function pickRecipient(blocks: DsnRecipient[], email: string): DsnRecipient | undefined {
  const failed = blocks.filter((b) => b.action === 'failed');
  const mine = (b: DsnRecipient) => [b.finalRecipient, b.originalRecipient].some((a) => a?.toLowerCase() === email.toLowerCase());
  return failed.find(mine) ?? failed[0];
}

export function createInboundIntake(deps: IntakeDeps) {
  /** The row the report is about, if its Message-ID proves the message was ours. */
  async function provenRow(rowId: number | undefined, report: InboundReport): Promise<number | { forged: string }> {
    const candidates = rowId !== undefined ? [rowId] : report.messageIds.map(rowIdFromMessageId).filter((r): r is number => r !== null);
    if (candidates.length === 0) return { forged: 'no_message_id_of_ours' };
    for (const id of candidates) {
      const r = await deps.lookup.get(id);
      if (r?.messageId && report.messageIds.some((m) => norm(m) === norm(r.messageId!))) return id;
    }
    return { forged: rowId !== undefined && !(await deps.lookup.get(rowId)) ? 'unknown_recipient' : 'foreign_message_id' };
  }

  async function handle(route: InboundRoute, report: InboundReport): Promise<IntakeOutcome> {
    if (route.type === 'unsubscribe') {
      // Anything sent to the mailto address asks to stop, except a machine answering on its own.
      if (report.kind !== 'other' || report.autoReply) return { result: 'ignored', reason: report.kind !== 'other' ? 'report_to_unsubscribe' : 'auto_reply' };
      const res = await deps.facts.optOut(route.rowId, 'mailto', route.person);
      return res.known ? { result: 'optout', rowId: route.rowId, recorded: res.recorded } : { result: 'forged', reason: 'unknown_recipient' };
    }
    if (report.kind === 'other') return { result: 'ignored', reason: report.error ? 'unparseable' : report.autoReply ? 'auto_reply' : 'not_a_report' };
    if (route.type === 'fbl' && report.kind !== 'arf') return { result: 'ignored', reason: 'not_a_complaint' };

    const proven = await provenRow(route.type === 'verp' ? route.rowId : undefined, report);
    if (typeof proven !== 'number') return { result: 'forged', reason: proven.forged };

    if (report.kind === 'arf') {
      const type = report.feedback?.feedbackType;
      if (!isComplaintFeedback(type)) return { result: 'ignored', reason: `feedback_type:${type ?? 'missing'}` };
      const res = await deps.facts.complaint(proven, type!, 'arf');
      return { result: 'complaint', rowId: proven, recorded: res.recorded };
    }

    const blocks = report.delivery?.recipients ?? [];
    const block = pickRecipient(blocks, (await deps.lookup.get(proven))!.email);
    if (!block) {
      if (blocks.some((b) => b.action === 'delayed')) return { result: 'ignored', reason: 'delayed' };
      return { result: 'ignored', reason: blocks.length ? 'not_failed' : 'no_recipient_block' };
    }
    const diagnostic = block.diagnosticCode ?? report.humanText;
    const verdict = classifyBounce({ status: block.status, diagnostic });
    const res = await deps.facts.bounce(proven, { ...verdict, diagnostic, source: 'dsn' });
    return { result: 'bounce', rowId: proven, kind: verdict.kind, rule: verdict.rule, recorded: res.recorded };
  }

  return { handle };
}

export type InboundIntake = ReturnType<typeof createInboundIntake>;
