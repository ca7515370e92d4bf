// The harness page's SUGAR.App: built from the open-source backbone, underscore, jquery and handlebars, with
// the contract our components use. Boot: log in to the Sugar simulator, load metadata, app:init, route.
/// <reference path="./globals.d.ts" />
import { createApi } from './api.js';
import { createComponents, dashletPlugin, type Metadata } from './components.js';
import { createPages, type SugarGeneration } from './pages.js';
import { createAlert, createDrawer } from './ui.js';

const cfg = (window as any).HARNESS_CONFIG as { serverUrl: string; refreshSeconds: number };
/** Which Sugar the page plays: ?sugar=8 (Administration is a legacy page) or 12 (the default). */
const sugar: SugarGeneration = new URLSearchParams(location.search).get('sugar') === '8' ? '8' : '12';
const events = { ..._.clone(Backbone.Events) };
const components = createComponents();
const strings: Record<string, string> = {};

const app: any = {
  config: { platform: 'base', serverUrl: cfg.serverUrl },
  events,
  api: createApi(cfg.serverUrl, events),
  lang: { get: (key: string) => (key in strings ? strings[key] : key) },
  alert: createAlert(document.getElementById('alerts')!),
  user: new Backbone.Model(),
  controller: { context: undefined },
  context: { getContext: (attrs: Record<string, unknown>) => new Backbone.Model(attrs) },
  // Sidecar's router: navigate(fragment, {trigger: true}) shows the route (a hash change here).
  router: {
    ..._.clone(Backbone.Events),
    navigate: (fragment: string) => {
      location.hash = fragment;
    },
  },
  plugins: { register: (name: string, _types: unknown, def: any) => components.registerPlugin(name, def) },
};
let metadata: Metadata;
app.drawer = createDrawer(document.getElementById('drawers')!, (def) => {
  const context = app.context.getContext({ ...(def.context ?? {}) });
  // Sidecar's context loads a collection of its module for the layout unless told fetch: false (context.js
  // shouldFetch); a user without list rights on that module then sees Sugar's 403 alert.
  if (context.get('module') && context.get('fetch') !== false) {
    app.api.call('read', app.api.buildURL(context.get('module'), null, null, { max_num: 20 }), null, {
      error: (e: { message: string }) => app.alert.show('server-error', { level: 'error', title: 'Error', messages: e.message }),
    });
  }
  return app.view.createLayout({ type: def.layout, context }, metadata.layouts);
});
app.view = { ...components, createLayout: (o: { type: string; context: any }) => components.createLayout(o, metadata.layouts) };
(window as any).SUGAR = { App: app };
Handlebars.registerHelper('str', (key: string, module?: unknown) => app.lang.get(key, typeof module === 'string' ? module : undefined));

/** Links to the pages a person wants to try: the dashboard, lists, campaigns (legacy and Sidecar), settings. */
async function buildNav(): Promise<void> {
  const nav = document.getElementById('nav')!;
  const link = (href: string, text: string) => {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    nav.append(a, ' ');
  };
  link('#Home', 'Home dashboard');
  const lists = await app.api.call('read', app.api.buildURL('ProspectLists', null, null, { fields: 'id,name,list_type', max_num: 20 }));
  for (const l of (lists?.records ?? []).filter((x: any) => x.list_type === 'default').slice(0, 2)) link(`#ProspectLists/${l.id}`, `List: ${l.name}`);
  const campaigns = await app.api.call('read', app.api.buildURL('Campaigns', null, null, { fields: 'id,name', max_num: 5, order_by: 'name' }));
  for (const c of (campaigns?.records ?? []).slice(0, 2)) {
    link(`#Campaigns/${c.id}`, `Campaign (legacy): ${c.name}`);
    link(`#Campaigns/${c.id}/record`, `Campaign (Sidecar): ${c.name}`);
  }
  link('#Administration', 'Administration');
  // Sugar's navigation bar opens a module's menu from its tab; here the Campaigns menu is a disclosure of its own,
  // holding the entries the package adds (those the user's role allows, as Sidecar filters them by acl_action).
  const items = (metadata.modules?.Campaigns?.menu ?? []).filter((m: { acl_module?: string; acl_action?: string }) => {
    const acl = app.user.get('acl')?.[m.acl_module ?? 'Campaigns'] ?? {};
    return acl.access !== 'no' && acl[m.acl_action ?? 'view'] !== 'no';
  });
  if (items.length) {
    const menu = document.createElement('details');
    menu.className = 'harness-module-menu';
    const summary = document.createElement('summary');
    summary.textContent = 'Campaigns';
    const ul = document.createElement('ul');
    ul.setAttribute('aria-label', 'Campaigns menu');
    for (const m of items) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = m.route;
      a.className = 'harness-module-menu-item';
      a.textContent = app.lang.get(m.label, 'Campaigns');
      a.addEventListener('click', () => menu.removeAttribute('open'));
      li.appendChild(a);
      ul.appendChild(li);
    }
    menu.append(summary, ul);
    nav.append(menu);
  }
}

async function start(): Promise<void> {
  const me = await app.api.call('read', app.api.buildURL('me'));
  app.user.set(me.current_user);
  // Sidecar's user model reads the profile's preferences (time zone, date format) with getPreference.
  app.user.getPreference = (key: string) => app.user.get('preferences')?.[key];
  metadata = await (await fetch('/harness/metadata.json')).json();
  Object.assign(strings, metadata.labels);
  app.plugins.register('Dashlet', ['view'], dashletPlugin());
  components.setMetadata(metadata);
  app.events.trigger('app:init');
  document.getElementById('who')!.textContent = `Sugar ${sugar} · ${app.user.get('full_name')} (${app.user.get('user_name')})`;
  await buildNav();
  document.body.classList.add('harness-ready');
  const pages = createPages(app, metadata, document.getElementById('main')!, { refreshSeconds: cfg.refreshSeconds, sugar });
  window.addEventListener('hashchange', () => pages.route(location.hash));
  pages.route(location.hash);
}

const form = document.getElementById('login') as HTMLFormElement;
form.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(form);
  const out = document.getElementById('login-error')!;
  out.textContent = '';
  app.api
    .login(String(data.get('username')), String(data.get('password')))
    .then(() => {
      form.hidden = true;
      return start();
    })
    .catch((err: Error) => {
      out.textContent = err.message;
    });
});
