// Added to Sugar's main script group (JSGroupings extension). It opens the send flow from:
// - the "Send via LeadFWD" record-view button (ProspectLists, and Campaigns where Campaigns is a Sidecar module);
// - the legacy (BWC) Campaign detail view, where it adds the same button inside the iframe and opens the
//   drawer in the parent app, without overriding the customer's own detailviewdefs.
import { getApp, t } from '../shared/app.js';
import { openSendFlow, type SendOrigin } from '../shared/drawer.js';
import type { SidecarApp, SidecarModel } from '../sidecar.js';

export const BUTTON_EVENT = 'button:leadfwd_send:click';
const WATCHED = 'leadfwdWatched';

function originOf(module: string | undefined, id: string | undefined): SendOrigin {
  if (!id) return {};
  if (module === 'Campaigns') return { sugarCampaignId: id };
  if (module === 'ProspectLists') return { prospectListId: id };
  return {};
}

function onRecordButton(model?: SidecarModel): void {
  const ctx = getApp().controller?.context;
  const m = model && typeof model.get === 'function' ? model : ctx?.get('model');
  const module = (m as { module?: string } | undefined)?.module ?? ctx?.get('module');
  openSendFlow(originOf(module, m?.get('id') ?? ctx?.get('modelId')));
}

function bindRecordButton(app: SidecarApp): void {
  const ctx = app.controller?.context;
  if (!ctx) return;
  ctx.off(BUTTON_EVENT, onRecordButton);
  ctx.on(BUTTON_EVENT, onRecordButton);
}

/** Adds the button to a legacy Campaign detail page shown in Sugar's BWC iframe (same origin). */
export function injectIntoFrame(frame: HTMLIFrameElement): void {
  let doc: Document | null;
  let search: string;
  try {
    doc = frame.contentDocument;
    search = frame.contentWindow?.location.search ?? '';
  } catch {
    return; // another origin: not a Sugar page
  }
  if (!doc?.body) return;
  const q = new URLSearchParams(search);
  const record = q.get('record');
  if (q.get('module') !== 'Campaigns' || q.get('action') !== 'DetailView' || !record) return;
  if (doc.querySelector('.leadfwd-bwc-send')) return;
  const button = doc.createElement('input');
  button.type = 'button';
  button.className = 'button leadfwd-bwc-send';
  button.value = t('LBL_LEADFWD_SEND');
  button.title = t('LBL_LEADFWD_SEND_TITLE');
  button.addEventListener('click', () => openSendFlow({ sugarCampaignId: record }));
  const bar = doc.createElement('div');
  bar.className = 'leadfwd-bwc-actions';
  bar.style.margin = '6px 0';
  bar.appendChild(button);
  const form = doc.querySelector('form[name="DetailView"], #formDetailView');
  if (form?.parentNode) form.parentNode.insertBefore(bar, form);
  else doc.body.insertBefore(bar, doc.body.firstChild);
}

function watchFrames(): void {
  document.querySelectorAll('iframe').forEach((frame) => {
    if (!frame.dataset[WATCHED]) {
      frame.dataset[WATCHED] = '1';
      frame.addEventListener('load', () => injectIntoFrame(frame));
    }
    injectIntoFrame(frame);
  });
}

let started = false;
export function start(): void {
  if (started) return;
  started = true;
  const app = getApp();
  // Deferred: the router announces a route before the controller has finished building its layout.
  const refresh = () =>
    window.setTimeout(() => {
      bindRecordButton(app);
      watchFrames();
    }, 0);
  app.events.on('app:view:change', refresh);
  app.router?.on('route', refresh);
  refresh();
}

export function install(): void {
  const app = (window as unknown as { SUGAR?: { App?: SidecarApp } }).SUGAR?.App;
  if (!app) return;
  app.events.on('app:init', start);
  if (app.controller?.context) start();
}
