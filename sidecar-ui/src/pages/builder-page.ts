// The automation builder page: create or edit an automation (steps, waits, content streams, branches drawn as
// branches, gotos forward), the lists it enrols, its per-step figures, and Pause / Resume / Stop. An unsaved draft is
// never lost: it is kept in the browser session on every change, so an error, an expired Sugar session or a reload
// gives it back; it is dropped only once the service has saved it. A user Sugar does not let change the automation
// sees it, and its figures, without controls that would fail.
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError } from '../shared/errors.js';
import { sentCount } from '../shared/format.js';
import { automationHref, routeQuery } from '../shared/routes.js';
import { ServiceError } from '../shared/service-client.js';
import type { AutomationView, TargetList } from '../shared/service-types.js';
import { userTimeZone } from '../shared/time.js';
import { type AreaContext, type AreaPage, button, isBlocking, timeNow } from './area.js';
import { type AutomationAction, actionButton, actionsFor, runAction, statusBadge } from './automation-controls.js';
import { type Defaults, type Draft, type DraftProblem, fromDefinition, placeServiceProblems, stepOfKey, toDefinition, validateDraft } from './builder-model.js';
import { type Builder, createBuilder, type SplitFigures, type StepFigures } from './builder-view.js';

const REFRESH_MS = 10_000;
/** Where the browser keeps an unsaved draft of one automation ('new' before it exists) for this session. */
export const draftKey = (id: string | undefined) => `leadfwd:automation-draft:${id ?? 'new'}`;

function keepDraft(id: string | undefined, draft: Draft): void {
  try {
    sessionStorage.setItem(draftKey(id), JSON.stringify(draft));
  } catch {
    // A browser that keeps nothing (private mode, full storage) still has the draft on screen.
  }
}
function keptDraft(id: string | undefined): Draft | undefined {
  try {
    const text = sessionStorage.getItem(draftKey(id));
    const d = text ? (JSON.parse(text) as Draft) : undefined;
    return d && typeof d.name === 'string' && Array.isArray(d.steps) && Array.isArray(d.targetListIds) ? d : undefined;
  } catch {
    return undefined;
  }
}
function dropDraft(id: string | undefined): void {
  try {
    sessionStorage.removeItem(draftKey(id));
  } catch {
    // nothing kept, nothing to drop
  }
}

/** The view's per-step figures by step id (and "id/index" for a stream's contents). */
export function figuresByStep(view: AutomationView | undefined): Map<string, StepFigures> {
  const out = new Map<string, StepFigures>();
  for (const s of view?.steps ?? []) {
    const at = stepOfKey(s.key);
    if (!at) continue;
    if (s.key.endsWith('/wait')) continue;
    const key = at.content === undefined ? at.id : `${at.id}/${at.content}`;
    if (s.type === 'wait') out.set(key, { waiting: s.waiting });
    else
      out.set(key, {
        waiting: s.waiting,
        passed: s.passed,
        sent: s.delivery ? sentCount(s.delivery) : 0,
        opened: s.engagement?.opened ?? 0,
        clicked: s.engagement?.clicked ?? 0,
      });
  }
  return out;
}

/** The view's split decisions by step id. */
export function splitsByStep(view: AutomationView | undefined): Map<string, SplitFigures> {
  const out = new Map<string, SplitFigures>();
  for (const s of view?.splits ?? []) {
    const at = stepOfKey(s.key);
    if (!at) continue;
    out.set(at.id, {
      metric: s.winnerRule?.metric ?? 'opens',
      auto: !!s.winnerRule,
      decideAt: s.decideAt,
      winner: s.winner,
      decidedBy: s.decidedBy,
      undecidedReason: s.undecidedReason,
      rates: s.paths.map((p) => p.rate),
    });
  }
  return out;
}

