// The review step lists only the people of modules the user's role shows them (the service leaves the others out of
// GET /campaigns/:id/recipients and counts them as `hidden`): the step says how many more get the message, instead
// of a list that does not add up to the audit's count. In headless Chromium, through Sugar's relay.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../scripts/sugar-sim/seed-ids.js';
import { ACL_ACTIONS } from '../../scripts/sugar-sim/users.js';
import { openSendFlow } from './area-locators.js';
import { type BrowserStack, press, startBrowserStack } from './browser-stack.js';

let bs: BrowserStack;
let page: Page;

beforeAll(async () => {
  bs = await startBrowserStack();
  // sally, whose role here shows her no Accounts: the Newsletter list holds some.
  bs.stack.sim.setRole('sally', { denied: { Accounts: ACL_ACTIONS } });
  ({ page } = await bs.open('sally'));
}, 60_000);
afterAll(async () => {
  await bs?.close();
});

const drawer = () => page.locator('.harness-drawer form.leadfwd-send');
const step = (name: string) => drawer().locator(`section.leadfwd-step[data-step="${name}"]`);

describe('Review step of a user whose role hides a module of the audience', () => {
  it('previews the people it may show and says how many more get the message', async () => {
    await openSendFlow(page, bs.harness.url, DEMO_IDS.campaigns.spring);
    await drawer().waitFor();
    await drawer().locator(`input[name="targetList"][value="${DEMO_IDS.lists.newsletter}"]`).waitFor();
    await press(step('audience').locator('.leadfwd-next'));
    await drawer().locator('input[name="subject"]').fill('Hidden count');
    await drawer().locator('textarea[name="content"]').fill('<p>Hello {{ first_name | default: "there" }}</p>');
    await press(step('content').locator('.leadfwd-next'));
    await press(step('settings').locator('.leadfwd-review-button'));
    const note = drawer().locator('.leadfwd-recipients-more');
    await note.last().waitFor();
    const { body } = await bs.stack.api('GET', '/campaigns');
    const held = body.campaigns.find((c: { held: boolean }) => c.held);
    const accounts = (await bs.stack.service.store.recipients.moduleCounts(held.id)).Accounts;
    expect(accounts).toBeGreaterThan(0);
    // The list and its notes add up to the audit's count: the first page of those shown, then the hidden ones.
    const options = await drawer().locator('select[name="recipient"] option').count();
    expect(await note.allTextContents()).toEqual([
      `The first ${options} of ${held.audit.queued - accounts} recipients.`,
      `${accounts} more in Sugar modules your role does not show you.`,
    ]);
  }, 60_000);
});
