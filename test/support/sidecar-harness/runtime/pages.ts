// The harness's stand-ins for Sugar pages: the Home dashboard, a Sidecar record view (ProspectLists, and
// Campaigns as on a Sugar where it is Sidecar), a legacy BWC Campaign page in an iframe, and Administration.
/// <reference path="./globals.d.ts" />
import type { Metadata } from './components.js';

type Page = { dispose(): void };
const el = (tag: string, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

export function createPages(app: any, meta: Metadata, root: HTMLElement, opts: { refreshSeconds: number }) {
  let current: Page | undefined;

  function dashlet(context: any, slot: HTMLElement): Page {
    const def = meta.views['leadfwd-campaigns']?.meta?.dashlets?.[0] ?? {};
    const section = el('section', { class: 'harness-dashlet', 'aria-labelledby': 'harness-dashlet-title' });
    section.appendChild(el('h2', { id: 'harness-dashlet-title' }, app.lang.get(def.label ?? 'LBL_LEADFWD_DASHLET_TITLE')));
    const view = app.view.createView({ type: 'leadfwd-campaigns', context, meta: def, dashletSettings: { refresh_seconds: String(opts.refreshSeconds) } });
    section.appendChild(view.el);
    slot.appendChild(section);
    view.render();
    return view;
  }

  async function recordName(module: string, id: string): Promise<string> {
    const r = await app.api.call('read', app.api.buildURL(module, null, { id }, { fields: 'id,name' }));
    return r?.name ?? id;
  }

  function home(): Page {
    const context = app.context.getContext({ module: 'Home' });
    app.controller.context = context;
    const main = el('div', { class: 'harness-dashboard' });
    root.appendChild(main);
    return dashlet(context, main);
  }

  /** A Sidecar record view: header buttons come from the record viewdefs after our extension ran. */
  function record(module: string, id: string): Page {
    const model = new Backbone.Model({ id });
    model.module = module;
    const context = app.context.getContext({ module, model, modelId: id });
    app.controller.context = context;
    const wrap = el('div', { class: 'harness-record' });
    const head = el('div', { class: 'harness-record-header' });
    const title = el('h1', {}, id);
    const bar = el('div', { class: 'harness-record-buttons', role: 'toolbar', 'aria-label': `${module} actions` });
    for (const b of meta.modules?.[module]?.recordButtons ?? []) {
      const label = b.label ? app.lang.get(b.label, module) : b.name;
      const button = el('button', { type: 'button', class: 'btn', name: b.name }, label) as HTMLButtonElement;
      // As Sugar's button field does: the click is an event on the view's context.
      if (b.type === 'button' && b.events?.click) button.addEventListener('click', () => context.trigger(b.events.click, model, button));
      else button.disabled = true;
      bar.appendChild(button);
    }
    head.append(title, bar);
    const side = el('aside', { class: 'harness-side' });
    wrap.append(head, side);
    root.appendChild(wrap);
    void recordName(module, id).then((n) => { title.textContent = n; model.set('name', n); });
    return dashlet(context, side);
  }

  function bwc(id: string): Page {
    const context = app.context.getContext({ module: 'Campaigns', layout: 'bwc' });
    app.controller.context = context;
    const frame = el('iframe', { class: 'harness-bwc', title: 'Campaign (legacy view)' }) as HTMLIFrameElement;
    root.appendChild(frame);
    void recordName('Campaigns', id).then((name) => {
      frame.src = `/harness/bwc/index.php?module=Campaigns&action=DetailView&record=${encodeURIComponent(id)}&name=${encodeURIComponent(name)}`;
    });
    return { dispose: () => frame.remove() };
  }

  function layout(module: string, name: string): Page {
    const context = app.context.getContext({ module });
    app.controller.context = context;
    const l = app.view.createLayout({ type: name, context });
    root.appendChild(l.el);
    l.render();
    return l;
  }

  function route(hash: string): string {
    current?.dispose();
    root.innerHTML = '';
    const parts = hash.replace(/^#/, '').split('/').filter(Boolean);
    let name = 'home';
    if (parts[0] === 'ProspectLists' && parts[1]) { current = record('ProspectLists', parts[1]); name = 'record'; }
    else if (parts[0] === 'Campaigns' && parts[1] && parts[2] === 'record') { current = record('Campaigns', parts[1]); name = 'record'; }
    else if (parts[0] === 'Campaigns' && parts[1]) { current = bwc(parts[1]); name = 'bwc'; }
    else if (parts[1] === 'layout' && parts[2]) { current = layout(parts[0], parts[2]); name = parts[2]; }
    else current = home();
    app.events.trigger('app:view:change', name, { module: parts[0] });
    app.router.trigger('route', name);
    return name;
  }

  return { route };
}
