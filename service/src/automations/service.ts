// Automation use cases for the API: create (validated and compiled, nothing half-saved), list, the view with
// per-step counts, pause / resume / stop, and enrolment through the API.

import { type Actor, creatorOf, isPrivileged, type SugarAs } from '../access/actor.js';
import { type Owned, requireCampaignRight, requireModule, requireReadableFields, visibleOwned } from '../access/policy.js';
import { isSudoRefusal, resolveAudiences } from '../campaigns/audiences.js';
import { type CampaignSenders, requireTargetLists } from '../campaigns/service.js';
import { AutomationInvalid, compileAutomation, type EmailContent } from '../domain/automation.js';
import { AppError } from '../domain/errors.js';
import { parseInput } from '../domain/input.js';
import { mergedFields } from '../domain/merge-fields.js';
import type { ContentSpec, Creator, SugarAudience } from '../domain/types.js';
import type { AutomationStatus, CompiledCampaign, StoredAutomation, StorePart, UnitOfWork } from '../ports/index.js';
import type { AutomationEngine, EnrolTarget } from './engine.js';
import { provenTargets } from './enrol-check.js';
import { audiencesOf } from './list-enrolment.js';
import { EnrolBody, SplitWinnerBody } from './schemas.js';
import type { SplitWinners } from './split-winners.js';

/** What the automation use cases read and change (the engine moves targets). */
export type AutomationServiceStore = UnitOfWork &
  StorePart<{
    automations: 'create' | 'update' | 'get' | 'list' | 'setStatus' | 'counts' | 'stepCampaigns' | 'lockProgress';
    campaigns: 'get';
    engagement: 'summary';
    recipients: 'counts';
  }>;

export interface AutomationServiceDeps {
  store: AutomationServiceStore;
  engine: AutomationEngine;
  /** Sender identities: each email step's From must be one its identity allows. */
  senders: Pick<CampaignSenders, 'forSending'>;
  /** Compiles an email like a campaign's, so broken MJML or Liquid is refused at create time. */
  compile: (spec: ContentSpec) => Promise<Pick<CompiledCampaign, 'baseFieldsRead'>>;
  /** Runs a tick soon, so enrolled targets get their first step without waiting. */
  wake?: () => void;
  /** Reads a new automation's Sugar lists in the background and enrols their members. */
  readLists?: (a: StoredAutomation) => void;
  /** Split steps' winners: each path's results and the decision, and the choice by hand. */
  splits?: SplitWinners;
  /** Sugar as the automation's saved filters and reports are read at each refresh: its creator (sudo), else the service. */
  audienceReaderOf?: (creator: Creator | undefined) => Pick<SugarAs, 'get'>;
}

/** Keys of steps with an id start with '#'; the others are positions ("steps[2]"). */
const positional = (key: string) => !key.startsWith('#');

const DEFINITION_FIELDS = ['name', 'targetListIds', 'savedFilterIds', 'reportIds', 'steps'] as const;
/**
 * The fields the definition is made of, with the saved filters and reports resolved (name, module) for enrolment to
 * read. Nothing else of the body is kept: an `audiences` of its own would be read at enrolment without the checks
 * made here (the module, that the actor may see it).
 */
function withAudiences(body: unknown, audiences: SugarAudience[]) {
  const given = body as Record<string, unknown>;
  const def = Object.fromEntries(DEFINITION_FIELDS.filter((f) => given[f] !== undefined).map((f) => [f, given[f]]));
  return audiences.length ? { ...def, audiences } : def;
}
function parseTargets(body: unknown): EnrolTarget[] {
  return parseInput(EnrolBody, body, 'invalid_enrolment').targets;
}

