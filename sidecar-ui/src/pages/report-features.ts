// Issue 17 on a campaign's report: the A/B test it belongs to (each variant's people's opens and clicks side by side,
// the winner or why there is none yet, and choosing one by hand), and a follow-up to the people who did not open it
// ("resend to non-openers"), where the recipients whose only opens were Apple Mail Privacy Protection prefetches are
// a choice the person makes, with their number shown.
import { showAlert } from '../shared/alert.js';
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { formatPercent } from '../shared/format.js';
import { reportHref } from '../shared/routes.js';
import type { AbTestView, CampaignView, FollowUpAudience } from '../shared/service-types.js';
import { when } from '../shared/status-date.js';
import { userTimeZone } from '../shared/time.js';
import { type AreaContext, button, col, dataTable } from './area.js';

const section = (cid: string, key: string, title: string, hint?: string) =>
  h(
    'section',
    { class: `leadfwd-report-section leadfwd-report-${key}`, 'aria-labelledby': `${cid}-${key}-title`, hidden: true },
    h('h2', { class: 'leadfwd-section-title', id: `${cid}-${key}-title`, tabindex: '-1' }, title),
    hint ? h('p', { class: 'help-block' }, hint) : null,
    h('div', { class: 'leadfwd-section-body' }),
  );
const bodyOf = (s: HTMLElement) => {
  const b = s.querySelector<HTMLElement>('.leadfwd-section-body')!;
  replaceChildren(b);
  return b;
};

/** The A/B test section: shown on each of its campaigns' reports. */
export function abTestSection(ctx: AreaContext, cid: string) {
  const el = section(cid, 'ab-test', t('LBL_LEADFWD_AB_TITLE'));
  let choosing = false;

  async function paint(view: CampaignView) {
    el.hidden = !view.abPart;
    if (!view.abPart) return;
    let test: AbTestView;
    try {
      test = await ctx.client.get<AbTestView>(`/ab-tests/${encodeURIComponent(view.abPart.testId)}`);
    } catch (e) {
      ctx.say(e);
      return;
    }
    const b = bodyOf(el);
    const zone = userTimeZone();
    b.appendChild(
      h(
        'p',
        { class: 'leadfwd-ab-state' },
        test.winner !== undefined
          ? t('LBL_LEADFWD_AB_WINNER', {
              variant: test.variants[test.winner]?.label ?? '',
              who: test.decidedBy === 'auto' ? t('LBL_LEADFWD_AB_BY_RULE') : (test.decidedBy ?? ''),
            })
          : test.undecidedReason
            ? t('LBL_LEADFWD_AB_UNDECIDED', { reason: test.undecidedReason })
            : t('LBL_LEADFWD_AB_DECIDES_AT', {
                when: when(test.decideAt, zone),
                metric: t(test.metric === 'clicks' ? 'LBL_LEADFWD_AB_METRIC_CLICKS' : 'LBL_LEADFWD_AB_METRIC_OPENS'),
              }),
      ),
    );
    const mayChoose = test.winner === undefined && view.mayEdit !== false;
    const figures = [
      'LBL_LEADFWD_AB_COL_ACCEPTED',
      'LBL_LEADFWD_AB_COL_OPENERS',
      'LBL_LEADFWD_AB_COL_MPP',
      'LBL_LEADFWD_AB_COL_CLICKERS',
      'LBL_LEADFWD_AB_COL_RATE',
    ];
    b.appendChild(
      dataTable(
        'leadfwd-ab-table',
        t('LBL_LEADFWD_AB_TITLE'),
        [col('LBL_LEADFWD_AB_COL_VARIANT'), col('LBL_LEADFWD_AB_COL_SUBJECT'), ...figures.map((l) => col(l, true)), mayChoose ? h('td', {}) : null],
        test.variants.map((v) =>
          h(
            'tr',
            { 'data-variant': v.variant, class: test.winner === v.variant ? 'leadfwd-ab-winner' : null },
            h('th', { scope: 'row' }, h('a', { href: reportHref(v.campaignId) }, v.label)),
            h('td', {}, v.subject),
            h('td', { class: 'leadfwd-num' }, String(v.accepted)),
            h('td', { class: 'leadfwd-num' }, String(v.humanOpeners)),
            h('td', { class: 'leadfwd-num' }, String(v.mppOnly)),
            h('td', { class: 'leadfwd-num' }, String(v.humanClickers)),
            h('td', { class: 'leadfwd-num' }, formatPercent(v.rate)),
            mayChoose
              ? h(
                  'td',
                  {},
                  button(t('LBL_LEADFWD_AB_CHOOSE'), 'btn-small leadfwd-ab-choose', () => choose(view, test, v.variant), {
                    disabled: choosing,
                    ariaLabel: t('LBL_LEADFWD_AB_CHOOSE_NAMED', { variant: v.label }),
                  }),
                )
              : null,
          ),
        ),
      ),
    );
    b.appendChild(h('p', { class: 'help-block' }, t('LBL_LEADFWD_AB_PEOPLE_ONLY')));
    if (test.rest) b.appendChild(h('p', { class: 'leadfwd-ab-rest' }, h('a', { href: reportHref(test.rest.campaignId) }, test.rest.name)));
  }

  function choose(view: CampaignView, test: AbTestView, variant: number) {
    const label = test.variants[variant]?.label ?? '';
    showAlert('leadfwd-ab-confirm', 'confirmation', t('LBL_LEADFWD_AB_CONFIRM', { variant: label }), {
      onConfirm: () =>
        void (async () => {
          choosing = true;
          try {
            await ctx.client.post(`/ab-tests/${encodeURIComponent(test.id)}/winner`, { variant });
            ctx.clear();
            showAlert('leadfwd-ab-chosen', 'success', t('LBL_LEADFWD_AB_CHOSEN', { variant: label }), { autoClose: true });
          } catch (e) {
            ctx.say(e);
          } finally {
            choosing = false;
          }
          await paint(view);
          el.querySelector<HTMLElement>('h2')?.focus();
        })(),
    });
  }

  return { el, paint };
}

