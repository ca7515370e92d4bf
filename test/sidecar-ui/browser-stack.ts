// One real stack for a browser test: Sugar simulator (demo seed), SMTP sink and service from
// test/support/stack.ts, the harness page in front of the simulator (served under Sugar 12's Content-Security-Policy,
// its leadfwd/* endpoints answered by the package's real PHP), headless Chromium, and a TCP pass-through in front of
// the service so a test can take "the service" down and bring it back. Sugar is paired with the service the way an
// administrator does it: a code made with the API key, traded through the package's own leadfwd/pair endpoint.
// Every page records the requests it makes and any Content-Security-Policy violation, so a test can prove that no
// browser call left Sugar.
import { mkdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page, type Request } from 'playwright-core';
import { beforeEach } from 'vitest';
import { type Harness, startHarness } from '../../scripts/sugar-harness/server.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { perFileUse } from '../support/per-file.js';
import { sugarToken } from '../support/relay.js';
import { type Stack, startStack } from '../support/stack.js';

export const SHOTS = join(process.cwd(), 'test-output', 'sidecar-ui');

/** What each page opened in this file is doing: the requests still unanswered and its latest console lines. */
interface Watched {
  user: string;
  page: Page;
  inflight: Map<Request, number>;
  console: string[];
}
const watched = new Set<Watched>();

// A failed or timed-out browser test says where each open page stood (a bare "Test timed out" cost a CI run once),
// in its error, which CI's summary prints: registered here, at collection, for each file that imports this module.
beforeEach((ctx) =>
  ctx.onTestFailed(async ({ task }) => {
    const report = await reportPages(task.name);
    const error = task.result?.errors?.[0];
    if (error && report) error.message += `\n${report}`;
    // A test that failed while holding requests back (page.route) must not leave the next tests' requests held.
    for (const w of watched) if (!w.page.isClosed()) await w.page.unrouteAll({ behavior: 'ignoreErrors' });
  }),
);

const within = <T>(ms: number, p: Promise<T>, otherwise: T) => Promise.race([p, new Promise<T>((r) => setTimeout(() => r(otherwise), ms))]);

async function reportPages(test: string): Promise<string> {
  const lines: string[] = [];
  for (const w of watched) {
    if (w.page.isClosed()) continue;
    const now = Date.now();
    const shot = join(SHOTS, `failed-${test.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}-${w.user}.png`);
    const saved = await w.page.screenshot({ path: shot, fullPage: true, timeout: 5_000 }).then(
      () => shot,
      (e: Error) => `no screenshot: ${e.message.split('\n')[0]}`,
    );
    const text = await within(
      3_000,
      // The drawer when one is open (the send flow), else the page's main part.
      w.page.evaluate(
        () => (document.querySelector('.harness-drawer') ?? document.getElementById('main'))?.textContent?.replace(/\s+/g, ' ').slice(0, 300) ?? '',
      ),
      '(no answer)',
    );
    lines.push(
      `${w.user}'s page at ${w.page.url()} (${saved}) shows: ${text}`,
      `  unanswered requests:${w.inflight.size ? '' : ' none'}`,
      ...[...w.inflight].map(([r, at]) => `    ${r.method()} ${r.url()} (${now - at} ms)`),
      '  last console lines:',
      ...w.console.slice(-10),
    );
  }
  return lines.join('\n');
}

