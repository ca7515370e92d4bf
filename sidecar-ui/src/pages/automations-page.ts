// The LeadFWD area's automations: each with its status, who is enrolled, what its emails did (people), and Pause,
// Resume or Stop; names open the builder, where its steps and per-step figures are. "New automation" opens an empty one.
import { automationTotals, fetchAutomations } from '../dashlet/automations.js';
import { getApp, t } from '../shared/app.js';
import { stepRows } from '../shared/automation-format.js';
import { h, replaceChildren } from '../shared/dom.js';
import { latestReads } from '../shared/reads.js';
import { automationHref } from '../shared/routes.js';
import type { AutomationView } from '../shared/service-types.js';
import { type AreaContext, type AreaPage, button, col, dataTable, isBlocking, timeNow } from './area.js';
import { type AutomationAction, actionButton, actionsFor, runAction, statusBadge } from './automation-controls.js';

export const automationsPage: AreaPage = {
  start(ctx: AreaContext) {
    const cid = ctx.view.cid;
    let automations: AutomationView[] = [];
    let mayChange = true;
    const list = h('section', { class: 'leadfwd-automation-table-area', 'aria-labelledby': `${cid}-automations-title` });

    const read = latestReads();
    async function load() {
      const latest = read();
      ctx.status(t('LBL_LEADFWD_LOADING_PAGE'));
      try {
        const fresh = await fetchAutomations(ctx.client, 100);
        if (ctx.disposed() || !latest()) return;
        automations = fresh;
        ctx.clear();
        ctx.status(t('LBL_LEADFWD_UPDATED_AT', { time: timeNow() }));
      } catch (e) {
        if (!latest()) return;
        ctx.status('');
        ctx.say(e);
        if (isBlocking(e)) automations = [];
      }
      paint();
    }

    function act(a: AutomationView, action: AutomationAction) {
      runAction(ctx.client, a, action, async (outcome) => {
        if ('error' in outcome) ctx.say(outcome.error);
        else ctx.clear();
        await load();
        list.querySelector<HTMLElement>(`tr[data-automation-id="${CSS.escape(a.id)}"] button, tr[data-automation-id="${CSS.escape(a.id)}"] a`)?.focus();
      });
    }

    function actions(a: AutomationView): HTMLElement | null {
      if (!mayChange) return null;
      return h(
        'div',
        { class: 'leadfwd-actions' },
        actionsFor(a.status).map((x) => actionButton(x, a.name, 'btn-small', () => act(a, x))),
      );
    }

    function paint() {
      if (!automations.length) {
        replaceChildren(
          list,
          h('h2', { class: 'leadfwd-section-title', id: `${cid}-automations-title` }, t('LBL_LEADFWD_AUTOMATIONS')),
          h('p', { class: 'help-block leadfwd-empty' }, t('LBL_LEADFWD_NO_AUTOMATIONS')),
        );
        return;
      }
      replaceChildren(
        list,
        h('h2', { class: 'leadfwd-section-title', id: `${cid}-automations-title` }, t('LBL_LEADFWD_AUTOMATIONS')),
        dataTable(
          'table-striped leadfwd-automation-table',
          t('LBL_LEADFWD_AUTOMATIONS'),
          [
            col('LBL_LEADFWD_COL_AUTOMATION'),
            col('LBL_LEADFWD_COL_STATUS'),
            col('LBL_LEADFWD_ENROLLED'),
            col('LBL_LEADFWD_COL_EMAILS', true),
            col('LBL_LEADFWD_STEPFIG_SENT_HEAD', true),
            col('LBL_LEADFWD_FIG_OPENED_HEAD', true),
            col('LBL_LEADFWD_FIG_CLICKED_HEAD', true),
            mayChange ? col('LBL_LEADFWD_COL_ACTIONS') : null,
          ],
          automations.map((a) => {
            const e = a.enrolments ?? { active: 0, done: 0, left: 0 };
            const sum = automationTotals(a);
            return h(
              'tr',
              { 'data-automation-id': a.id, 'data-status': a.status },
              h('th', { scope: 'row' }, h('a', { class: 'leadfwd-automation-name', href: automationHref(a.id) }, a.name)),
              h('td', {}, statusBadge(a.status)),
              h('td', { class: 'leadfwd-enrolments' }, t('LBL_LEADFWD_ENROLMENT_COUNTS', { active: e.active, done: e.done, left: e.left })),
              h('td', { class: 'leadfwd-num' }, String(stepRows(a.steps).filter((r) => r.kind === 'email').length)),
              h('td', { class: 'leadfwd-num leadfwd-fig-sent' }, String(sum.sent)),
              h('td', { class: 'leadfwd-num leadfwd-fig-opened' }, String(sum.opened)),
              h('td', { class: 'leadfwd-num leadfwd-fig-clicked' }, String(sum.clicked)),
              mayChange ? h('td', {}, actions(a)) : null,
            );
          }),
        ),
      );
    }

    ctx.withAccess((access) => {
      mayChange = access.can.editCampaigns !== false;
      if (access.can.createCampaigns)
        ctx.actions.appendChild(
          button(t('LBL_LEADFWD_NEW_AUTOMATION'), 'btn-primary leadfwd-new-automation', () =>
            getApp().router?.navigate(automationHref().slice(1), { trigger: true }),
          ),
        );
      else ctx.root.appendChild(h('p', { class: 'help-block leadfwd-role-note' }, t('LBL_LEADFWD_AUTOMATIONS_READ_ONLY')));
      ctx.actions.appendChild(button(t('LBL_LEADFWD_REFRESH'), 'leadfwd-refresh', () => void load()));
      ctx.root.appendChild(list);
      void load();
    });
  },
};
