// The first version of the LeadFWD area's pages, so the dashlet's links lead somewhere useful today: the campaign
// list (#Home/layout/leadfwd-campaigns) and one campaign's report (…/leadfwd-campaign-report?campaign=<id>) with its
// figures and per-link clicks. Issue 13 part 2 replaces both with the full pages; the route helpers stay.

import { campaignCard } from '../dashlet/card.js';
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError } from '../shared/errors.js';
import { isHeld } from '../shared/format.js';
import { campaignFromRoute } from '../shared/routes.js';
import type { CampaignReport, CampaignView } from '../shared/service-types.js';
import { connect } from '../shared/settings.js';
import { addStyles } from '../shared/style.js';
import type { SidecarView } from '../sidecar.js';

interface PageState {
  campaignId?: string;
  title: string;
  body?: Node;
  error?: string;
  disposed: boolean;
}
const state = (view: SidecarView) => view._lfState as PageState;

function linksTable(r: CampaignReport): HTMLElement | null {
  const links = r.links ?? [];
  if (!links.length) return null;
  return h(
    'table',
    { class: 'table table-condensed leadfwd-links' },
    h('caption', { class: 'help-block' }, t('LBL_LEADFWD_PAGE_LINKS')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('LBL_LEADFWD_PAGE_LINK')),
        h('th', { scope: 'col' }, t('LBL_LEADFWD_PAGE_PEOPLE')),
        h('th', { scope: 'col' }, t('LBL_LEADFWD_PAGE_CLICKS')),
      ),
    ),
    h(
      'tbody',
      {},
      links.map((l) => h('tr', {}, h('td', {}, l.url), h('td', {}, String(l.people)), h('td', {}, String(l.clicks)))),
    ),
  );
}

async function load(view: SidecarView): Promise<void> {
  const st = state(view);
  const client = connect();
  try {
    if (st.campaignId) {
      const id = encodeURIComponent(st.campaignId);
      const [c, r] = await Promise.all([
        client.get<CampaignView>(`/campaigns/${id}`),
        client.get<CampaignReport>(`/campaigns/${id}/report`).catch(() => undefined),
      ]);
      st.title = c.name;
      st.body = h('div', {}, h('ul', { class: 'leadfwd-campaign-list' }, campaignCard(c, r, [])), r ? linksTable(r) : null);
    } else {
      const { campaigns } = await client.get<{ campaigns: CampaignView[] }>('/campaigns?limit=100');
      const shown = campaigns.filter((c) => !isHeld(c) && !c.automation);
      st.body = shown.length
        ? h(
            'ul',
            { class: 'leadfwd-campaign-list' },
            shown.map((c) => campaignCard(c, undefined, [])),
          )
        : h('p', { class: 'help-block' }, t('LBL_LEADFWD_NO_CAMPAIGNS'));
    }
  } catch (e) {
    st.error = describeError(e).text;
  }
  if (!st.disposed) paint(view);
}

function paint(view: SidecarView): void {
  const st = state(view);
  const title = view.el.querySelector('.leadfwd-title');
  const body = view.el.querySelector('.leadfwd-page-body');
  const message = view.el.querySelector<HTMLElement>('.leadfwd-message');
  if (!title || !body || !message) return;
  replaceChildren(title, st.title);
  message.className = 'alert alert-danger leadfwd-message';
  replaceChildren(message, st.error ?? '');
  message.hidden = !st.error;
  replaceChildren(body, st.body ?? h('p', { class: 'help-block' }, t('LBL_LEADFWD_LOADING')));
}

export const leadfwdPage = {
  initialize(view: SidecarView): void {
    addStyles();
    const campaignId = campaignFromRoute();
    view._lfState = { campaignId, title: t(campaignId ? 'LBL_LEADFWD_PAGE_REPORT' : 'LBL_LEADFWD_PAGE_CAMPAIGNS'), disposed: false } as PageState;
    void load(view);
  },
  _render(view: SidecarView): void {
    paint(view);
  },
  _dispose(view: SidecarView): void {
    if (state(view)) state(view).disposed = true;
  },
};