export interface BrowserStack {
  stack: Stack;
  harness: Harness;
  browser: Browser;
  /** The service as the page reaches it (through the pass-through). */
  serviceUrl: string;
  setServiceUp(up: boolean): Promise<void>;
  /** A Sugar admin client on its own platform, so it never logs the browser's user out. */
  sugar: SugarClient;
  /** Pairs the harness's Sugar with the service through leadfwd/pair, as an administrator would. */
  pair(): Promise<void>;
  /** `sugar: '8'` plays Sugar 8 (legacy Administration); `requests` are the URLs the page asked for. */
  open(user?: string, o?: { sugar?: '8' | '12'; theme?: 'dark' }): Promise<{ context: BrowserContext; page: Page; errors: string[]; requests: string[] }>;
  /** Loads the harness page (as Sugar `sugar`) in an open page and logs in: a second session of one user on one
   *  platform would end the first one (Sugar keeps one per user and platform), so tests switch a page instead. */
  login(page: Page, user: string, o?: { sugar?: '8' | '12'; hash?: string; theme?: 'dark' }): Promise<void>;
  /** Requests of a page that went anywhere but the harness's (Sugar's) origin. */
  offSugar(requests: string[]): string[];
  /** Saves test-output/sidecar-ui/<name>.png: the element `selector` names (its top `maxHeight` pixels), else the page;
   *  with `viewport`, taken at that size (a tall one shows a long view whole) and the page's own size restored after. */
  shot(page: Page, name: string, selector?: string, o?: { maxHeight?: number; viewport?: { width: number; height: number } }): Promise<void>;
  close(): Promise<void>;
}

async function passThrough(port: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(port, '127.0.0.1');
        // Either side closing closes the other: a keep-alive socket the service has closed must not stay open
        // towards the browser, or a request written into it waits for the page's 30 s timeout under load.
        const pair = [client, upstream];
        for (const s of pair) {
          sockets.add(s);
          s.on('close', () => {
            sockets.delete(s);
            for (const o of pair) o.destroy();
          });
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      server = undefined;
    });
  await start();
  return { url: () => `http://127.0.0.1:${listenPort}`, start, stop };
}

/**
 * A browser stack for the whole test file: started before its tests, closed after them. `use` receives it and may
 * seed what every test of the file shares (a list, sally's page) within `timeoutMs` (90 s unless said).
 */
export const useBrowserStack = perFileUse(startBrowserStack, (bs) => bs.close(), 90_000);

/** The browsers' own time zone in these tests. */
export const BROWSER_ZONE = 'Pacific/Kiritimati';