export function createAutomationService(deps: AutomationServiceDeps) {
  const { store } = deps;

  async function get(id: string) {
    const a = await store.automations.get(id);
    if (!a) throw new AppError('not_found', `No automation ${id}`);
    return a;
  }

  /** An automation answers to Sugar's rights on its step campaigns' Sugar Campaigns (all assigned to its creator). */
  async function owned(a: StoredAutomation): Promise<Owned> {
    let stepCampaign: { sugarCampaignId?: string } | undefined;
    for (const id of (await store.automations.stepCampaigns(a.id)).values()) {
      stepCampaign = await store.campaigns.get(id);
      if (stepCampaign?.sugarCampaignId) break;
    }
    return { id: a.id, name: a.name, createdBy: a.createdBy, sugarCampaignId: stepCampaign?.sugarCampaignId };
  }

  async function allowed(id: string, actor: Actor, action: 'view' | 'edit') {
    const a = await get(id);
    await requireCampaignRight(actor, await owned(a), action, 'automation');
    return a;
  }

  /** Validates like a campaign: the steps, the Sugar lists (as the actor), every email compiled. Saves nothing. */
  async function validate(body: unknown, actor: Actor) {
    let compiled: ReturnType<typeof compileAutomation>;
    try {
      compiled = compileAutomation(body);
    } catch (e) {
      if (e instanceof AutomationInvalid) throw new AppError('invalid_automation', e.message, { problems: e.problems });
      throw e;
    }
    // A refusal about one email names its step (details.stepKey), so a builder shows it at that step.
    const atStep = (key: string, e: unknown) => {
      if (!(e instanceof AppError)) return e;
      const d = e.details;
      const details = Array.isArray(d) ? { errors: d, stepKey: key } : { ...(d as object | undefined), stepKey: key };
      return new AppError(e.code, e.message, details, { cause: e });
    };
    for (const ins of compiled.program) {
      if (ins.op !== 'send') continue;
      const email = ins.email as EmailContent;
      try {
        // Resolved now, so a later change of the default identity does not move a running automation.
        email.senderIdentityId = (await deps.senders.forSending(email.senderIdentityId, email.fromEmail, actor)).id;
      } catch (e) {
        throw atStep(ins.key, e);
      }
    }
    await requireTargetLists(actor.sugar, compiled.targetListIds);
    // Saved filters and reports as enrolment audiences: checked with the actor's token, kept resolved in the definition.
    const def = (body ?? {}) as { savedFilterIds?: unknown; reportIds?: unknown };
    const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const audiences = await resolveAudiences(actor.sugar, ids(def.savedFilterIds), ids(def.reportIds));
    for (const ins of compiled.program) {
      if (ins.op !== 'send') continue;
      try {
        // Its merged fields are read from every target: the actor must be able to read them in Sugar.
        requireReadableFields(actor, mergedFields([], await deps.compile({ campaignId: 'validation', ...(ins.email as EmailContent) })));
      } catch (e) {
        throw atStep(ins.key, e);
      }
    }
    return { ...compiled, audiences };
  }

  async function create(body: unknown, actor: Actor) {
    requireModule(actor, 'Campaigns', 'create');
    const { audiences, ...compiled } = await validate(body, actor);
    const a = await store.automations.create({ ...compiled, definition: withAudiences(body, audiences), createdBy: creatorOf(actor) });
    if (a.targetListIds.length || audiences.length) deps.readLists?.(a);
    return await view(a.id);
  }

  /**
   * An editor's new saved filter or report must be one the automation's creator may read too: each refresh reads it
   * as them, and a filter private to the editor would fail every one.
   */
  async function requireReadableAsCreator(before: StoredAutomation, audiences: SugarAudience[], actor: Actor) {
    const creator = before.createdBy;
    if (!deps.audienceReaderOf || (creator && actor.kind === 'user' && actor.id === creator.id)) return;
    const known = audiencesOf(before);
    const reader = deps.audienceReaderOf(creator);
    for (const a of audiences.filter((x) => !known.some((k) => k.kind === x.kind && k.id === x.id))) {
      try {
        await resolveAudiences(reader, a.kind === 'saved_filter' ? [a.id] : [], a.kind === 'report' ? [a.id] : []);
      } catch (e) {
        const who = creator ? `${creator.userName}, who created this automation` : "the service's own Sugar user";
        const refused = (why: string) =>
          new AppError(
            'unknown_audience',
            `LeadFWD reads this automation's audiences as ${who}, and ${why}`,
            { kind: a.kind, id: a.id, readAs: creator?.userName ?? null },
            { cause: e },
          );
        // Sugar refused the sudo itself: the creator is inactive or deleted.
        if (isSudoRefusal(e)) throw refused('Sugar would not let it act as them (inactive or deleted)');
        if (!(e instanceof AppError)) throw e;
        throw refused(
          `Sugar does not let them read the ${a.kind === 'saved_filter' ? 'saved filter' : 'report'} "${a.name}": share it with them in Sugar, or ask them to add it`,
        );
      }
    }
  }

  /**
   * Replaces name, lists and steps. Steps keep their identity through their `id`, so targets keep their place
   * and never get a step they passed again; a target standing on a step that is gone walks the new steps from
   * the top, skipping every email it was sent.
   */
  async function update(id: string, body: unknown, actor: Actor) {
    const before = await allowed(id, actor, 'edit');
    if (before.status === 'stopped') throw new AppError('invalid_transition', `Automation ${id} is stopped`);
    editable(id, Object.keys((await store.automations.counts(id)).passed)); // before the Sugar calls: refused at once
    const { audiences, ...compiled } = await validate(body, actor);
    await requireReadableAsCreator(before, audiences, actor);
    // Validation takes a while (Sugar, every email compiled); a tick may have sent a step meanwhile: checked again
    // under the automation's progress lock, in the transaction that saves.
    await store.transaction(async (tx) => {
      await tx.automations.lockProgress(id);
      editable(id, Object.keys((await tx.automations.counts(id)).passed), compiled.program);
      if (!(await tx.automations.update(id, { ...compiled, definition: withAudiences(body, audiences), createdBy: before.createdBy })))
        throw new AppError('invalid_transition', `Automation ${id} is stopped`);
    });
    const a = await get(id);
    if (a.targetListIds.some((l) => !before.targetListIds.includes(l)) || audiences.length) deps.readLists?.(a);
    deps.wake?.();
    return await view(id);
  }

  /**
   * Progress is keyed by step: a step without an id is keyed by its position, which an edit can give to another step.
   * So no edit once such a step was sent, and every step of the new `program` needs an id once any was.
   */
  function editable(id: string, sent: string[], program?: Array<{ key: string }>) {
    if (sent.some(positional)) {
      throw new AppError(
        'not_editable',
        `Automation ${id} has sent steps that have no id, so an edit could not tell which step a target passed; ` +
          'give steps ids in an automation you mean to edit',
      );
    }
    const unnamed = sent.length && program ? program.filter((i) => positional(i.key)).map((i) => i.key) : [];
    if (unnamed.length) {
      throw new AppError('invalid_automation', `every step needs an id once an automation has sent email (no id: ${unnamed.join(', ')})`, {
        problems: unnamed.map((k) => `${k} needs an id`),
      });
    }
  }

  async function view(id: string) {
    const a = await get(id);
    const counts = await store.automations.counts(id);
    const campaigns = await store.automations.stepCampaigns(id);
    const steps = await Promise.all(
      a.program
        .filter((i) => i.op === 'send' || i.op === 'wait')
        .map(async (i) => {
          const base = { key: i.key, type: i.op === 'send' ? 'send_email' : 'wait', waiting: counts.waitingAt[i.key] ?? 0 };
          if (i.op !== 'send') return { ...base, ...(i.seconds ? { seconds: i.seconds } : { window: i.window }) };
          const campaignId = campaigns.get(i.key);
          const summary = campaignId ? await store.engagement.summary(campaignId) : undefined;
          return {
            ...base,
            name: i.email.name,
            subject: i.email.subject,
            campaignId: campaignId ?? null,
            passed: counts.passed[i.key] ?? 0,
            delivery: campaignId ? await store.recipients.counts(campaignId) : null,
            // People only: machine opens and bot clicks are reported apart, as in the campaign report.
            engagement: summary
              ? { opened: summary.opens.people, clicked: summary.clicks.people, machineOnlyOpens: summary.opens.machineOnly, facts: summary.facts }
              : null,
          };
        }),
    );
    return {
      id: a.id,
      name: a.name,
      status: a.status,
      targetListIds: a.targetListIds,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      createdBy: a.createdBy ?? null,
      enrolments: counts.enrolments,
      steps,
      // Each split: its winner rule, each path's first email with its people's rate, the winner or why not yet.
      splits: deps.splits ? await deps.splits.view(a) : [],
      // The body it was created or last edited with: what a builder edits (PUT takes it back with its step ids).
      definition: a.definition,
    };
  }

  async function move(id: string, from: AutomationStatus[], to: AutomationStatus, actor: Actor) {
    const a = await allowed(id, actor, 'edit');
    // A stop waits for the ticks' batches putting people on the steps (each holds the automation's row: engine.ts).
    if (!(await store.automations.setStatus(id, from, to))) throw new AppError('invalid_transition', `Automation ${id} is ${a.status} and cannot become ${to}`);
    if (to === 'active') deps.wake?.();
    return await view(id);
  }

  return {
    create,
    update,
    view: async (id: string, actor: Actor) => {
      await allowed(id, actor, 'view');
      return await view(id);
    },
    /** Whether Sugar lets the actor change it (edit, pause, stop), so a screen offers only what will work. */
    mayEdit: (id: string, actor: Actor) =>
      allowed(id, actor, 'edit').then(
        () => true,
        (e: unknown) => {
          if (e instanceof AppError && (e.code === 'not_your_campaign' || e.code === 'sugar_rights')) return false;
          throw e;
        },
      ),
    list: async (limit: number, offset: number, actor: Actor) => {
      // What the user may see, then the page: paged first, newer automations hidden from them filled the page and
      // left theirs out. Whoever sees them all is paged by the store.
      const everyone = isPrivileged(actor);
      const all = await store.automations.list(everyone ? { limit, offset } : { limit: Number.MAX_SAFE_INTEGER, offset: 0 });
      const byId = new Map(all.map((a) => [a.id, a]));
      const visible = everyone ? all : (await visibleOwned(actor, await Promise.all(all.map(owned)))).slice(offset, offset + limit);
      return await Promise.all(
        visible
          .map(({ id }) => byId.get(id)!)
          .map(async (a) => ({
            id: a.id,
            name: a.name,
            status: a.status,
            createdAt: a.createdAt,
            createdBy: a.createdBy ?? null,
            enrolments: (await store.automations.counts(a.id)).enrolments,
          })),
      );
    },
    pause: (id: string, actor: Actor) => move(id, ['active'], 'paused', actor),
    resume: (id: string, actor: Actor) => move(id, ['paused'], 'active', actor),
    stop: (id: string, actor: Actor) => move(id, ['active', 'paused'], 'stopped', actor),
    /** A person chooses a split's winning path; targets reaching the split from then on take it. */
    chooseSplitWinner: async (id: string, body: unknown, actor: Actor) => {
      const a = await allowed(id, actor, 'edit');
      if (a.status === 'stopped') throw new AppError('invalid_transition', `Automation ${id} is stopped`);
      if (!deps.splits) throw new Error('split winners are not wired');
      const { step, path } = parseInput(SplitWinnerBody, body, 'invalid_input');
      await deps.splits.chooseByHand(a, step, path, actor.kind === 'user' ? actor.userName : 'the API');
      deps.wake?.();
      return view(id);
    },
    enrol: async (id: string, body: unknown, actor: Actor) => {
      const a = await allowed(id, actor, 'edit');
      if (a.status === 'stopped') throw new AppError('invalid_transition', `Automation ${id} is stopped`);
      const targets = parseTargets(body);
      for (const m of new Set(targets.map((t) => t.module))) requireModule(actor, m, 'list');
      const { proven, skipped } = await provenTargets(actor, targets);
      const result = await deps.engine.enrol(id, proven);
      deps.wake?.();
      return { enrolled: result.enrolled, skipped: [...skipped, ...result.skipped] };
    },
  };
}

export type AutomationService = ReturnType<typeof createAutomationService>;
