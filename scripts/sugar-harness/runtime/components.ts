// Views, layouts, plugins and metadata as Sidecar's documented contract describes them (sugar-platform.md §10,
// §12): controllers arrive as text and are evaluated with eval("[" + src + "][0]"), classes are built from
// `extendsFrom` (else the base View), `_super` walks the prototype chain, plugins attach on initialize.
/// <reference path="./globals.d.ts" />

export interface ViewMeta {
  controller?: string | Record<string, unknown>;
  templates?: Record<string, string>;
  meta?: any;
}
export interface Metadata {
  views: Record<string, ViewMeta>;
  layouts: Record<string, { meta: any }>;
  labels: Record<string, string>;
  modules?: Record<string, any>;
  admin: Array<{ section: string; sectionDesc: string; key: string; title: string; desc: string; link: string }>;
}

type Plugin = { onAttach?: (this: any, component: any) => void; [k: string]: unknown };

export function createComponents() {
  const classes: Record<string, any> = {};
  const templates: Record<string, (ctx: unknown) => string> = {};
  const plugins: Record<string, Plugin> = {};

  /** Calls the parent class's version of `method`, one level further up on each nested call. */
  function _super(this: any, method: string, args?: unknown[]) {
    this.__superLevels = this.__superLevels || {};
    const current = this.__superLevels[method] ?? Object.getPrototypeOf(this);
    let owner = current;
    while (owner && !Object.hasOwn(owner, method)) owner = Object.getPrototypeOf(owner);
    let parent = owner ? Object.getPrototypeOf(owner) : null;
    while (parent && !Object.hasOwn(parent, method)) parent = Object.getPrototypeOf(parent);
    if (!parent) return undefined;
    this.__superLevels[method] = parent;
    try {
      return parent[method].apply(this, args ?? []);
    } finally {
      this.__superLevels[method] = current === Object.getPrototypeOf(this) ? undefined : current;
    }
  }

  const View = Backbone.View.extend({
    _super,
    initialize(options: any) {
      this.options = options;
      this.context = options.context;
      this.layout = options.layout;
      this.name = options.name;
      this.module = options.module ?? this.context?.get('module');
      this.meta = options.meta ?? {};
      this.model = options.model ?? this.context?.get('model');
      this.template = templates[this.name];
      for (const name of this.plugins ?? []) {
        const p = plugins[name];
        if (!p) throw new Error(`Unknown plugin ${name}`);
        p.onAttach?.call(this, this);
      }
    },
    _render() {
      if (this.template) this.$el.html(this.template(this));
    },
    render() {
      if (this.disposed) return this;
      this._render();
      return this;
    },
    _dispose() {
      this.context?.off(null, null, this);
      this.stopListening();
      this.undelegateEvents();
      this.$el.empty();
    },
    dispose() {
      if (this.disposed) return;
      this._dispose();
      this.disposed = true;
      this.remove();
    },
  });
  classes.BaseView = View;

  const className = (name: string, module?: string) =>
    `Base${module ?? ''}${name
      .split(/[-_]/)
      .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
      .join('')}View`;

  function declareComponent(name: string, module: string | undefined, controller: Record<string, unknown>) {
    const from = controller.extendsFrom as string | undefined;
    const base = from ? (classes[from] ?? classes[`Base${from}`]) : View;
    if (!base) throw new Error(`extendsFrom: no component ${from}`);
    const cls = base.extend(controller);
    classes[className(name, module)] = cls;
    return cls;
  }

  function createView(o: { type: string; context: any; layout?: any; meta?: any; module?: string; model?: any; [k: string]: unknown }) {
    const cls = classes[className(o.type, o.module)] ?? classes[className(o.type)];
    if (!cls) throw new Error(`No view ${o.type}`);
    const view = new cls({ ...o, name: o.type });
    view.trigger('init');
    return view;
  }

  const Layout = Backbone.View.extend({
    initialize(options: any) {
      this.context = options.context;
      this.components = (options.meta?.components ?? []).map((c: { view: string }) => createView({ type: c.view, context: this.context, layout: this }));
    },
    render() {
      for (const c of this.components) {
        this.el.appendChild(c.el);
        c.render();
      }
      return this;
    },
    dispose() {
      for (const c of this.components) c.dispose();
      this.remove();
    },
  });

  return {
    View,
    Layout,
    _super,
    declareComponent,
    createView,
    createLayout(o: { type: string; context: any }, layouts: Metadata['layouts']) {
      const meta = layouts[o.type]?.meta;
      if (!meta) throw new Error(`No layout ${o.type}`);
      return new Layout({ ...o, meta });
    },
    registerPlugin(name: string, def: Plugin) {
      plugins[name] = def;
    },
    /** Metadata as a server would send it: controller text is evaluated exactly as Sidecar does. */
    setMetadata(meta: Metadata) {
      for (const [name, v] of Object.entries(meta.views)) {
        for (const [tpl, src] of Object.entries(v.templates ?? {})) templates[tpl] = Handlebars.compile(src);
        if (v.controller === undefined) continue;
        const src = v.controller;
        // biome-ignore lint/security/noGlobalEval: Sidecar loads a controller file exactly this way (sugar-platform.md §10).
        const controller = typeof src === 'string' ? eval('[' + src + '][0]') : src;
        declareComponent(name, undefined, controller);
      }
    },
    classes,
    templates,
  };
}

/** The Dashlet plugin's contract: `this.settings` from the dashlet's config, then initDashlet(mode). */
export function dashletPlugin(): Plugin {
  return {
    onAttach(this: any) {
      this.once('init', () => {
        const defaults = this.meta?.config ?? {};
        this.settings = new Backbone.Model({ ...defaults, ...(this.options.dashletSettings ?? {}) });
        this.initDashlet(this.options.dashletMode ?? 'main');
      });
    },
  };
}
