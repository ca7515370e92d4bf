// One real stack for a browser test: Sugar simulator (demo seed), SMTP sink and service from
// test/support/stack.ts, the harness page in front of the simulator, headless Chromium, and a TCP
// pass-through in front of the service so a test can take "the service" down and bring it back.
import { mkdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { startStack, type Stack } from '../support/stack.js';
import { startHarness, type Harness } from '../support/sidecar-harness/server.js';

export const SHOTS = join(process.cwd(), 'test-output', 'sidecar-ui');

export interface BrowserStack {
  stack: Stack;
  harness: Harness;
  browser: Browser;
  /** The service as the page reaches it (through the pass-through). */
  serviceUrl: string;
  setServiceUp(up: boolean): Promise<void>;
  /** A Sugar admin client on its own platform, so it never logs the browser's user out. */
  sugar: SugarClient;
  open(user?: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  shot(page: Page, name: string, selector?: string): Promise<void>;
  close(): Promise<void>;
}

async function passThrough(port: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const start = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(port, '127.0.0.1');
      // Either side closing closes the other: a keep-alive socket the service has closed must not stay open
      // towards the browser, or a request written into it waits for the page's 30 s timeout under load.
      const pair = [client, upstream];
      for (const s of pair) {
        sockets.add(s);
        s.on('close', () => { sockets.delete(s); for (const o of pair) o.destroy(); });
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(listenPort, '127.0.0.1', () => { listenPort = (server!.address() as { port: number }).port; resolve(); });
  });
  const stop = () => new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
    server = undefined;
  });
  await start();
  return { url: () => `http://127.0.0.1:${listenPort}`, start, stop };
}

export async function startBrowserStack(opts: { refreshSeconds?: number; env?: Record<string, string> } = {}): Promise<BrowserStack> {
  mkdirSync(SHOTS, { recursive: true });
  const harness = await startHarness({ refreshSeconds: opts.refreshSeconds ?? 1 });
  const stack = await startStack({ sim: { seed: 'demo' }, env: { LEADFWD_SUGAR_ORIGIN: harness.origin, ...opts.env } });
  const proxy = await passThrough(stack.service.port);
  harness.configure({ sugarUrl: stack.sim.url, serviceUrl: proxy.url(), settings: stack.sim.leadfwdSettings });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const sugar = new SugarClient({ baseUrl: stack.sim.url, username: 'admin', password: 'admin', platform: 'mobile', retryBaseMs: 1 });
  let up = true;
  return {
    stack, harness, browser, sugar,
    serviceUrl: proxy.url(),
    async setServiceUp(want) {
      if (want === up) return;
      up = want;
      await (want ? proxy.start() : proxy.stop());
    },
    async open(user = 'sally') {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(harness.url);
      await page.fill('#username', user);
      await page.fill('#password', user);
      await page.click('#login button[type=submit]');
      await page.waitForSelector('body.harness-ready');
      return { context, page, errors };
    },
    async shot(page, name, selector) {
      const path = join(SHOTS, `${name}.png`);
      if (selector) await page.locator(selector).first().screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await proxy.stop();
      await stack.stop();
      await harness.close();
    },
  };
}

/** Alerts the page has shown through app.alert, newest last. */
export const alerts = (page: Page) => page.evaluate(() => (window as unknown as { __leadfwdAlerts: Array<{ key: string; level: string; messages: string }> }).__leadfwdAlerts);

/** Scrolls first: Playwright's own scroll-then-click can land on the preview iframe inside the fixed drawer. */
export async function press(locator: Locator): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  await locator.click();
}

/** waitForFunction that names what it waited for when it gives up. */
export async function until<A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeout = 20_000): Promise<void> {
  await page.waitForFunction(fn as never, arg, { timeout }).catch((e: Error) => { throw new Error(`gave up waiting for ${what}: ${e.message.split('\n')[0]}`); });
}
