// The frame every page of the LeadFWD area shares: the area's tabs (Campaigns, Automations), the page title, one
// message line and a status line, and the body the page fills. A page builds its DOM once and keeps it: Sidecar may
// render the view again (its template replaces the view's HTML), and then the same nodes are put back, so nothing a
// person typed or chose is lost. A problem is said once, in the message line, and replaced or cleared by the next.
import { type Access, loadAccess } from '../shared/access.js';
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError, isPassing } from '../shared/errors.js';
import { laterTries } from '../shared/reads.js';
import { type AreaLayout, AUTOMATION_LAYOUT, AUTOMATIONS_LAYOUT, CAMPAIGNS_LAYOUT, DELIVERABILITY_LAYOUT, REPORT_LAYOUT } from '../shared/routes.js';
import type { ServiceClient } from '../shared/service-client.js';
import { connect } from '../shared/settings.js';
import { clockTime } from '../shared/status-date.js';
import { table } from '../shared/table.js';
import { userTimeZone } from '../shared/time.js';
import type { SidecarView } from '../sidecar.js';

/** Failures after which nothing on the page can work (rights, pairing, session): the page says so and offers nothing. */
export const BLOCKING = ['forbidden', 'not_configured', 'not_paired', 'token_rejected', 'pairing_broken', 'clock', 'not_leadfwd', 'bad_request'];

export type MessageLevel = 'danger' | 'warning' | 'info' | 'success';

export interface AreaContext {
  view: SidecarView;
  client: ServiceClient;
  /** The page's own root: built once, put back into the view on every render. */
  root: HTMLElement;
  /** Buttons next to the title (New automation, Export, Refresh). */
  actions: HTMLElement;
  setTitle(text: string): void;
  /** The one message line: a failure (described and translated) or a text; replaces whatever it said before. */
  say(what: unknown, level?: MessageLevel): void;
  clear(): void;
  /** The short line that says what is happening (loading, saved at). */
  status(text: string): void;
  /** What LeadFWD lets this user do (GET me), read once per page. */
  access(): Promise<Access>;
  /**
   * Runs `then` once `access()` answered. A failure that may pass (the service or Sugar away for a moment), of the read
   * or of `then` (which must have changed nothing when it throws), is said (`sayOf` words it), with a Try again button
   * and a try by itself after 5, 10, 20… s (a minute at most), so a page opened during a restart fills in when the
   * service is back; any other (no rights, not paired, not found) is said and left.
   */
  withAccess(then: (access: Access) => void | Promise<void>, sayOf?: (e: unknown) => string): void;
  disposed(): boolean;
  onDispose(fn: () => void): void;
}

export interface AreaPage {
  start(ctx: AreaContext): void;
}

interface Shell {
  layout: AreaLayout;
  nav: HTMLElement;
  title: string;
  message?: { text: string; level: MessageLevel };
  status: string;
  root: HTMLElement;
  actions: HTMLElement;
  disposed: boolean;
  cleanups: Array<() => void>;
}

const shell = (view: SidecarView) => view._lfState as Shell;

/**
 * The area's navigation, one line per tab: its label and the layouts that belong to it (the first is where it goes).
 * A page of the area that is not listed here shows no tab as current.
 */
const NAV: ReadonlyArray<{ key: string; label: string; layouts: readonly string[]; adminOnly?: boolean }> = [
  { key: 'campaigns', label: 'LBL_LEADFWD_AREA_CAMPAIGNS', layouts: [CAMPAIGNS_LAYOUT, REPORT_LAYOUT] },
  { key: 'automations', label: 'LBL_LEADFWD_AREA_AUTOMATIONS', layouts: [AUTOMATIONS_LAYOUT, AUTOMATION_LAYOUT] },
  { key: 'deliverability', label: 'LBL_LEADFWD_DELIV_TAB', layouts: [DELIVERABILITY_LAYOUT], adminOnly: true },
];

/** The area's own tabs; the current one is marked as the page the person is on. Built once per page and kept, so a
 *  status line painted again never takes the focus away from a tab. */
export function areaTabs(current: string): HTMLElement {
  return h(
    'ul',
    { class: 'nav nav-tabs' },
    NAV.filter((tab) => !tab.adminOnly || getApp().user?.get('type') === 'admin').map(({ key, label, layouts }) => {
      const here = layouts.includes(current);
      return h(
        'li',
        { class: here ? 'active' : null, 'data-tab': key },
        h('a', { href: `#Home/layout/${layouts[0]}`, 'aria-current': here ? 'page' : null }, t(label)),
      );
    }),
  );
}

export function paintShell(view: SidecarView): void {
  const st = shell(view);
  if (!st) return;
  const q = (sel: string) => view.el.querySelector<HTMLElement>(sel);
  const nav = q('.leadfwd-area-nav');
  const title = q('.leadfwd-title');
  const message = q('.leadfwd-message');
  const status = q('.leadfwd-status');
  const actions = q('.leadfwd-page-actions');
  const body = q('.leadfwd-page-body');
  if (!nav || !title || !message || !status || !actions || !body) return;
  if (st.nav.parentNode !== nav) replaceChildren(nav, st.nav);
  replaceChildren(title, st.title);
  message.className = `alert alert-${st.message?.level ?? 'info'} leadfwd-message`;
  message.setAttribute('role', st.message?.level === 'danger' ? 'alert' : 'status');
  replaceChildren(message, st.message?.text ?? '');
  message.hidden = !st.message;
  replaceChildren(status, st.status);
  if (st.actions.parentNode !== actions) replaceChildren(actions, st.actions);
  if (st.root.parentNode !== body) replaceChildren(body, st.root);
}

