// The "LeadFWD Campaigns" dashlet: a compact summary — recent campaigns with status, send date, live progress and key
// figures, a small chart of the latest one's opens and clicks, and one line per automation — refreshed on a timer
// while it is on screen. Names open the full pages; the send flow opens from its toolbar. A problem is said once,
// in the dashlet's alert line, and cleared on the next good refresh.
import { type Access, loadAccess } from '../shared/access.js';
import { showAlert } from '../shared/alert.js';
import { getApp, t } from '../shared/app.js';
import { type DrawnChart, hourly, timeChart } from '../shared/chart.js';
import { h, replaceChildren } from '../shared/dom.js';
import { CHANGED_EVENT, openSendFlow, type SendOrigin } from '../shared/drawer.js';
import { describeError } from '../shared/errors.js';
import { addSample, isActive, isHeld, type RateSample, sentCount } from '../shared/format.js';
import { type ServiceClient, ServiceError } from '../shared/service-client.js';
import type { AutomationView, CampaignReport, CampaignView } from '../shared/service-types.js';
import { connect } from '../shared/settings.js';
import { chartTime, clockTime } from '../shared/status-date.js';
import { addStyles } from '../shared/style.js';
import { userTimeZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';
import { type AutomationAction, automationCard, fetchAutomations } from './automations.js';
import { type CampaignAction, campaignCard } from './card.js';

interface DashletState {
  mode: string;
  client?: ServiceClient;
  /** What LeadFWD lets this user do (GET me), read once and again after an error. */
  access?: Access;
  campaigns: CampaignView[];
  reports: Record<string, CampaignReport>;
  samples: Record<string, RateSample[]>;
  automations: AutomationView[];
  /** Shown in the Automations section only, so the campaigns stay readable when just this part fails. */
  automationsError?: string;
  loaded: boolean;
  /** A refresh has succeeded at least once since the last blocking failure. */
  hasData: boolean;
  updatedAt?: Date;
  error?: { text: string; blocking: boolean };
  charts: DrawnChart[];
  timer?: number;
  inFlight?: Promise<void>;
  /** Commands (their paths) posted and not yet answered. */
  commands: Set<string>;
  disposed: boolean;
  onChanged: () => void;
}

/** Failures that mean LeadFWD cannot be used here at all (rights, pairing, session): no stale list, no actions. */
const BLOCKING = ['forbidden', 'not_configured', 'not_paired', 'token_rejected', 'pairing_broken', 'clock', 'not_leadfwd', 'bad_request'];

const state = (view: SidecarView) => view._lfState as DashletState;
const setting = (view: SidecarView, key: string, fallback: number) => {
  const v = Number(view.settings?.get(key));
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
// The dashlet's config offers 3–20; a hand-edited setting is kept to what the service's list answers (1–500).
const shownLimit = (view: SidecarView) => Math.min(500, Math.max(1, Math.floor(setting(view, 'limit', 5))));

/** Where the dashlet sits decides which campaigns it shows and what the send flow starts from. */
function origin(view: SidecarView): SendOrigin & { module?: string; id?: string } {
  const module = view.context?.get('module') as string | undefined;
  const model = view.context?.get('model');
  const id = (model && typeof model.get === 'function' ? model.get('id') : undefined) ?? view.context?.get('modelId');
  if (module === 'Campaigns' && id) return { module, id, sugarCampaignId: id };
  if (module === 'ProspectLists' && id) return { module, id, prospectListId: id };
  return { module };
}

/** Campaigns a person sent: not the send flow's held reviews, not the step campaigns of automations. */
function visibleCampaigns(view: SidecarView, all: CampaignView[]): CampaignView[] {
  const o = origin(view);
  return all
    .filter((c) => !isHeld(c) && !c.automation)
    .filter((c) => (o.sugarCampaignId ? c.sugarCampaignId === o.sugarCampaignId : o.prospectListId ? c.targetListIds.includes(o.prospectListId) : true))
    .slice(0, shownLimit(view));
}

/** Automations are not tied to one Sugar Campaign; on a target list they are the ones enrolling from it. */
function visibleAutomations(view: SidecarView, all: AutomationView[]): AutomationView[] | undefined {
  const o = origin(view);
  if (o.sugarCampaignId) return undefined;
  return o.prospectListId ? all.filter((a) => (a.targetListIds ?? []).includes(o.prospectListId!)) : all;
}

/** Opens and clicks of people by hour, for the newest campaign that has any. */
function latestChart(shown: CampaignView[], reports: DashletState['reports']): { id: string; chart: ReturnType<typeof timeChart> } | undefined {
  for (const c of shown) {
    const tl = reports[c.id]?.timeline ?? [];
    if (!tl.some((x) => x.opens + x.clicks > 0)) continue;
    const { times, values } = hourly(tl, ['opens', 'clicks']);
    const chart = timeChart({
      title: t('LBL_LEADFWD_CHART_HOURLY', { name: c.name }),
      times,
      series: [
        { label: t('LBL_LEADFWD_CHART_OPENS'), values: values.opens, tone: 'primary' },
        { label: t('LBL_LEADFWD_CHART_CLICKS'), values: values.clicks, tone: 'success' },
      ],
      timeLabel: t('LBL_LEADFWD_CHART_HOUR'),
      formatTime: chartTime(userTimeZone()),
      height: 110,
    });
    return { id: c.id, chart };
  }
  return undefined;
}

function paintMessage(view: SidecarView, st: DashletState): void {
  const el = view.el.querySelector<HTMLElement>('.leadfwd-message');
  if (!el) return;
  const cannotCreate = !st.error && st.access !== undefined && !st.access.can.createCampaigns;
  const text = st.error?.text ?? (cannotCreate ? t('LBL_LEADFWD_NO_CREATE') : '');
  el.className = `alert ${st.error ? 'alert-danger' : 'alert-info'} leadfwd-message`;
  el.setAttribute('role', st.error ? 'alert' : 'status');
  replaceChildren(el, text);
  el.hidden = !text;
}

function paintToolbar(view: SidecarView, st: DashletState): void {
  const button = view.el.querySelector<HTMLButtonElement>('.leadfwd-new');
  if (!button) return;
  // A view-only role never gets the button; while LeadFWD cannot be used here at all, it is there but disabled.
  button.hidden = st.access !== undefined && !st.access.can.createCampaigns;
  button.disabled = !!st.error?.blocking;
}

function paintAutomations(view: SidecarView, st: DashletState): void {
  const section = view.el.querySelector<HTMLElement>('.leadfwd-automations');
  const list = view.el.querySelector('.leadfwd-automation-list');
  const message = view.el.querySelector<HTMLElement>('.leadfwd-automations-message');
  if (!section || !list || !message) return;
  const shown = st.mode === 'preview' || !st.hasData ? undefined : visibleAutomations(view, st.automations);
  section.hidden = !shown || (!shown.length && !st.automationsError);
  replaceChildren(message, st.automationsError ?? '');
  message.hidden = !st.automationsError;
  if (!shown) return;
  const onAction = st.access?.can.editCampaigns === false ? undefined : (a: AutomationView, x: AutomationAction) => void actOnAutomation(view, a, x);
  replaceChildren(
    list,
    shown.map((a) => automationCard(a, onAction)),
  );
}

function paint(view: SidecarView): void {
  const st = state(view);
  const list = view.el.querySelector('.leadfwd-campaign-list');
  const section = view.el.querySelector<HTMLElement>('.leadfwd-campaigns-section');
  const status = view.el.querySelector('.leadfwd-status');
  if (!list || !section || !status || st.disposed) return;
  for (const c of st.charts) c.destroy();
  st.charts = [];
  paintMessage(view, st);
  paintToolbar(view, st);
  paintAutomations(view, st);
  if (st.mode === 'preview') {
    replaceChildren(list, h('li', { class: 'leadfwd-line' }, t('LBL_LEADFWD_DASHLET_DESC')));
    return;
  }
  if (!st.loaded) {
    replaceChildren(status, t('LBL_LEADFWD_LOADING'));
    return;
  }
  replaceChildren(status, st.updatedAt && st.hasData ? t('LBL_LEADFWD_UPDATED_AT', { time: clockTime(st.updatedAt, userTimeZone()) }) : '');
  // Nothing to show while LeadFWD cannot be used here: the alert line says why, once.
  section.hidden = !st.hasData;
  if (!st.hasData) {
    replaceChildren(list);
    return;
  }
  const shown = visibleCampaigns(view, st.campaigns);
  if (!shown.length) {
    replaceChildren(list, h('li', { class: 'leadfwd-line help-block leadfwd-empty' }, t('LBL_LEADFWD_NO_CAMPAIGNS')));
    return;
  }
  // Pause, Resume and Cancel only for a role that may change Campaigns at all (Sugar still decides per record).
  const onAction = st.access?.can.editCampaigns === false ? undefined : (cc: CampaignView, a: CampaignAction) => void act(view, cc, a);
  const chart = latestChart(shown, st.reports);
  replaceChildren(
    list,
    shown.map((c) => campaignCard(c, st.reports[c.id], st.samples[c.id] ?? [], onAction, chart?.id === c.id ? chart.chart.el : null)),
  );
  if (chart) {
    chart.chart.draw();
    st.charts.push(chart.chart);
  }
}

async function fetchAll(view: SidecarView, st: DashletState): Promise<void> {
  if (!st.client) st.client = connect();
  const client = st.client;
  if (!st.access) st.access = await loadAccess(client);
  const automations = fetchAutomations(client, shownLimit(view)).then(
    (list) => ({ list, error: undefined as string | undefined }),
    (e: unknown) => ({ list: [] as AutomationView[], error: t('LBL_LEADFWD_AUTOMATIONS_FAILED', { reason: describeError(e).text }) }),
  );
  // Campaigns people sent: the send flow's reviews, automations' step campaigns and those of another Campaign or list are
  // left to the service to filter, so it builds only the views shown (50 for 5 shown before, a count of each campaign's
  // rows per view). visibleCampaigns filters again, for a service from before those filters.
  const o = origin(view);
  const only = o.sugarCampaignId
    ? `&sugarCampaignId=${encodeURIComponent(o.sugarCampaignId)}`
    : o.prospectListId
      ? `&targetListId=${encodeURIComponent(o.prospectListId)}`
      : '';
  const { campaigns } = await client.get<{ campaigns: CampaignView[] }>(`/campaigns?limit=${shownLimit(view)}&held=false&automation=none${only}`);
  const shown = visibleCampaigns(view, campaigns);
  const withResults = shown.filter((c) => !['draft', 'extracting', 'pending'].includes(c.status));
  const reports = await Promise.all(withResults.map((c) => client.get<CampaignReport>(`/campaigns/${encodeURIComponent(c.id)}/report`).catch(() => undefined)));
  const now = Date.now();
  st.campaigns = campaigns;
  st.reports = {};
  withResults.forEach((c, i) => {
    if (reports[i]) st.reports[c.id] = reports[i]!;
  });
  for (const c of shown) st.samples[c.id] = addSample(st.samples[c.id] ?? [], { at: now, sent: sentCount(c.progress) });
  const a = await automations;
  st.automations = a.list;
  st.automationsError = a.error;
}

function load(view: SidecarView): Promise<void> {
  const st = state(view);
  if (st.disposed || st.mode === 'preview') return Promise.resolve();
  if (st.inFlight) return st.inFlight;
  if (st.timer !== undefined) {
    window.clearTimeout(st.timer);
    st.timer = undefined;
  }
  st.inFlight = fetchAll(view, st)
    .then(
      () => {
        st.loaded = true;
        st.hasData = true;
        st.updatedAt = new Date();
        st.error = undefined;
      },
      (e: unknown) => {
        st.loaded = true;
        const msg = describeError(e);
        const blocking = BLOCKING.includes(msg.kind);
        // A passing failure leaves the last figures on screen (the status line says when they were read).
        st.error = { text: blocking || !st.hasData ? msg.text : t('LBL_LEADFWD_REFRESH_FAILED', { reason: msg.text }), blocking };
        if (blocking) st.hasData = false;
        // The next load asks again what the user may do, in case an admin has just paired Sugar or changed a role.
        if (!(e instanceof ServiceError) || !['unavailable', 'conflict', 'not_found', 'invalid'].includes(e.kind)) st.access = undefined;
      },
    )
    .then(() => {
      st.inFlight = undefined;
      if (st.disposed) return;
      paint(view);
      const secs = setting(view, 'refresh_seconds', 10);
      const busy = st.campaigns.some((c) => isActive(c.status) && !isHeld(c)) || st.automations.some((x) => x.status === 'active' && x.enrolments?.active > 0);
      if (secs > 0) st.timer = window.setTimeout(() => void load(view), (busy ? secs : Math.min(secs * 6, 300)) * 1000);
    });
  return st.inFlight;
}

/** Posts a command, says how it went and reloads; a command that ends something (`confirmFirst`) is confirmed first. */
async function command(view: SidecarView, path: string, done: string, confirmFirst?: { id: string; text: string }): Promise<void> {
  const run = async () => {
    const st = state(view);
    // A double click sends one command: the second would be refused ("moved on meanwhile") after the first worked.
    if (st.commands.has(path)) return;
    st.commands.add(path);
    let readAgain = true;
    try {
      if (!st.client) st.client = connect();
      await st.client.post(path);
      showAlert('leadfwd-action', 'success', done, { autoClose: true });
    } catch (e) {
      showAlert('leadfwd-action', 'error', describeError(e).text);
      // The service away: the read would fail the same way and say it a second time, in the dashlet. A command that
      // timed out may have worked: that one is read again.
      readAgain = !['unreachable', 'unavailable'].includes(describeError(e).kind);
    }
    try {
      // A read begun before the command would show what it changed as it was: a fresh one, after it. The command stays
      // under way until then, so a second click on the button that read repaints is not a second command.
      if (readAgain) {
        await st.inFlight;
        await load(view);
      }
    } finally {
      st.commands.delete(path);
    }
  };
  if (!confirmFirst) return run();
  showAlert(confirmFirst.id, 'confirmation', confirmFirst.text, { onConfirm: () => void run() });
}

function act(view: SidecarView, c: CampaignView, action: CampaignAction): Promise<void> {
  const name = { name: c.name };
  const confirmFirst = action === 'cancel' ? { id: 'leadfwd-confirm-cancel', text: t('LBL_LEADFWD_CONFIRM_CANCEL', name) } : undefined;
  return command(view, `/campaigns/${encodeURIComponent(c.id)}/${action}`, t(`LBL_LEADFWD_DONE_${action.toUpperCase()}`, name), confirmFirst);
}

function actOnAutomation(view: SidecarView, a: AutomationView, action: AutomationAction): Promise<void> {
  const name = { name: a.name };
  const confirmFirst = action === 'stop' ? { id: 'leadfwd-confirm-stop', text: t('LBL_LEADFWD_AUTOMATION_CONFIRM_STOP', name) } : undefined;
  return command(view, `/automations/${encodeURIComponent(a.id)}/${action}`, t(`LBL_LEADFWD_AUTOMATION_DONE_${action.toUpperCase()}`, name), confirmFirst);
}

export const campaignsDashlet = {
  initialize(view: SidecarView): void {
    addStyles();
    const st: DashletState = {
      mode: 'main',
      campaigns: [],
      reports: {},
      samples: {},
      automations: [],
      loaded: false,
      hasData: false,
      charts: [],
      disposed: false,
      commands: new Set(),
      onChanged: () => void load(view),
    };
    view._lfState = st;
    getApp().events.on(CHANGED_EVENT, st.onChanged);
  },
  initDashlet(view: SidecarView, mode?: string): void {
    const st = state(view);
    st.mode = mode || 'main';
    if (st.mode === 'main') void load(view);
  },
  _render(view: SidecarView): void {
    const st = state(view);
    view.el.querySelector('.leadfwd-new')?.addEventListener('click', () => openSendFlow(origin(view)));
    view.el.querySelector('.leadfwd-refresh')?.addEventListener('click', () => void load(view));
    if (st.mode === 'main' && !st.loaded && !st.inFlight) void load(view);
    paint(view);
  },
  loadData(view: SidecarView, options?: { complete?: () => void }): void {
    void load(view).then(() => options?.complete?.());
  },
  _dispose(view: SidecarView): void {
    const st = state(view);
    if (!st) return;
    st.disposed = true;
    for (const c of st.charts) c.destroy();
    if (st.timer !== undefined) window.clearTimeout(st.timer);
    getApp().events.off(CHANGED_EVENT, st.onChanged);
  },
};
