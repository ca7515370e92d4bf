// The winner of an automation's split step. While undecided, targets split evenly (the test); once the split's set
// hours have passed since its first send, the path whose first email has the best people's open or click rate wins
// (machine opens and bot clicks never count; Apple MPP-only openers are unknown), recorded once, and targets reaching
// the split from then on take that path only. No data yet, or a tie: it keeps splitting and says why; a person may
// choose by hand at any time before a winner is recorded.
import { chooseWinner, type VariantResult } from '../domain/ab-test.js';
import { type Instruction, type SplitWinnerRule, splitPathSends } from '../domain/automation.js';
import { AppError } from '../domain/errors.js';
import type { SplitDecision, StoredAutomation, StorePart } from '../ports/index.js';
import type { Log } from '../ports/log.js';

export type SplitWinnerStore = StorePart<{
  automations: 'inStatus' | 'stepCampaigns';
  campaigns: 'get';
  followUps: 'counts';
  splitWinners: 'forAutomation' | 'decide' | 'noteUndecided';
}>;

export interface SplitWinnerDeps {
  store: SplitWinnerStore;
  now?: () => Date;
  logger?: Pick<Log, 'info'>;
}

type Split = Extract<Instruction, { op: 'split' }>;
const splitsOf = (a: StoredAutomation) =>
  a.program.flatMap((ins, at) => (ins.op === 'split' ? [{ ins, at, sends: splitPathSends(a.program, at) }] : [])) as Array<{
    ins: Split;
    at: number;
    sends: Array<string | undefined>;
  }>;
const letter = (i: number) => String.fromCharCode(65 + i);

export function createSplitWinners(deps: SplitWinnerDeps) {
  const { store } = deps;
  const now = () => (deps.now ? deps.now() : new Date());

  /** Each path's first email: its step campaign and its people's results (zeros while nobody took the path). */
  async function paths(a: StoredAutomation, sends: Array<string | undefined>) {
    const campaigns = await store.automations.stepCampaigns(a.id);
    return Promise.all(
      sends.map(async (stepKey, path) => {
        const campaignId = stepKey ? campaigns.get(stepKey) : undefined;
        const c = campaignId ? await store.campaigns.get(campaignId) : undefined;
        const n = c ? await store.followUps.counts(c.id) : undefined;
        const result: VariantResult = {
          variant: path,
          accepted: n?.accepted ?? 0,
          humanOpeners: n?.humanOpeners ?? 0,
          mppOnly: n?.mppOnly ?? 0,
          humanClickers: n?.humanClickers ?? 0,
        };
        return { path, label: letter(path), stepKey: stepKey ?? null, campaignId: c?.id ?? null, firstSendAt: c?.sendAt, result };
      }),
    );
  }

  /** When the automatic choice is due: the set hours after the split's first send (undefined before any send). */
  const decideAt = (rule: SplitWinnerRule, firstSends: Array<string | undefined>) => {
    const times = firstSends.filter((t): t is string => !!t).map((t) => Date.parse(t));
    return times.length ? new Date(Math.min(...times) + rule.afterHours * 3_600_000).toISOString() : undefined;
  };

  /** Chooses the winners whose time has come, in active automations; undecided ones say why. */
  async function check(): Promise<void> {
    for (const a of await store.automations.inStatus('active')) {
      const auto = splitsOf(a).filter((s) => s.ins.winner);
      if (!auto.length) continue;
      const decided = await store.splitWinners.forAutomation(a.id);
      for (const s of auto) {
        const known = decided.get(s.ins.key);
        if (known?.winner !== undefined) continue;
        const p = await paths(a, s.sends);
        const at = decideAt(
          s.ins.winner!,
          p.map((x) => x.firstSendAt),
        );
        if (!at || Date.parse(at) > now().getTime()) continue;
        const d = chooseWinner(
          p.map((x) => x.result),
          s.ins.winner!.metric,
        );
        if ('undecided' in d) {
          const reason = d.undecided
            .replace(/variant(s?) (\d) and (\d)/, (_m, pl, x, y) => `path${pl} ${letter(+x - 1)} and ${letter(+y - 1)}`)
            .replace('variant', 'path');
          if (known?.undecidedReason !== reason) {
            await store.splitWinners.noteUndecided(a.id, s.ins.key, reason);
            deps.logger?.info({ automationId: a.id, stepKey: s.ins.key, reason }, 'automation.split_undecided');
          }
          continue;
        }
        if (await store.splitWinners.decide(a.id, s.ins.key, { winner: d.winner, by: 'auto', at: now().toISOString() }))
          deps.logger?.info({ automationId: a.id, stepKey: s.ins.key, winner: d.winner, rates: d.rates }, 'automation.split_decided');
      }
    }
  }

  /** Every split of the automation: its rule, each path's first email with its people's rate, and the decision. */
  async function view(a: StoredAutomation) {
    const splits = splitsOf(a);
    if (!splits.length) return [];
    const decided: Map<string, SplitDecision> = await store.splitWinners.forAutomation(a.id);
    return Promise.all(
      splits.map(async (s) => {
        const p = await paths(a, s.sends);
        const metric = s.ins.winner?.metric ?? 'opens';
        const rates = chooseWinner(
          p.map((x) => x.result),
          metric,
        ).rates;
        const d = decided.get(s.ins.key);
        return {
          key: s.ins.key,
          winnerRule: s.ins.winner ?? null,
          decideAt: s.ins.winner
            ? (decideAt(
                s.ins.winner,
                p.map((x) => x.firstSendAt),
              ) ?? null)
            : null,
          winner: d?.winner ?? null,
          decidedBy: d?.decidedBy ?? null,
          decidedAt: d?.decidedAt ?? null,
          undecidedReason: d?.winner === undefined ? (d?.undecidedReason ?? null) : null,
          paths: p.map(({ result, firstSendAt: _f, ...x }) => ({
            ...x,
            accepted: result.accepted,
            humanOpeners: result.humanOpeners,
            mppOnly: result.mppOnly,
            humanClickers: result.humanClickers,
            rate: rates[x.path] ?? 0,
          })),
        };
      }),
    );
  }

  /** A person chooses the winning path (the caller checked their right to edit the automation). */
  async function chooseByHand(a: StoredAutomation, stepKey: string, path: number, by: string) {
    const s = splitsOf(a).find((x) => x.ins.key === stepKey || x.ins.key === `#${stepKey}`);
    if (!s) throw new AppError('not_found', `Automation ${a.id} has no split step ${stepKey}`);
    if (path >= s.ins.at.length) throw new AppError('invalid_input', `path must be from 0 to ${s.ins.at.length - 1}`, { path });
    if (!(await store.splitWinners.decide(a.id, s.ins.key, { winner: path, by, at: now().toISOString() }))) {
      const d = (await store.splitWinners.forAutomation(a.id)).get(s.ins.key);
      throw new AppError('invalid_transition', `The split ${stepKey} already has a winner (path ${letter(d?.winner ?? 0)})`);
    }
  }

  return { check, view, chooseByHand };
}

export type SplitWinners = ReturnType<typeof createSplitWinners>;