export async function startBrowserStack(
  opts: {
    refreshSeconds?: number;
    env?: Record<string, string>;
    pair?: boolean;
    sink?: NonNullable<Parameters<typeof startStack>[0]>['sink'];
    /** The service's automation clock (a test moves it to pass waits). */
    now?: () => Date;
  } = {},
): Promise<BrowserStack> {
  mkdirSync(SHOTS, { recursive: true });
  const harness = await startHarness({ refreshSeconds: opts.refreshSeconds ?? 1 });
  const stack = await startStack({ sim: { seed: 'demo' }, env: opts.env, sink: opts.sink, now: opts.now });
  const proxy = await passThrough(stack.service.port);
  harness.configure({ sugarUrl: stack.sim.url, serviceUrl: proxy.url(), settings: stack.sim.leadfwdSettings });
  async function pair() {
    const code = (await stack.api('POST', '/relay/pairing-code')).body.code as string;
    const token = await sugarToken(stack.sim.url, 'admin', 'mobile');
    const res = await fetch(`${harness.origin}/rest/v11_1/leadfwd/pair`, {
      method: 'POST',
      headers: { 'OAuth-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ service_url: proxy.url(), code }),
    });
    const env = (await res.json()) as { status?: number; body?: string };
    if (res.status !== 200 || env.status !== 200) throw new Error(`pairing the harness failed: ${res.status} ${JSON.stringify(env)}`);
  }
  if (opts.pair !== false) await pair();
  const login: BrowserStack['login'] = async (page, user, o = {}) => {
    const query = new URLSearchParams({ ...(o.sugar ? { sugar: o.sugar } : {}), ...(o.theme ? { theme: o.theme } : {}) }).toString();
    await page.goto(`${harness.url}${query ? `?${query}` : ''}${o.hash ?? ''}`);
    await page.fill('#username', user);
    await page.fill('#password', user);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('body.harness-ready');
  };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const sugar = new SugarClient({ baseUrl: stack.sim.url, username: 'admin', password: 'admin', platform: 'mobile', retryBaseMs: 1 });
  let up = true;
  return {
    stack,
    harness,
    browser,
    sugar,
    pair,
    serviceUrl: proxy.url(),
    offSugar: (requests) => requests.filter((u) => !u.startsWith(`${harness.origin}/`) && !/^(data|blob|about):/.test(u)),
    async setServiceUp(want) {
      if (want === up) return;
      up = want;
      await (want ? proxy.start() : proxy.stop());
    },
    async open(user = 'sally', o = {}) {
      // A browser zone no Sugar user has (sally: Berlin, the rest UTC): a time shown in the browser's zone, not the
      // user's Sugar zone, reads hours off.
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, timezoneId: BROWSER_ZONE });
      // In every frame: a Content-Security-Policy violation (a blocked call to another origin) is an error of the page.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          const record = (w: Window | null) => {
            const x = w as unknown as { __cspViolations?: string[] };
            (x.__cspViolations ??= []).push(`${e.effectiveDirective} ${e.blockedURI}`);
          };
          try {
            record(window.top);
          } catch {
            record(window);
          }
        });
      });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const w: Watched = { user, page, inflight: new Map(), console: [] };
      watched.add(w);
      page.on('close', () => watched.delete(w));
      page.on('request', (r) => w.inflight.set(r, Date.now()));
      page.on('requestfinished', (r) => w.inflight.delete(r));
      page.on('requestfailed', (r) => w.inflight.delete(r));
      page.on('console', (m) => w.console.push(`    ${m.type()}: ${m.text()} ${m.location().url}`));
      page.on('pageerror', (e) => w.console.push(`    pageerror: ${e.message}`));
      // A message preview (a sandboxed srcdoc frame) loads the message's own images and fonts, as a mail client
      // would; that is the message's content, not a call of the UI, so it is not counted here.
      page.on('request', (r) => {
        if (r.frame().url() !== 'about:srcdoc') requests.push(r.url());
      });
      await login(page, user, o);
      return { context, page, errors, requests };
    },
    login,
    async shot(page, name, selector, o = {}) {
      const path = join(SHOTS, `${name}.png`);
      const own = page.viewportSize();
      if (o.viewport) await page.setViewportSize(o.viewport);
      if (selector && o.maxHeight) {
        await page.evaluate(() => window.scrollTo(0, 0));
        const box = (await page.locator(selector).first().boundingBox())!;
        await page.screenshot({ path, fullPage: true, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, o.maxHeight) } });
      } else if (selector) await page.locator(selector).first().screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      if (o.viewport && own) await page.setViewportSize(own);
    },
    async close() {
      await browser.close().catch(() => undefined);
      await proxy.stop();
      await stack.stop();
      await harness.close();
    },
  };
}

/** Content-Security-Policy violations the page (or one of its frames) reported. */
export const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);

/** Alerts the page has shown through app.alert, newest last. */
export const alerts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __leadfwdAlerts: Array<{ key: string; level: string; messages: string; html: string }> }).__leadfwdAlerts);

/** Scrolls first: Playwright's own scroll-then-click can land on the preview iframe inside the fixed drawer. */
export async function press(locator: Locator): Promise<void> {
  // A view that repaints (a refresh tick) can replace the node between finding and clicking it: find it again.
  for (let attempt = 1; ; attempt++) {
    try {
      await locator.scrollIntoViewIfNeeded();
      await locator.click();
      return;
    } catch (e) {
      if (attempt >= 4 || !/not attached to the DOM/.test(String(e))) throw e;
    }
  }
}

/** waitForFunction that names what it waited for when it gives up. */
export async function until<A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeout = 20_000): Promise<void> {
  await page.waitForFunction(fn as never, arg, { timeout }).catch((e: Error) => {
    throw new Error(`gave up waiting for ${what}: ${e.message.split('\n')[0]}`);
  });
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core (injected into the page) on the part of it `selector` names: the serious and critical violations, with the
 * elements they are about. Run it on each state of a screen worth checking.
 */
export async function axeViolations(page: Page, selector: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => !!(window as unknown as { axe?: unknown }).axe))) {
    await page.addScriptTag({ content: readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8') });
  }
  return page.evaluate(async (sel) => {
    const axe = (
      window as unknown as {
        axe: {
          run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }>;
        };
      }
    ).axe;
    const r = await axe.run({ include: [sel] }, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, selector);
}
