// The LeadFWD area inside Sugar: one Sidecar view behind every layout of the area (#Home/layout/leadfwd-campaigns,
// leadfwd-campaign-report?campaign=<id>, leadfwd-automations, leadfwd-automation[?automation=<id>]), which reads from
// the route which page it is and shows it in the area's frame (tabs, title, one message line).
import { t } from '../shared/app.js';
import { type AreaLayout, AUTOMATION_LAYOUT, AUTOMATIONS_LAYOUT, CAMPAIGNS_LAYOUT, layoutFromRoute, REPORT_LAYOUT } from '../shared/routes.js';
import { addStyles } from '../shared/style.js';
import type { SidecarView } from '../sidecar.js';
import { type AreaPage, disposeShell, paintShell, startShell } from './area.js';
import { automationsPage } from './automations-page.js';
import { builderPage } from './builder-page.js';
import { campaignsPage } from './campaigns-page.js';
import { reportPage } from './report-page.js';

const PAGES: Record<AreaLayout, { page: AreaPage; title: string }> = {
  [CAMPAIGNS_LAYOUT]: { page: campaignsPage, title: 'LBL_LEADFWD_PAGE_CAMPAIGNS' },
  [REPORT_LAYOUT]: { page: reportPage, title: 'LBL_LEADFWD_PAGE_REPORT' },
  [AUTOMATIONS_LAYOUT]: { page: automationsPage, title: 'LBL_LEADFWD_PAGE_AUTOMATIONS' },
  [AUTOMATION_LAYOUT]: { page: builderPage, title: 'LBL_LEADFWD_PAGE_AUTOMATION' },
};

export const leadfwdPage = {
  initialize(view: SidecarView): void {
    addStyles();
    const layout = layoutFromRoute();
    startShell(view, layout, t(PAGES[layout].title), PAGES[layout].page);
  },
  _render(view: SidecarView): void {
    paintShell(view);
  },
  _dispose(view: SidecarView): void {
    disposeShell(view);
  },
};
