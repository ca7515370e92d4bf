// A/B tests: each variant is a campaign of its own sent to an even split of a test share of the audience (a hash of
// test and address: every part reads the same audience, none overlap); when the decide time comes, the variant with
// the best people's open or click rate wins (machine opens and bot clicks never count; Apple MPP-only openers are
// unknown) and the rest of the audience gets it as one more campaign. No data yet, or a tie: nothing goes to the rest,
// the test says why, and a person may choose by hand. In Sugar each variant and the rest is its own Sugar Campaign.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../access/actor.js';
import { chooseWinner, type VariantResult, type WinnerDecision } from '../domain/ab-test.js';
import { AppError } from '../domain/errors.js';
import { parseInput } from '../domain/input.js';
import type { Campaign, ContentSpec } from '../domain/types.js';
import type { AbTest, CompiledCampaign, StorePart } from '../ports/index.js';
import { type Log, turnFailures } from '../ports/log.js';
import { AbTestBody, AbWinnerBody, CreateCampaignBody } from './schemas.js';
import type { CampaignService, CreateCampaignInput } from './service.js';

export type AbTestStore = StorePart<{
  abTests: 'create' | 'get' | 'due' | 'withoutRest' | 'decide' | 'setRestCampaign' | 'noteUndecided';
  campaigns: 'get' | 'create' | 'transition';
  followUps: 'counts';
}>;

