// Bundles the TypeScript UI into the files Sugar loads, under sugar-module/ (git-ignored there):
// - each view controller as ONE JS expression starting with `({` (sugar-platform.md §10): Sugar inlines it
//   into its components file, inserts a comment after the first `({`, or evals `[` + src + `][0]`;
// - the global script for the record-view and BWC buttons, added to sugar_grp7 by JSGroupings.
// ES2015 target, ASCII output, no source maps (Module Loader refuses .map files).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..');
export const MODULE_DIR = join(ROOT, 'sugar-module');

// A Sidecar view's controller lives at views/<name>/<name>.js; most need only the view hooks every page has.
const view = (entry, name, { extra = '', hooks = ['initialize', '_render', '_dispose'] } = {}) => ({
  entry: `sidecar-ui/src/entries/${entry}.ts`,
  out: `custom/clients/base/views/${name}/${name}.js`,
  extra,
  hooks,
});

/** Every generated file, relative to sugar-module/. */
export const CONTROLLERS = [
  view('campaigns-dashlet', 'leadfwd-campaigns', { extra: "plugins: ['Dashlet'],", hooks: ['initialize', 'initDashlet', '_render', 'loadData', '_dispose'] }),
  view('send-flow', 'leadfwd-send'),
  view('page', 'leadfwd-page'),
  view('deliverability', 'leadfwd-deliverability'),
  view('config-view', 'leadfwd-config'),
];
export const SCRIPTS = [{ entry: 'sidecar-ui/src/entries/buttons.ts', out: 'custom/include/javascript/leadfwd/leadfwd-buttons.js' }];
export const GENERATED = [...CONTROLLERS, ...SCRIPTS].map((c) => c.out);

const bundle = async (entry, globalName) => {
  const r = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    target: 'es2015',
    charset: 'ascii',
    legalComments: 'none',
    sourcemap: false,
    minify: false,
    platform: 'browser',
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
};

const method = (name) => {
  if (name === 'initialize') return "initialize: function (options) {\n    this._super('initialize', [options]);\n    this._lf.initialize(this, options);\n  }";
  if (name === '_render')
    return "_render: function () {\n    if (this._lf.beforeRender) this._lf.beforeRender(this);\n    this._super('_render');\n    this._lf._render(this);\n  }";
  if (name === '_dispose') return "_dispose: function () {\n    this._lf._dispose(this);\n    this._super('_dispose');\n  }";
  return `${name}: function () {\n    return this._lf.${name}.apply(this._lf, [this].concat(Array.prototype.slice.call(arguments)));\n  }`;
};

/** The controller text exactly as shipped: nothing before `({`, nothing after `})`. */
export function controllerSource(iife, spec) {
  return (
    [
      '({',
      `  // LeadFWD for Sugar: generated from ${spec.entry} by sidecar-ui/bundle.mjs; edit the TypeScript, not this file.`,
      spec.extra ? `  ${spec.extra}` : null,
      `  _lf: (function () {\n${iife.trim()}\n    return __lf.controller;\n  })(),`,
      spec.hooks
        .map(method)
        .map((m) => `  ${m}`)
        .join(',\n'),
      '})',
    ]
      .filter((l) => l !== null)
      .join('\n') + '\n'
  );
}

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path); // parallel test workers may build at once; readers never see half a file
}

/** Builds every generated file; `outDir` defaults to sugar-module/. Returns the paths written. */
export async function buildSidecarUi(opts = {}) {
  const outDir = opts.outDir ?? MODULE_DIR;
  const written = [];
  for (const spec of CONTROLLERS) {
    const text = controllerSource(await bundle(spec.entry, '__lf'), spec);
    writeAtomic(join(outDir, spec.out), text);
    written.push(spec.out);
  }
  for (const spec of SCRIPTS) {
    const text = `// LeadFWD for Sugar: generated from ${spec.entry} by sidecar-ui/bundle.mjs.\n${await bundle(spec.entry, undefined)}`;
    writeAtomic(join(outDir, spec.out), text);
    written.push(spec.out);
  }
  return written;
}
