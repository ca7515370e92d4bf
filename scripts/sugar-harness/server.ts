// The harness page's server, standing in for a Sugar instance's web tier: it serves the page, the
// open-source libraries and the package's files, proxies /rest/* to the Sugar simulator, and answers the
// package's own endpoints (/rest/<v>/leadfwd/…: config, pair, test and the relay api/…) by running the package's
// real *Api.php files under php-cli, whose cURL calls reach the LeadFWD service as they would from Sugar.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildSidecarUi, MODULE_DIR, ROOT } from '../../sidecar-ui/bundle.mjs';
import { buildMetadata, type HarnessMetadata } from './metadata.js';
import { runSugarRest } from './php-bridge.js';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(ROOT, 'node_modules');
const VENDOR: Record<string, string> = {
  'jquery.js': join(modules, 'jquery', 'dist', 'jquery.js'),
  'underscore.js': join(modules, 'underscore', 'underscore-umd.js'),
  'backbone.js': join(modules, 'backbone', 'backbone.js'),
  'handlebars.js': join(modules, 'handlebars', 'dist', 'handlebars.js'),
};
const REST_VERSION = 'v11_1';
/**
 * The Content-Security-Policy Sugar 12+ sends on its pages (include/utils.php insert_csp_header, defaults), without
 * Sugar's own domains: scripts may be inline and eval'd (Sidecar needs both), but connect-src is 'self' only, so a
 * page can call Sugar and nothing else. Frames fall back to default-src: the sandboxed srcdoc preview is allowed.
 */
export const SUGAR_CSP =
  "default-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; img-src data: http: https: blob:; object-src 'self'; frame-ancestors 'self'";

export interface HarnessOptions {
  port?: number;
  host?: string;
  refreshSeconds?: number;
}

export interface Harness {
  url: string;
  /** Where the page and Sugar's REST API are served from ('self' in the page's Content-Security-Policy). */
  origin: string;
  /** `settings`: the Sugar-side store of LeadFWD's settings (the simulator's), which the real PHP endpoint then writes. */
  configure(o: { sugarUrl: string; serviceUrl?: string; settings?: Record<string, string>; sugarConfig?: Record<string, unknown> }): void;
  /** The LeadFWD settings as Sugar would store them (category leadfwd). */
  readonly settings: Record<string, string>;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: string | Buffer, type: string) =>
  void res
    .writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...(type.startsWith('text/html') ? { 'Content-Security-Policy': SUGAR_CSP } : {}) })
    .end(body);
