// Engagement scores in Sugar: each due person's score (domain/engagement-score.ts, from every campaign's facts) is
// written to `leadfwd_score_c` on their record, and each Contact's Account gets the highest score of its Contacts.
// A batch of people costs three POST /bulk calls: the people, their Accounts' Contacts' scores, the Accounts. The
// field comes from our package (installdefs custom_fields); where Sugar has no such field (the package not
// re-installed) the rows are dead with the reason before anything is written.
import { accountScore, engagementScore, type ScoreWeights } from '../domain/engagement-score.js';
import type { SugarOp } from '../domain/writeback.js';
import type { OutboxClaim, StorePart } from '../ports/index.js';
import type { RowOutcome } from './activity-batch.js';
import { callErrorMessage, isTransientCallError, type Send } from './send.js';

export const SCORE_FIELD = 'leadfwd_score_c';
const PEOPLE = new Set(['Contacts', 'Leads', 'Prospects']);
const enc = encodeURIComponent;
const FIELD_CHECK_MS = 10 * 60_000;

export interface ScoreWriterDeps {
  store: StorePart<{ scores: 'eventsOf' }>;
  send: Send;
  weights: ScoreWeights;
  now?: () => Date;
}

type Row = Record<string, unknown>;

export function createScoreWriter(deps: ScoreWriterDeps) {
  const now = () => (deps.now ? deps.now() : new Date());
  /** Whether a module has the field, as Sugar's metadata said, and until when that is believed. */
  const known = new Map<string, { has: boolean; until: number }>();

  /** Modules of `modules` without the score field (asked of Sugar's metadata, remembered for a while). */
  async function missingField(modules: string[]): Promise<string[]> {
    const ask = modules.filter((m) => (known.get(m)?.until ?? 0) < Date.now());
    if (ask.length) {
      const answers = await deps.send(
        ask.map((m) => ({ method: 'GET', path: `/metadata?type_filter=modules&module_filter=${enc(m)}`, what: `the fields of ${m}` })),
      );
      ask.forEach((m, i) => {
        const a = answers[i];
        if (!a.verdict.ok) throw Object.assign(new Error(a.verdict.message), { retryable: !a.verdict.permanent });
        const fields = ((a.contents as Row)?.modules as Record<string, { fields?: Row }> | undefined)?.[m]?.fields ?? {};
        known.set(m, { has: SCORE_FIELD in fields, until: Date.now() + FIELD_CHECK_MS });
      });
    }
    return modules.filter((m) => !known.get(m)?.has);
  }

  async function write(claims: OutboxClaim[]): Promise<{ outcomes: RowOutcome[]; outage: boolean }> {
    const outcomes: RowOutcome[] = [];
    const byPerson = new Map<string, { module: string; recordId: string; ids: number[] }>();
    for (const c of claims) {
      const p = (c.payload ?? {}) as { module?: unknown; recordId?: unknown };
      const module = String(p.module ?? '');
      const recordId = String(p.recordId ?? '');
      if (!PEOPLE.has(module) || !recordId) {
        outcomes.push({ id: c.id, kind: 'dead', error: `score row ${c.key} names no Contact, Lead or Prospect` });
        continue;
      }
      const key = `${module}:${recordId}`;
      const person = byPerson.get(key) ?? { module, recordId, ids: [] };
      person.ids.push(c.id);
      byPerson.set(key, person);
    }
    const people = [...byPerson.values()];
    if (!people.length) return { outcomes, outage: false };
    const fail = (list: typeof people, kind: 'dead' | 'retry', error: string) => {
      for (const p of list) for (const id of p.ids) outcomes.push({ id, kind, error });
    };
    try {
      const modules = [...new Set(people.map((p) => p.module))];
      const missing = new Set(await missingField(people.some((p) => p.module === 'Contacts') ? [...modules, 'Accounts'] : modules));
      // A Contact's score rolls up to its Account: both fields must be there, or neither is written.
      const blocked = (p: (typeof people)[number]) => missing.has(p.module) || (p.module === 'Contacts' && missing.has('Accounts'));
      for (const p of people.filter(blocked)) {
        const m = missing.has(p.module) ? p.module : 'Accounts';
        fail([p], 'dead', `Sugar has no field ${SCORE_FIELD} on ${m}: install the LeadFWD package again (it creates the field), then revive these rows`);
      }
      const ready = people.filter((p) => !blocked(p));
      if (!ready.length) return { outcomes, outage: false };

      const events = await deps.store.scores.eventsOf(ready);
      const at = now();
      const scoreOf = (p: (typeof people)[number]) => engagementScore(events.get(`${p.module}:${p.recordId}`) ?? [], deps.weights, at);
      const puts: SugarOp[] = ready.map((p) => ({
        method: 'PUT',
        path: `/${p.module}/${enc(p.recordId)}`,
        data: { [SCORE_FIELD]: scoreOf(p) },
        what: `the engagement score of ${p.module} ${p.recordId}`,
      }));
      const written = await deps.send(puts);
      const accounts = new Set<string>();
      const ok: typeof people = [];
      written.forEach((a, i) => {
        const p = ready[i];
        if (a.verdict.ok) {
          ok.push(p);
          const accountId = (a.contents as Row)?.account_id;
          if (p.module === 'Contacts' && typeof accountId === 'string' && accountId) accounts.add(accountId);
        } else if (a.status === 404) {
          for (const id of p.ids) outcomes.push({ id, kind: 'done', written: [], note: `${p.module} ${p.recordId} is gone from Sugar: no score written` });
        } else fail([p], a.verdict.permanent ? 'dead' : 'retry', a.verdict.message);
      });
      // Each Account: the highest score of its Contacts, as Sugar now has them.
      const ids = [...accounts];
      let rollupError: { kind: 'dead' | 'retry'; error: string } | undefined;
      if (ids.length) {
        const members = await deps.send(
          ids.map((id) => ({
            method: 'GET',
            path: `/Accounts/${enc(id)}/link/contacts?fields=id,${SCORE_FIELD}&max_num=1000`,
            what: `the scores of the Contacts of Account ${id}`,
          })),
        );
        const updates: SugarOp[] = [];
        members.forEach((a, i) => {
          if (!a.verdict.ok) {
            if (a.status !== 404) rollupError ??= { kind: a.verdict.permanent ? 'dead' : 'retry', error: a.verdict.message };
            return;
          }
          const scores = (((a.contents as Row)?.records as Row[] | undefined) ?? []).map((r) => Number(r[SCORE_FIELD] ?? 0) || 0);
          updates.push({
            method: 'PUT',
            path: `/Accounts/${enc(ids[i])}`,
            data: { [SCORE_FIELD]: accountScore(scores) },
            what: `the score of Account ${ids[i]}`,
          });
        });
        if (updates.length && !rollupError) {
          for (const a of await deps.send(updates))
            if (!a.verdict.ok && a.status !== 404) rollupError ??= { kind: a.verdict.permanent ? 'dead' : 'retry', error: a.verdict.message };
        }
      }
      // A Contact is done once its Account has its score too; writing again is harmless (a value is set, not added).
      for (const p of ok) {
        const e = p.module === 'Contacts' ? rollupError : undefined;
        for (const id of p.ids) outcomes.push(e ? { id, kind: e.kind, error: e.error } : { id, kind: 'done', written: [] });
      }
      return { outcomes, outage: false };
    } catch (e) {
      const transient = isTransientCallError(e);
      const answered = new Set(outcomes.map((o) => o.id));
      fail(
        people.filter((p) => !p.ids.some((id) => answered.has(id))),
        transient ? 'retry' : 'dead',
        callErrorMessage(e),
      );
      return { outcomes, outage: transient };
    }
  }

  return { write };
}
