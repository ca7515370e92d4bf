// Opens the send flow as a Sidecar drawer: the same entry for the dashlet, record-view buttons and BWC pages.

import { showAlert } from './alert.js';
import { getApp, t } from './app.js';

export interface SendOrigin {
  sugarCampaignId?: string;
  prospectListId?: string;
}

export const CHANGED_EVENT = 'leadfwd:campaigns:changed';

export function openSendFlow(origin: SendOrigin = {}): void {
  const app = getApp();
  if (!app.drawer) {
    showAlert('leadfwd-no-drawer', 'error', t('LBL_LEADFWD_ERR_NO_DRAWER'));
    return;
  }
  app.drawer.open(
    {
      layout: 'leadfwd-send',
      // fetch: false: Sidecar would otherwise load a Campaigns collection for the drawer's context (and answer a user
      // without list rights on Campaigns with a 403 alert); the flow reads what it needs itself.
      context: { module: 'Campaigns', fetch: false, leadfwdSugarCampaignId: origin.sugarCampaignId, leadfwdProspectListId: origin.prospectListId },
    },
    () => app.events.trigger(CHANGED_EVENT),
  );
}
