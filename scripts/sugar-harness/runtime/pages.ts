// The harness's stand-ins for Sugar pages: the Home dashboard, a Sidecar record view (ProspectLists, and
// Campaigns as on a Sugar where it is Sidecar), legacy (BWC) pages in an iframe, Administration, and the generic
// route :module/layout/:layout. Two Sugar generations (sugar-platform.md §13):
// - "8": Administration is a BWC module. #Administration is the legacy admin page in an iframe, whose links run in
//   the iframe (parent = the app); a layout route of a BWC module is redirected by bwcRedirect to a legacy
//   DetailView URL that does not exist (so #Administration/layout/<x> breaks, #Home/layout/<x> works).
// - "12": Administration is Sidecar; its page renders the links' hrefs as they are, in the app's own window.
/// <reference path="./globals.d.ts" />
import type { Metadata } from './components.js';

export type SugarGeneration = '8' | '12';
/** Modules Sugar serves as legacy pages, by generation ($bwcModules). */
const BWC_MODULES: Record<SugarGeneration, string[]> = { 8: ['Administration', 'Campaigns'], 12: ['Campaigns'] };

type Page = { dispose(): void };
const el = (tag: string, attrs: Record<string, string> = {}, text?: string) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

export function createPages(app: any, meta: Metadata, root: HTMLElement, opts: { refreshSeconds: number; sugar: SugarGeneration }) {
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
    void recordName(module, id).then((n) => {
      title.textContent = n;
      model.set('name', n);
    });
    return dashlet(context, side);
  }

  /** A legacy page in Sugar's BWC iframe; `query` is what follows index.php? (known at once, or once a name is read). */
  function bwcFrame(module: string, title: string, query: string | Promise<string>): Page {
    const context = app.context.getContext({ module, layout: 'bwc' });
    app.controller.context = context;
    const frame = el('iframe', { class: 'harness-bwc', title }) as HTMLIFrameElement;
    root.appendChild(frame);
    void Promise.resolve(query).then((q) => {
      frame.src = `/harness/bwc/index.php?${q}`;
    });
    return { dispose: () => frame.remove() };
  }

  function bwc(id: string): Page {
    return bwcFrame(
      'Campaigns',
      'Campaign (legacy view)',
      recordName('Campaigns', id).then((name) => `module=Campaigns&action=DetailView&record=${encodeURIComponent(id)}&name=${encodeURIComponent(name)}`),
    );
  }

  /** Sugar 12's Sidecar Administration page: each link's href as the extension wrote it, in this window. */
  function adminPage(): Page {
    const context = app.context.getContext({ module: 'Administration' });
    app.controller.context = context;
    const main = el('div', { class: 'harness-admin' });
    main.appendChild(el('h1', {}, 'Administration'));
    for (const section of [...new Set(meta.admin.map((a) => a.section))]) {
      const links = meta.admin.filter((a) => a.section === section);
      main.appendChild(el('h2', {}, section));
      main.appendChild(el('p', {}, links[0].sectionDesc));
      const ul = el('ul');
      for (const a of links) {
        const li = el('li');
        li.append(el('a', { href: a.link, class: 'harness-admin-link' }, a.title), ` ${a.desc}`);
        ul.appendChild(li);
      }
      main.appendChild(ul);
    }
    root.appendChild(main);
    return { dispose: () => main.remove() };
  }

  function layout(module: string, name: string): Page {
    const context = app.context.getContext({ module });
    app.controller.context = context;
    const l = app.view.createLayout({ type: name, context });
    l.el.classList.add('harness-layout');
    root.appendChild(l.el);
    l.render();
    return l;
  }

  /** Sidecar's bwcRedirect: a route of a legacy module becomes the legacy URL Sugar would build for it. */
  function bwcRedirect(parts: string[]): string | undefined {
    if (!BWC_MODULES[opts.sugar].includes(parts[0]) || parts[0] === 'Campaigns') return undefined;
    if (!parts[1]) return `bwc/index.php?module=${parts[0]}&action=index`;
    return `bwc/index.php?module=${parts[0]}&action=DetailView&record=${parts[parts.length - 1]}`;
  }

  function route(hash: string): string {
    const fragment = hash.replace(/^#/, '');
    const redirect = bwcRedirect(fragment.split('/').filter(Boolean));
    if (redirect) {
      location.replace(`#${redirect}`);
      return 'bwc-redirect';
    }
    current?.dispose();
    root.innerHTML = '';
    // Backbone's router hands a route's query (after "?") to the route as its last argument; the path is matched alone.
    const parts = (fragment.startsWith('bwc') ? fragment : fragment.split('?')[0]).split('/').filter(Boolean);
    let name = 'home';
    if (parts[0] === 'bwc') {
      const query = fragment.split('?')[1] ?? '';
      current = bwcFrame(new URLSearchParams(query).get('module') ?? '', 'Legacy page', query);
      name = 'bwc';
    } else if (parts[0] === 'ProspectLists' && parts[1]) {
      current = record('ProspectLists', parts[1]);
      name = 'record';
    } else if (parts[0] === 'Campaigns' && parts[1] && parts[2] === 'record') {
      current = record('Campaigns', parts[1]);
      name = 'record';
    } else if (parts[0] === 'Campaigns' && parts[1]) {
      current = bwc(parts[1]);
      name = 'bwc';
    } else if (parts[0] === 'Administration' && !parts[1]) {
      current = adminPage();
      name = 'administration';
    } else if (parts[1] === 'layout' && parts[2]) {
      current = layout(parts[0], parts[2]);
      name = parts[2];
    } else current = home();
    // For tests: the page's layout or view, to render it again as Sidecar does on a context change.
    (window as unknown as { __harnessPage?: Page }).__harnessPage = current;
    app.events.trigger('app:view:change', name, { module: parts[0] });
    app.router.trigger('route', name);
    return name;
  }

  return { route };
}
