// Shared by issue 17's end-to-end tests: the whole stack on a fake clock, Sugar users' tokens, and what a reader,
// Apple Mail Privacy Protection and a link scanner do with a message the sink received.
import PostalMime from 'postal-mime';
import { type Stack, useStack } from '../support/stack.js';
import { adminClient, createContactList, numberedAddresses } from '../support/sugar-seed.js';
import { HUMAN_UA } from '../writeback/helpers.js';

export { HUMAN_UA };
/** A security gateway following every link of a message (GET, its own agent). */
export const SCANNER_UA = 'Mozilla/5.0 (compatible; Proofpoint URL Defense)';
/** Environment for tests that act as readers: no "too soon after delivery" window (the fake clock does not move the ledger's). */
export const READER_ENV = { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0' };

/**
 * The file's stack with the automation engine ticking every 50 ms and `people` contacts p0@example.org… in one
 * Target List; `ready` receives both.
 */
export function useStackWithPeople(
  opts: { now?: () => Date; env?: Record<string, string> },
  people: number,
  ready: (stack: Stack, listId: string) => void,
): void {
  useStack(
    { now: opts.now, env: { ...opts.env, LEADFWD_AUTOMATION_TICK_MS: '50' } },
    async (stack) => ready(stack, await createContactList(adminClient(stack.sim.url), 'Split people', numberedAddresses('p', people))),
    60_000,
  );
}

export function fakeClock(start = '2026-03-02T08:00:00.000Z') {
  let t = new Date(start);
  return {
    now: () => t,
    advance(ms: number) {
      t = new Date(t.getTime() + ms);
    },
    days(n: number) {
      t = new Date(t.getTime() + n * 86_400_000);
    },
  };
}

export async function sugarToken(stack: Stack, user: string): Promise<string> {
  const res = await fetch(`${stack.sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: user, password: user, platform: 'base' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Calls to the service as a Sugar user (their own token). */
export const asUser = (stack: Stack, token: string) => (method: string, path: string, body?: unknown) =>
  stack.api(method, path, body, { Authorization: '', 'OAuth-Token': token });

export const subjectOf = (raw: Buffer) => /^Subject: (.*)$/m.exec(raw.toString())![1].trim();

/** The messages the sink took whose subject starts with `subject`, by recipient. */
export function messagesBySubject(stack: Stack, subject: string) {
  return stack.sink.messages.filter((m) => subjectOf(m.raw).startsWith(subject));
}
export const recipientsOf = (stack: Stack, subject: string) =>
  messagesBySubject(stack, subject)
    .map((m) => m.envelope.to[0].toLowerCase())
    .sort();

export async function trackingOf(raw: Buffer): Promise<{ pixel: string; links: string[] }> {
  const html = (await PostalMime.parse(raw)).html ?? '';
  const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&');
  const links = [...html.matchAll(/href="([^"]*\/t\/c\/[^"]+)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
  return { pixel, links };
}

export const humanOpen = (pixel: string) => fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } });
/** Apple Mail Privacy Protection: a bare `Mozilla/5.0` from Apple's network (17.0.0.0/8). */
export const mppOpen = (pixel: string) => fetch(pixel, { headers: { 'User-Agent': 'Mozilla/5.0', 'X-Forwarded-For': '17.58.23.4' } });
export const humanClick = (link: string) => fetch(link, { headers: { 'User-Agent': HUMAN_UA }, redirect: 'manual' });
export const scannerClick = (link: string) => fetch(link, { headers: { 'User-Agent': SCANNER_UA }, redirect: 'manual' });