const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, JSON.stringify(body), 'application/json');

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  await buildSidecarUi();
  const metadata: HarnessMetadata = await buildMetadata(MODULE_DIR);
  const runtime = (
    await build({ entryPoints: [join(here, 'runtime', 'boot.ts')], bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent' })
  ).outputFiles[0].text;
  let sugarUrl = '';
  let settings: Record<string, string> = {};
  let sugarConfig: Record<string, unknown> = {};

  /**
   * A real Sugar's PHP reads its own database; the harness asks the simulator over HTTP, on keep-alive sockets the
   * simulator closes after 5 s idle. A read that met one closing is asked again once, so that race is not the page's.
   */
  async function toSugar(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (!['GET', 'HEAD', undefined].includes(init.method)) throw e;
      return await fetch(url, init);
    }
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    if (!sugarUrl) return json(res, 503, { error: 'service_unavailable', error_message: 'The harness has no Sugar to talk to yet.' });
    const headers: Record<string, string> = {};
    for (const h of ['oauth-token', 'content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
    const r = await toSugar(`${sugarUrl}${req.url}`, {
      method: req.method,
      headers,
      body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : new Uint8Array(body),
    });
    res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? 'application/json', 'Cache-Control': 'no-store' });
    res.end(Buffer.from(await r.arrayBuffer()));
  }

  /** Sugar's authentication, then its routing to the package's PHP: the caller's own token goes along. */
  async function packageApi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const token = String(req.headers['oauth-token'] ?? '');
    const me = await toSugar(`${sugarUrl}/rest/${REST_VERSION}/me`, { headers: token ? { 'OAuth-Token': token } : {} });
    if (!me.ok) return send(res, me.status, Buffer.from(await me.arrayBuffer()), 'application/json');
    const user = (await me.json()).current_user as { id: string; user_name: string; type: string };
    const r = await runSugarRest({
      method: req.method as 'GET',
      path: url.pathname.replace(/^\/rest\/v1\d(_\d{1,2})?\//, ''),
      query: Object.fromEntries(url.searchParams),
      body: body.toString('utf8'),
      token,
      user: { id: user.id, user_name: user.user_name, is_admin: user.type === 'admin' },
      settings,
      sugarConfig: { site_url: origin, ...sugarConfig },
    });
    Object.assign(settings, r.writes);
    json(res, r.status, r.body);
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://harness');
      const path = url.pathname;
      if (path === '/' || path === '/index.html') {
        const page = readFileSync(join(here, 'index.html'), 'utf8').replace(
          '__HARNESS_CONFIG__',
          JSON.stringify({ serverUrl: `/rest/${REST_VERSION}`, refreshSeconds: opts.refreshSeconds ?? 2 }),
        );
        return send(res, 200, page, 'text/html; charset=utf-8');
      }
      if (path.startsWith('/harness/vendor/') && VENDOR[path.slice(16)]) return send(res, 200, readFileSync(VENDOR[path.slice(16)]), 'text/javascript');
      if (path === '/harness/runtime.js') return send(res, 200, runtime, 'text/javascript');
      if (path === '/harness/sugar-theme.css') return send(res, 200, readFileSync(join(here, 'sugar-theme.css')), 'text/css');
      if (path === '/harness/metadata.json') return json(res, 200, metadata);
      if (path.startsWith('/harness/sugar/')) {
        const rel = normalize(path.slice('/harness/sugar/'.length)).replace(/^(\.\.[/\\])+/, '');
        if (!rel.startsWith('custom/') || !rel.endsWith('.js')) return send(res, 404, 'not found', 'text/plain');
        return send(res, 200, readFileSync(join(MODULE_DIR, rel)), 'text/javascript');
      }
      if (path === '/harness/bwc/index.php') {
        const page = bwcPage(url.searchParams, metadata);
        return send(res, page ? 200 : 404, page ?? notFoundPage(), 'text/html; charset=utf-8');
      }
      const body = await readBody(req);
      if (/^\/rest\/v1\d(_\d{1,2})?\/leadfwd\//.test(path) && sugarUrl) return packageApi(req, res, url, body);
      if (path.startsWith('/rest/')) return proxy(req, res, body);
      send(res, 404, 'not found', 'text/plain');
    })().catch((e) => {
      if (!res.headersSent) json(res, 502, { error: 'bad_gateway', error_message: String((e as Error).message) });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    get settings() {
      return settings;
    },
    configure(o) {
      sugarUrl = o.sugarUrl.replace(/\/+$/, '');
      if (o.settings) settings = Object.assign(o.settings, settings);
      if (o.serviceUrl) settings.leadfwd_service_url = o.serviceUrl;
      if (o.sugarConfig) sugarConfig = o.sugarConfig;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The legacy pages the harness has: a Campaign detail view and, for "Sugar 8", the Administration page. */
function bwcPage(q: URLSearchParams, metadata: HarnessMetadata): string | undefined {
  if (q.get('module') === 'Campaigns' && q.get('action') === 'DetailView') return campaignPage(q);
  if (q.get('module') === 'Administration' && q.get('action') === 'index') return adminPage(metadata);
  return undefined;
}

/** Sugar 8's legacy Administration page: each extension link is an <a href> in this (iframe) page. */
function adminPage(metadata: HarnessMetadata): string {
  const sections = [...new Set(metadata.admin.map((a) => a.section))]
    .map((section) => {
      const links = metadata.admin.filter((a) => a.section === section);
      return `<h3>${esc(section)}</h3><p>${esc(links[0].sectionDesc)}</p><table class="other view">${links
        .map((a) => `<tr><td><a href="${esc(a.link)}" class="tabDetailViewDL2Link">${esc(a.title)}</a></td><td>${esc(a.desc)}</td></tr>`)
        .join('')}</table>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Administration</title>
<style>body{font-family:Arial,sans-serif;font-size:13px;margin:8px 12px}td{padding:4px 8px}</style></head>
<body><h2>Administration</h2>${sections}</body></html>`;
}

function notFoundPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h2 class="harness-bwc-missing">This legacy page does not exist.</h2></body></html>`;
}

/** A page shaped like a legacy (BWC) detail view: a DetailView form with its buttons, then the fields. */
function campaignPage(q: URLSearchParams): string {
  const name = esc(q.get('name') ?? '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Campaigns: ${name}</title>
<style>body{font-family:Arial,sans-serif;font-size:13px;margin:8px 12px}.button{padding:3px 8px;margin-right:4px}table.detail{border-collapse:collapse;margin-top:8px}table.detail td{border:1px solid #ccc;padding:4px 8px}</style></head>
<body><h2>Campaigns: ${name}</h2>
<form name="DetailView" id="formDetailView" method="post" action="index.php"><input type="button" class="button" value="Edit"><input type="button" class="button" value="Duplicate"><input type="button" class="button" value="View Status"></form>
<table class="detail"><tr><td>Name</td><td>${name}</td></tr><tr><td>Record</td><td>${esc(q.get('record') ?? '')}</td></tr><tr><td>Type</td><td>Email</td></tr></table>
</body></html>`;
}