/** Sets up the frame and starts `page`; the view's hooks call paintShell and disposeShell. */
export function startShell(view: SidecarView, layout: AreaLayout, title: string, page: AreaPage): void {
  const st: Shell = {
    layout,
    nav: areaTabs(layout),
    title,
    status: t('LBL_LEADFWD_LOADING_PAGE'),
    root: h('div', { class: 'leadfwd-page-root' }),
    actions: h('div', { class: 'leadfwd-buttons leadfwd-page-buttons' }),
    disposed: false,
    cleanups: [],
  };
  view._lfState = st;
  let access: Promise<Access> | undefined;
  const client = connect();
  const ctx: AreaContext = {
    view,
    client,
    root: st.root,
    actions: st.actions,
    setTitle(text) {
      st.title = text;
      paintShell(view);
    },
    say(what, level) {
      const text = typeof what === 'string' ? what : describeError(what).text;
      const next = text ? { text, level: level ?? (typeof what === 'string' ? 'info' : ('danger' as const)) } : undefined;
      // Said again as it stands (a try by itself that failed the same way): not repainted, so not announced again.
      if (next && st.message?.text === next.text && st.message.level === next.level) return;
      st.message = next;
      paintShell(view);
    },
    clear() {
      if (!st.message) return;
      st.message = undefined;
      paintShell(view);
    },
    status(text) {
      st.status = text;
      paintShell(view);
    },
    access() {
      access ??= loadAccess(client);
      // A failed read is asked again next time (a pairing made meanwhile, a session renewed).
      return access.catch((e: unknown) => {
        access = undefined;
        throw e;
      });
    },
    withAccess(then, sayOf) {
      const tries = laterTries(() => void attempt());
      let retry: HTMLButtonElement | undefined;
      let asking = false;
      const failed = (e: unknown) => {
        ctx.status('');
        ctx.say(sayOf ? sayOf(e) : e, 'danger');
        if (!isPassing(e)) return;
        retry ??= ctx.actions.appendChild(button(t('LBL_LEADFWD_TRY_AGAIN'), 'leadfwd-try-again', () => void attempt()));
        tries.later();
      };
      const attempt = async () => {
        tries.stop();
        // One read at a time: a press during one (or the timer's) must not start the page twice.
        if (asking) return;
        asking = true;
        ctx.status(t('LBL_LEADFWD_LOADING_PAGE'));
        try {
          const access = await ctx.access();
          if (st.disposed) return;
          const hadFocus = !!retry && document.activeElement === retry;
          if (retry) {
            retry.remove();
            retry = undefined;
            ctx.clear();
          }
          await then(access);
          // Try again pressed by keyboard: the focus goes to the page's first action, not to the document.
          if (hadFocus) ctx.actions.querySelector<HTMLElement>('button')?.focus();
        } catch (e) {
          if (!st.disposed) failed(e);
        } finally {
          asking = false;
        }
      };
      ctx.onDispose(tries.stop);
      void attempt();
    },
    disposed: () => st.disposed,
    onDispose(fn) {
      st.cleanups.push(fn);
    },
  };
  page.start(ctx);
}

export function disposeShell(view: SidecarView): void {
  const st = shell(view);
  if (!st || st.disposed) return;
  st.disposed = true;
  for (const fn of st.cleanups.splice(0)) fn();
}

/** True for a failure after which the page has nothing to offer (no access, not paired, session refused). */
export const isBlocking = (e: unknown) => BLOCKING.includes(describeError(e).kind);

/** The time of day now, in the user's Sugar time zone like every other time of the area ("Updated at …"). */
export const timeNow = () => clockTime(new Date(), userTimeZone());

/** A column of a dataTable: a label (numbers align right), or a ready heading cell (a "select all" box), or none. */
export type Column = { label: string; num?: boolean } | Node | null;
export const col = (label: string, num = false): Column => ({ label, num });

/** A Sugar table (classes table, table-condensed and `cls`) with its caption for screen readers, headings and rows. */
export function dataTable(cls: string, caption: string, columns: Column[], rows: Array<Node | null>): HTMLTableElement {
  return table(
    `table table-condensed ${cls}`,
    h('caption', { class: 'leadfwd-sr-only' }, caption),
    columns.map((c) => (c === null || c instanceof Node ? c : h('th', { scope: 'col', class: c.num ? 'leadfwd-num' : null }, t(c.label)))),
    rows,
  );
}

/** A Sugar button (class btn and `cls`) that runs `onclick`. */
export function button(label: string, cls: string, onclick: () => void, o: { disabled?: boolean; describedBy?: string; ariaLabel?: string } = {}) {
  return h(
    'button',
    { type: 'button', class: `btn ${cls}`, onclick, disabled: !!o.disabled, 'aria-describedby': o.describedBy ?? null, 'aria-label': o.ariaLabel ?? null },
    label,
  );
}
