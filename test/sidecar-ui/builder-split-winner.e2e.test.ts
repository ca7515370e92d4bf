// Issue 17, a split's automatic winner in the builder, in headless Chromium: sally turns on "Choose the winner
// automatically" on a split (hours checked before saving), saves, and the split shows when the winner is chosen and
// each path's people's click rate; one person clicks in path A, two hours pass (fake clock), and the split shows path
// A as the winner chosen automatically. On a split without a rule sally makes path B the winner by hand (max, who may
// not edit her automations, is refused). axe-core on the rule and on the decision; screenshots in test-output/sidecar-ui/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { asUser, fakeClock, humanClick, READER_ENV, sugarToken, trackingOf } from '../features/helpers.js';
import { waitFor } from '../support/stack.js';
import { createContactList, numberedAddresses } from '../support/sugar-seed.js';
import { areaLocators } from './area-locators.js';
import { type BrowserStack, press, until, useBrowserStack } from './browser-stack.js';

const PEOPLE = numberedAddresses('w', 10);
const clock = fakeClock();
let bs: BrowserStack;
let page: Page;
let errors: string[];
let listId = '';
let automationId = '';

useBrowserStack({ env: { ...READER_ENV, LEADFWD_AUTOMATION_TICK_MS: '50' }, now: clock.now }, async (b) => {
  bs = b;
  listId = await createContactList(bs.sugar, 'Winner people', PEOPLE, 'W');
  ({ page, errors } = await bs.open('sally'));
});

const { area, field, noSerious, addStep, fillEmail, newAutomation } = areaLocators(() => page);
const decision = () => area().locator('[data-split-for="s1"]');
const email = (step: string, name: string, subject: string) =>
  fillEmail(step, name, subject, `<p>${subject} <a href="https://shop.example.com/x">shop</a></p>`);
/** A new automation `name` whose one step is a split (s1) with an email on each path: s2 named and titled `a`, s3 `b`. */
async function newSplit(name: string, a: [string, string], b: [string, string]) {
  await newAutomation(bs.harness.url, name, listId);
  await addStep('root', 'split'); // s1
  await addStep('s1-path0', 'send_email'); // s2
  await email('s2', ...a);
  await addStep('s1-path1', 'send_email'); // s3
  await email('s3', ...b);
}
const received = (subject: string) => bs.stack.sink.messages.filter((m) => new RegExp(`^Subject: ${subject}\\s*$`, 'm').test(m.raw.toString()));
const shot = (name: string) => bs.shot(page, name, '.leadfwd-area', { viewport: { width: 1400, height: 2200 } });