/** Problems of a refused save placed at their fields: the service's own words where it named a step or field. */
function refusalProblems(e: unknown, draft: Draft, listName: (id: string) => string): { problems: DraftProblem[]; details: string[] } | undefined {
  if (!(e instanceof ServiceError)) return undefined;
  const d = (e.details ?? {}) as { problems?: unknown; stepKey?: unknown };
  const at = typeof d.stepKey === 'string' ? stepOfKey(d.stepKey) : undefined;
  const prefix = at?.content !== undefined ? `contents.${at.content}.` : '';
  // Lists Sugar no longer has are named as the person chose them, not by their ids.
  const msg = describeError(e, listName);
  if (e.code === 'invalid_automation' && Array.isArray(d.problems)) return { problems: placeServiceProblems(draft, d.problems.map(String)), details: [] };
  if (e.kind === 'unknown_lists') return { problems: [{ step: '', field: 'lists', label: '', text: msg.text }], details: [] };
  if (e.kind === 'invalid_template' && at) return { problems: [{ step: at.id, field: `${prefix}content`, label: '', text: msg.text }], details: msg.details };
  if (e.kind === 'sender_not_allowed' && at) return { problems: [{ step: at.id, field: 'fromEmail', label: '', text: msg.text }], details: [] };
  if (e.code === 'content_too_large' && at) return { problems: [{ step: at.id, field: `${prefix}content`, label: '', text: msg.text }], details: [] };
  return undefined;
}

/** The message for a refusal that is about no field, worded for an automation where the general one speaks of campaigns. */
function refusalText(e: unknown): string {
  if (e instanceof ServiceError && e.code === 'not_editable') return t('LBL_LEADFWD_ERR_NOT_EDITABLE');
  if (e instanceof ServiceError && e.code === 'invalid_transition') return t('LBL_LEADFWD_ERR_AUTOMATION_MOVED');
  if (e instanceof ServiceError && e.kind === 'not_found') return t('LBL_LEADFWD_ERR_AUTOMATION_GONE');
  return describeError(e).text;
}

function userDefaults(): Defaults {
  const user = getApp().user;
  const emails = (user?.get('email') ?? []) as Array<{ email_address?: string; primary_address?: boolean }>;
  const primary = Array.isArray(emails) ? (emails.find((e) => e.primary_address) ?? emails[0]) : undefined;
  return { fromName: String(user?.get('full_name') ?? ''), fromEmail: String(primary?.email_address ?? ''), timeZone: userTimeZone() };
}

