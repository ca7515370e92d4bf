// Opens the send flow as a Sidecar drawer: the same entry for the dashlet, record-view buttons and BWC pages.
import { getApp, t } from './app.js';

export interface SendOrigin { sugarCampaignId?: string; prospectListId?: string }

export const CHANGED_EVENT = 'leadfwd:campaigns:changed';

export function openSendFlow(origin: SendOrigin = {}): void {
  const app = getApp();
  if (!app.drawer) {
    app.alert.show('leadfwd-no-drawer', { level: 'error', messages: t('LBL_LEADFWD_ERR_NO_DRAWER') });
    return;
  }
  app.drawer.open({
    layout: 'leadfwd-send',
    context: { module: 'Campaigns', leadfwdSugarCampaignId: origin.sugarCampaignId, leadfwdProspectListId: origin.prospectListId },
  }, () => app.events.trigger(CHANGED_EVENT));
}