export interface AbTestDeps {
  store: AbTestStore;
  campaigns: Pick<CampaignService, 'create' | 'allowed'>;
  compile: (spec: ContentSpec) => Promise<CompiledCampaign>;
  /** A new campaign is there to extract (the rest). */
  kick?: () => void;
  now?: () => Date;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

const letter = (i: number) => String.fromCharCode(65 + i);
const SUGAR_NAME = 50; // Sugar's Campaign name length: the part's suffix must survive it
const partName = (name: string, suffix: string) => {
  const room = SUGAR_NAME - suffix.length;
  return `${name.length > room ? `${name.slice(0, room - 1).trimEnd()}…` : name}${suffix}`;
};

export function createAbTests(deps: AbTestDeps) {
  const now = () => (deps.now ? deps.now() : new Date());
  const { store } = deps;

  async function cancelParts(ids: string[], reason: string): Promise<void> {
    for (const id of ids) await store.campaigns.transition(id, ['draft', 'extracting', 'pending'], 'cancelled', reason);
  }

  async function create(input: Record<string, unknown>, actor: Actor): Promise<AbTest> {
    const { abTest } = parseInput(AbTestBody, input, 'invalid_campaign');
    const { abTest: _settings, ...base } = input;
    if (base.hold === true) throw new AppError('invalid_campaign', 'An A/B test cannot be held for review; create it when it may go', { hold: true });
    const v = parseInput(CreateCampaignBody, base, 'invalid_campaign');
    // Asked again with its id (the first answer lost on the way): the test made then, never a second one,
    // and nothing compiled again.
    const made = abTest.id ? await store.abTests.get(abTest.id) : undefined;
    if (made) return made;
    const variants = abTest.variants.map((x) => ({
      subject: x.subject ?? v.subject,
      ...(x.mjml || x.html ? { mjml: x.mjml, html: x.html } : { mjml: v.mjml, html: v.html }),
    }));
    // Every variant renders, or none is made: a test with a broken variant would send it to its share.
    for (const [i, x] of variants.entries()) {
      try {
        await deps.compile({ campaignId: 'validation', fromName: v.fromName, fromEmail: v.fromEmail, ...x });
      } catch (e) {
        if (e instanceof AppError) throw new AppError(e.code, `Variant ${letter(i)}: ${e.message}`, { ...(e.details ?? {}), variant: i });
        throw e;
      }
    }
    const testId = abTest.id ?? randomUUID();
    const ids: string[] = [];
    try {
      for (const [i, x] of variants.entries()) {
        const c = await deps.campaigns.create(
          { ...(base as CreateCampaignInput), name: partName(v.name, ` – variant ${letter(i)}`), subject: x.subject, mjml: x.mjml, html: x.html },
          actor,
          { abPart: { testId, group: i, share: abTest.testShare, variants: variants.length } },
        );
        ids.push(c.id);
      }
    } catch (e) {
      // A later variant refused (Sugar unreachable mid-way): the ones made must not send as a test of fewer variants.
      await cancelParts(ids, 'the A/B test it belonged to could not be made');
      throw e;
    }
    const first = (await store.campaigns.get(ids[0]))!;
    try {
      return await store.abTests.create({
        id: testId,
        name: v.name,
        metric: abTest.metric,
        testShare: abTest.testShare,
        decideAt: new Date(Date.parse(first.sendAt) + abTest.decideAfterHours * 3_600_000).toISOString(),
        variantCampaignIds: ids,
      });
    } catch (e) {
      // The same id asked twice at once: the other one made it; these variants must not send beside its own.
      const other = abTest.id ? await store.abTests.get(abTest.id) : undefined;
      if (!other) throw e;
      await cancelParts(ids, 'the A/B test was made by the same request asked again');
      return other;
    }
  }

  async function results(t: AbTest): Promise<{ results: VariantResult[]; campaigns: Campaign[] }> {
    const campaigns = (await Promise.all(t.variantCampaignIds.map((id) => store.campaigns.get(id)))).filter((c): c is Campaign => c !== undefined);
    const results = await Promise.all(
      campaigns.map(async (c, variant) => {
        const n = await store.followUps.counts(c.id);
        return { variant, accepted: n.accepted, humanOpeners: n.humanOpeners, mppOnly: n.mppOnly, humanClickers: n.humanClickers };
      }),
    );
    return { results, campaigns };
  }

  /** The rest of the audience gets the winner: a campaign with the winning variant's content, made once. */
  async function sendRest(t: AbTest): Promise<string> {
    const restId = `${t.id}-rest`;
    if (!(await store.campaigns.get(restId))) {
      const w = await store.campaigns.get(t.variantCampaignIds[t.winner!]);
      if (!w) throw new Error(`the winning variant's campaign ${t.variantCampaignIds[t.winner!]} is gone`);
      const { id: _id, status: _s, createdAt: _c, updatedAt: _u, sugarCampaignId: _sc, held: _h, abPart, ...rest } = w;
      try {
        await store.campaigns.create(
          { ...rest, name: partName(t.name, ` – winner ${letter(t.winner!)}`), sendAt: now().toISOString(), abPart: { ...abPart!, group: 'rest' } },
          restId,
        );
      } catch (err) {
        // Made meanwhile (the tick and a person choosing by hand, or two processes): one rest campaign, whoever made it.
        if (!(await store.campaigns.get(restId))) throw err;
      }
    }
    await store.abTests.setRestCampaign(t.id, restId);
    deps.kick?.();
    return restId;
  }

  /** Chooses the winners of tests whose time has come; undecided ones say why and keep the rest waiting. */
  async function tick(): Promise<void> {
    for (const t of await store.abTests.withoutRest()) await sendRest(t);
    for (const t of await store.abTests.due(now().toISOString())) {
      const { results: r, campaigns } = await results(t);
      const unsent = campaigns.filter((c) => c.status !== 'sent');
      const d: WinnerDecision = unsent.length
        ? { undecided: `waiting for ${unsent.map((c) => c.name).join(', ')} to be sent`, rates: {} }
        : chooseWinner(r, t.metric);
      if ('undecided' in d) {
        if (t.undecidedReason !== d.undecided) {
          await store.abTests.noteUndecided(t.id, d.undecided);
          deps.logger?.info({ abTestId: t.id, reason: d.undecided }, 'ab_test.undecided');
        }
        continue;
      }
      if (await store.abTests.decide(t.id, { winner: d.winner, by: 'auto', at: now().toISOString() })) {
        deps.logger?.info({ abTestId: t.id, winner: d.winner, rates: d.rates }, 'ab_test.decided');
        await sendRest({ ...t, winner: d.winner });
      }
    }
  }

  async function get(id: string): Promise<AbTest> {
    const t = await store.abTests.get(id);
    if (!t) throw new AppError('not_found', `No A/B test ${id}`);
    return t;
  }

  /** The test with each variant's results (people's opens and clicks, their rates) and the rest's campaign. */
  async function view(id: string, actor: Actor) {
    const t = await get(id);
    await deps.campaigns.allowed(t.variantCampaignIds[0], actor, 'view');
    const { results: r, campaigns } = await results(t);
    const rates = chooseWinner(r, t.metric).rates;
    const rest = t.restCampaignId ? await store.campaigns.get(t.restCampaignId) : undefined;
    return {
      ...t,
      variants: campaigns.map((c, i) => ({
        ...r[i],
        label: letter(i),
        campaignId: c.id,
        name: c.name,
        subject: c.subject,
        status: c.status,
        rate: rates[i] ?? 0,
      })),
      rest: rest ? { campaignId: rest.id, name: rest.name, status: rest.status } : null,
    };
  }

  /** A person chooses the winner (before the decide time, or when the automatic choice could not be made). */
  async function chooseByHand(id: string, body: unknown, actor: Actor) {
    const t = await get(id);
    await deps.campaigns.allowed(t.variantCampaignIds[0], actor, 'edit');
    const { variant } = parseInput(AbWinnerBody, body, 'invalid_input');
    if (variant >= t.variantCampaignIds.length)
      throw new AppError('invalid_input', `variant must be from 0 to ${t.variantCampaignIds.length - 1}`, { variant });
    const by = actor.kind === 'user' ? actor.userName : 'the API';
    if (!(await store.abTests.decide(t.id, { winner: variant, by, at: now().toISOString() })))
      throw new AppError('invalid_transition', `A/B test ${id} already has a winner (variant ${letter(t.winner ?? 0)})`);
    await sendRest({ ...t, winner: variant });
    return view(id, actor);
  }

  return { create, tick, view, chooseByHand };
}

export type AbTests = ReturnType<typeof createAbTests>;

/** Runs `tick` every `everyMs` until stopped; one tick at a time. */
export function createAbTestRunner(tests: Pick<AbTests, 'tick'>, opts: { everyMs?: number; logger?: Pick<Log, 'info' | 'warn' | 'error'> } = {}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const failures = turnFailures(opts.logger, 'ab_test.tick_failed');
  const run = () => {
    if (running) return;
    running = tests
      .tick()
      .then(failures.ok, failures.failed)
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      timer = setInterval(run, opts.everyMs ?? 500);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