export const builderPage: AreaPage = {
  start(ctx: AreaContext) {
    const cid = ctx.view.cid;
    const id = routeQuery('automation');
    const defaults = userDefaults();
    let view: AutomationView | undefined;
    let builder: Builder | undefined;
    let draft: Draft = { name: '', targetListIds: [], steps: [] };
    let saving = false;
    let timer: number | undefined;
    let readFailed = false;
    /** The draft on screen came back from the session (not saved yet): it can be discarded. */
    let restored = false;
    const summary = h('div', { class: 'leadfwd-automation-summary' });
    const goneLists = new Set<string>();
    let lists: TargetList[] = [];

    function paintSummary() {
      if (!view) {
        replaceChildren(summary, h('p', { class: 'help-block' }, t('LBL_LEADFWD_BUILDER_NEW_HINT')));
        return;
      }
      const e = view.enrolments ?? { active: 0, done: 0, left: 0 };
      replaceChildren(
        summary,
        h(
          'dl',
          { class: 'leadfwd-summary' },
          h('dt', {}, t('LBL_LEADFWD_COL_STATUS')),
          h('dd', {}, statusBadge(view.status)),
          h('dt', {}, t('LBL_LEADFWD_ENROLLED')),
          h('dd', { class: 'leadfwd-enrolments' }, t('LBL_LEADFWD_ENROLMENT_COUNTS', { active: e.active, done: e.done, left: e.left })),
        ),
        view.mayEdit === false ? h('p', { class: 'help-block leadfwd-role-note' }, t('LBL_LEADFWD_AUTOMATION_READ_ONLY')) : null,
      );
    }

    function discard() {
      dropDraft(id);
      restored = false;
      draft = view ? fromDefinition(view.definition, defaults) : { name: '', targetListIds: [], steps: [] };
      ctx.clear();
      build();
      paintActions();
    }

    /** What the buttons were last drawn for: a refresh that changes none of it keeps them (and the focus on them). */
    let actionsDrawnFor = '';
    function paintActions() {
      const state = JSON.stringify([restored && editable(), !!view, view?.mayEdit, view?.status, saving]);
      if (state === actionsDrawnFor) return;
      actionsDrawnFor = state;
      // A button that is drawn again keeps the focus it had (Pause becomes Resume in the same place).
      const focused = ctx.actions.contains(document.activeElement) ? Array.from(ctx.actions.children).indexOf(document.activeElement as Element) : -1;
      replaceChildren(ctx.actions);
      if (restored && editable()) ctx.actions.appendChild(button(t('LBL_LEADFWD_DISCARD_DRAFT'), 'leadfwd-discard', discard));
      if (!view || view.mayEdit === false) {
        if (view) ctx.actions.appendChild(button(t('LBL_LEADFWD_REFRESH'), 'leadfwd-refresh', () => void refresh()));
        return;
      }
      for (const action of actionsFor(view.status))
        ctx.actions.appendChild(actionButton(action, view.name, action === 'stop' ? 'btn-danger' : '', () => lifecycle(action), saving));
      ctx.actions.appendChild(button(t('LBL_LEADFWD_REFRESH'), 'leadfwd-refresh', () => void refresh()));
      if (focused >= 0) (ctx.actions.children[Math.min(focused, ctx.actions.children.length - 1)] as HTMLElement | undefined)?.focus();
    }

    function lifecycle(action: AutomationAction) {
      if (!view || !id) return;
      runAction(ctx.client, { id, name: view.name }, action, (outcome) => {
        if ('error' in outcome) ctx.say(refusalText(outcome.error), 'danger');
        else {
          view = { ...view!, ...outcome.view, mayEdit: view!.mayEdit };
          ctx.clear();
        }
        paintSummary();
        paintActions();
        applyEditable();
        ctx.actions.querySelector<HTMLElement>('button')?.focus();
      });
    }

    /** A stopped automation cannot be edited; one Sugar does not let this user change is shown read-only. */
    const editable = () => !view || (view.mayEdit !== false && view.status !== 'stopped');
    const figures = new Map<string, StepFigures>();
    const splits = new Map<string, SplitFigures>();
    let builtEditable = true;

    /** (Re)builds the builder around the draft: once at start, again when it turns read-only (stopped) or back. */
    function build() {
      builtEditable = editable();
      const next = createBuilder({
        cid,
        draft,
        defaults,
        editable: builtEditable,
        lists,
        goneLists,
        figures,
        splits,
        chooseWinner: (splitId, path) => void chooseWinner(splitId, path),
        changed: () => keepDraft(id, draft),
        save: () => void save(),
      });
      if (builder) builder.form.replaceWith(next.form);
      else ctx.root.append(summary, next.form);
      builder = next;
    }

    function applyEditable() {
      if (builder && editable() !== builtEditable) build();
    }

    function paintFigures() {
      figures.clear();
      for (const [k, v] of figuresByStep(view)) figures.set(k, v);
      splits.clear();
      for (const [k, v] of splitsByStep(view)) splits.set(k, v);
      builder?.paintFigures();
    }

    async function save() {
      if (saving || !builder) return;
      builder.clearProblems();
      const problems = validateDraft(draft);
      if (problems.length) {
        builder.showProblems(problems);
        ctx.say(t('LBL_LEADFWD_BUILDER_FIX_MARKED', { n: problems.length }), 'danger');
        return;
      }
      saving = true;
      builder.setBusy(true);
      ctx.status(t('LBL_LEADFWD_SAVING'));
      const body = toDefinition(draft);
      try {
        const saved = id
          ? await ctx.client.put<AutomationView>(`/automations/${encodeURIComponent(id)}`, body)
          : await ctx.client.post<AutomationView>('/automations', body);
        dropDraft(id);
        restored = false;
        ctx.clear();
        if (!id) {
          // The new automation's own page: its figures and its lifecycle buttons.
          showAlert('leadfwd-action', 'success', t('LBL_LEADFWD_AUTOMATION_CREATED', { name: saved.name }), { autoClose: true });
          getApp().router?.navigate(automationHref(saved.id).slice(1), { trigger: true });
          return;
        }
        view = { ...saved, mayEdit: view?.mayEdit ?? true };
        goneLists.clear();
        ctx.status(t('LBL_LEADFWD_SAVED_AT', { time: timeNow() }));
        ctx.setTitle(saved.name);
        paintSummary();
        paintActions();
        builder.paintLists();
        builder.redraw();
        paintFigures();
        applyEditable();
      } catch (e) {
        ctx.status('');
        // Whatever went wrong, the draft stays as it is, on screen and in the session.
        keepDraft(id, draft);
        if (e instanceof ServiceError && e.kind === 'unknown_lists') {
          const ids = describeError(e).unknownListIds;
          for (const x of ids) goneLists.add(x);
          builder.paintLists();
        }
        const placed = refusalProblems(e, draft, (x) => lists.find((l) => l.id === x)?.name ?? x);
        if (placed) {
          builder.showProblems(placed.problems, placed.details);
          ctx.say(t('LBL_LEADFWD_BUILDER_FIX_MARKED', { n: placed.problems.length }), 'danger');
        } else ctx.say(refusalText(e), 'danger');
      } finally {
        saving = false;
        builder?.setBusy(false);
        // Pause and Stop were drawn disabled while saving.
        if (!ctx.disposed()) paintActions();
      }
    }

    /** A person makes a path the split's winner; everyone reaching the split from then on takes it. */
    async function chooseWinner(splitId: string, path: number) {
      if (!id) return;
      try {
        const fresh = await ctx.client.post<AutomationView>(`/automations/${encodeURIComponent(id)}/split-winner`, { step: splitId, path });
        if (ctx.disposed()) return;
        view = { ...fresh, mayEdit: view?.mayEdit ?? true };
        ctx.say(t('LBL_LEADFWD_SPLIT_CHOSEN', { path: String.fromCharCode(65 + path) }), 'success');
        paintFigures();
      } catch (e) {
        ctx.say(refusalText(e), 'danger');
        await refresh();
      }
    }

    async function refresh() {
      if (!id) return;
      try {
        const fresh = await ctx.client.get<AutomationView>(`/automations/${encodeURIComponent(id)}`);
        if (ctx.disposed()) return;
        view = fresh;
        if (readFailed) ctx.clear();
        readFailed = false;
        ctx.status(t('LBL_LEADFWD_UPDATED_AT', { time: timeNow() }));
        paintSummary();
        paintActions();
        applyEditable();
        paintFigures();
      } catch (e) {
        readFailed = true;
        ctx.status('');
        ctx.say(refusalText(e), 'danger');
      }
    }

    function schedule() {
      if (ctx.disposed() || !id) return;
      timer = window.setTimeout(async () => {
        if (view?.status === 'active') await refresh();
        schedule();
      }, REFRESH_MS);
    }
    ctx.onDispose(() => {
      if (timer !== undefined) window.clearTimeout(timer);
    });

    ctx.withAccess(async (access) => {
      try {
        const [listAnswer, fresh] = await Promise.all([
          ctx.client.get<{ targetLists: TargetList[] }>('/sugar/target-lists'),
          id ? ctx.client.get<AutomationView>(`/automations/${encodeURIComponent(id)}`) : Promise.resolve(undefined),
        ]);
        lists = listAnswer.targetLists;
        view = fresh;
      } catch (e) {
        // An automation that could not be read cannot be edited (said, and asked again if that may pass); a new one
        // can be written while the lists are away.
        if (id || isBlocking(e)) throw e;
        ctx.status('');
        ctx.say(refusalText(e), 'danger');
      }
      if (ctx.disposed()) return;
      if (!view && !access.can.createCampaigns) {
        ctx.status('');
        ctx.say(t('LBL_LEADFWD_NO_CREATE_AUTOMATION'), 'info');
        return;
      }
      ctx.setTitle(view ? view.name : t('LBL_LEADFWD_NEW_AUTOMATION'));
      const kept = editable() ? keptDraft(id) : undefined;
      draft = kept ?? (view ? fromDefinition(view.definition, defaults) : { name: '', targetListIds: [], steps: [] });
      restored = !!kept;
      if (kept) ctx.say(t('LBL_LEADFWD_DRAFT_RESTORED'), 'info');
      ctx.status(view ? t('LBL_LEADFWD_UPDATED_AT', { time: timeNow() }) : '');
      paintSummary();
      paintActions();
      paintFigures();
      build();
      schedule();
    }, refusalText);
  },
};