describe("a split's automatic winner in the builder, as sally", () => {
  it('offers the rule on a split and checks its hours before saving', async () => {
    await newSplit('Split with a winner', ['Hello A', 'Hello, version A'], ['Hello B', 'Hello, version B']);

    expect(await field('s1', 'winnerHours').count()).toBe(0);
    await field('s1', 'winnerAuto').check();
    await field('s1', 'winnerHours').waitFor();
    expect(
      await area()
        .locator(`label[for="${await field('s1', 'winnerAuto').getAttribute('id')}"]`)
        .textContent(),
    ).toBe('Choose the winner automatically');
    await field('s1', 'winnerHours').fill('0');
    await press(area().locator('.leadfwd-save'));
    await until(page, 'the hours problem', () => !!document.querySelector('.leadfwd-field-error div'), null);
    expect(await field('s1', 'winnerHours-error').textContent()).toBe('Give the hours to wait before choosing the winner: more than 0, at most 720.');
    await field('s1', 'winnerHours').fill('2');
    await field('s1', 'winnerMetric').selectOption('clicks');
    await noSerious('builder with a winner rule');
    await shot('builder-split-winner-rule');
  });

  it('saves the rule, shows when the winner is chosen and each path’s rate, then the winner chosen automatically', async () => {
    await press(area().locator('.leadfwd-save'));
    await page.waitForFunction(() => /#Home\/layout\/leadfwd-automation\?automation=/.test(location.hash));
    automationId = /automation=([^&]+)/.exec(page.url())![1];
    const def = (await bs.stack.api('GET', `/automations/${automationId}`)).body.definition;
    expect(def.steps[0]).toMatchObject({ id: 's1', type: 'split', winner: { metric: 'clicks', afterHours: 2 } });
    const both = () => received('Hello, version A').length + received('Hello, version B').length;
    await waitFor(() => (both() === PEOPLE.length ? true : undefined), 'every hello handed off', 30_000);
    const accepted = async () =>
      ((await bs.stack.api('GET', `/automations/${automationId}`)).body.splits[0].paths as Array<{ accepted: number }>).reduce((n, p) => n + p.accepted, 0);
    await waitFor(async () => ((await accepted()) === PEOPLE.length ? true : undefined), 'every hello accepted', 30_000);

    await press(area().locator('.leadfwd-refresh'));
    await until(page, 'the decide time', () => /^The winner is chosen at /.test(document.querySelector('[data-split-for="s1"]')?.textContent ?? ''), null);
    expect(await decision().locator('.leadfwd-split-rates').textContent()).toBe(' Path A: 0% of people clicked · Path B: 0% of people clicked');

    const a = received('Hello, version A');
    expect((await humanClick((await trackingOf(a[0].raw)).links[0])).status).toBe(302);
    clock.advance(2 * 3_600_000);
    await waitFor(async () => ((await bs.stack.api('GET', `/automations/${automationId}`)).body.splits[0].winner === 0 ? true : undefined), 'the winner');
    await press(area().locator('.leadfwd-refresh'));
    await until(page, 'the winner shown', () => /^Winner: path A/.test(document.querySelector('[data-split-for="s1"]')?.textContent ?? ''), null);
    expect(await decision().locator('.leadfwd-split-verdict').textContent()).toBe(
      'Winner: path A, chosen automatically. Everyone reaching the split now takes it.',
    );
    expect(await decision().locator('.leadfwd-split-rates').textContent()).toContain(`Path A: ${Math.round(1000 / a.length) / 10}% of people clicked`);
    await noSerious('builder with the winner');
    await shot('builder-split-winner-decided');
    expect(errors).toEqual([]);
  });

  it('lets sally make a path the winner by hand, and refuses max', async () => {
    await newSplit('Split by hand', ['By hand A', 'By hand A'], ['By hand B', 'By hand B']);
    await press(area().locator('.leadfwd-save'));
    await page.waitForFunction(() => /#Home\/layout\/leadfwd-automation\?automation=/.test(location.hash));
    const id = /automation=([^&]+)/.exec(page.url())![1];
    await waitFor(() => (received('By hand A').length + received('By hand B').length === PEOPLE.length ? true : undefined), 'every mail handed off', 30_000);
    await press(area().locator('.leadfwd-refresh'));
    await decision().locator('.leadfwd-split-choose-path').first().waitFor();
    expect(await decision().locator('.leadfwd-split-choose-path').allTextContents()).toEqual(['Make path A the winner', 'Make path B the winner']);
    expect(await decision().locator('.leadfwd-split-verdict').count()).toBe(0);
    await noSerious('builder offering the choice by hand');

    const max = asUser(bs.stack, await sugarToken(bs.stack, 'max'));
    expect((await max('POST', `/automations/${id}/split-winner`, { step: 's1', path: 0 })).status).toBe(403);

    await press(decision().locator('.leadfwd-split-choose-path').nth(1));
    await until(page, 'the hand choice shown', () => /^Winner: path B/.test(document.querySelector('[data-split-for="s1"]')?.textContent ?? ''), null);
    expect(await decision().locator('.leadfwd-split-verdict').textContent()).toBe('Winner: path B, chosen by sally. Everyone reaching the split now takes it.');
    expect(await decision().locator('.leadfwd-split-choose-path').count()).toBe(0);
    expect((await bs.stack.api('GET', `/automations/${id}`)).body.splits[0]).toMatchObject({ winner: 1, decidedBy: 'sally' });
    await noSerious('builder after the choice by hand');
    await shot('builder-split-winner-by-hand');
    expect(errors).toEqual([]);
  }, 60_000);
});