/** "Resend to non-openers": offered on a sent campaign's report to those who may change it. */
export function followUpSection(ctx: AreaContext, cid: string) {
  const el = section(cid, 'follow-up', t('LBL_LEADFWD_FU_TITLE'), t('LBL_LEADFWD_FU_HINT'));
  const ids = { subject: `${cid}-fu-subject`, days: `${cid}-fu-days`, counts: `${cid}-fu-counts` };
  const subject = h('input', { type: 'text', id: ids.subject, class: 'form-control leadfwd-fu-subject', maxlength: 998 });
  const days = h('input', { type: 'number', id: ids.days, class: 'form-control leadfwd-fu-days', min: 0, max: 90, value: '3' });
  const radio = (name: string, value: string, label: string, checked = false) =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: `${cid}-${name}`, value, class: `leadfwd-fu-${name}`, checked }), ` ${label}`);
  const counts = h('p', { id: ids.counts, class: 'leadfwd-fu-counts', 'aria-live': 'polite' });
  const mppSet = h('fieldset', { class: 'leadfwd-fu-mpp' }, h('legend', {}, t('LBL_LEADFWD_FU_MPP_LEGEND')));
  const criterionSet = h(
    'fieldset',
    { class: 'leadfwd-fu-criterion' },
    h('legend', {}, t('LBL_LEADFWD_FU_WHO')),
    radio('criterion', 'not_opened', t('LBL_LEADFWD_FU_NOT_OPENED'), true),
    radio('criterion', 'not_clicked', t('LBL_LEADFWD_FU_NOT_CLICKED')),
  );
  let busy = false;
  let shownFor: string | undefined;

  const picked = (name: string) => el.querySelector<HTMLInputElement>(`input[name="${cid}-${name}"]:checked`)?.value;

  async function paint(view: CampaignView) {
    el.hidden = view.status !== 'sent' || view.mayEdit === false || !!view.abPart;
    if (el.hidden || shownFor === view.id) return;
    shownFor = view.id;
    let a: FollowUpAudience;
    try {
      a = await ctx.client.get<FollowUpAudience>(`/campaigns/${encodeURIComponent(view.id)}/follow-up`);
    } catch (e) {
      ctx.say(e);
      return;
    }
    if (!subject.value) subject.value = t('LBL_LEADFWD_FU_DEFAULT_SUBJECT', { subject: view.subject });
    counts.textContent = t('LBL_LEADFWD_FU_COUNTS', { noOpen: a.noOpen, mpp: a.mppOnly, openers: a.humanOpeners, accepted: a.accepted });
    replaceChildren(
      mppSet,
      h('legend', {}, t('LBL_LEADFWD_FU_MPP_LEGEND', { n: a.mppOnly })),
      radio('mpp', 'exclude', t('LBL_LEADFWD_FU_MPP_EXCLUDE')),
      radio('mpp', 'include', t('LBL_LEADFWD_FU_MPP_INCLUDE')),
    );
    const b = bodyOf(el);
    b.append(
      counts,
      h('div', { class: 'form-group' }, h('label', { for: ids.subject }, t('LBL_LEADFWD_FU_SUBJECT')), subject),
      h('div', { class: 'form-group' }, h('label', { for: ids.days }, t('LBL_LEADFWD_FU_DAYS')), days),
      criterionSet,
      mppSet,
      h(
        'div',
        { class: 'leadfwd-buttons' },
        button(t('LBL_LEADFWD_FU_CREATE'), 'btn-primary leadfwd-fu-create', () => void create(view)),
      ),
    );
  }

  async function create(view: CampaignView) {
    if (busy) return;
    const criterion = picked('criterion') ?? 'not_opened';
    const mppOnly = picked('mpp');
    mppSet.querySelector('.leadfwd-fu-mpp-error')?.remove();
    if (criterion === 'not_opened' && !mppOnly) {
      ctx.say(t('LBL_LEADFWD_FU_CHOOSE_MPP'), 'warning');
      // Said at the question too: the page's message is far above it.
      mppSet.appendChild(h('p', { class: 'help-block error-message leadfwd-fu-mpp-error', role: 'alert' }, t('LBL_LEADFWD_FU_CHOOSE_MPP')));
      el.querySelector<HTMLInputElement>('.leadfwd-fu-mpp input')?.focus();
      return;
    }
    busy = true;
    try {
      const made = await ctx.client.post<CampaignView>(`/campaigns/${encodeURIComponent(view.id)}/follow-up`, {
        subject: subject.value,
        afterDays: Number(days.value || 0),
        criterion,
        ...(mppOnly ? { mppOnly } : {}),
      });
      ctx.clear();
      showAlert('leadfwd-fu-made', 'success', t('LBL_LEADFWD_FU_MADE', { name: made.name, when: when(made.sendAt, userTimeZone()) }), { autoClose: true });
      const b = el.querySelector<HTMLElement>('.leadfwd-section-body')!;
      b.appendChild(h('p', { class: 'leadfwd-fu-link' }, h('a', { href: reportHref(made.id) }, made.name)));
      // Planned: a second press would plan a second follow-up to the same people.
      el.querySelector<HTMLButtonElement>('.leadfwd-fu-create')!.disabled = true;
    } catch (e) {
      ctx.say(e);
    } finally {
      busy = false;
    }
  }

  return { el, paint };
}
