// What the LeadFWD area's browser tests reach for on a page: the area, its message line, axe, and the builder's
// controls by step id.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, press, until } from './browser-stack.js';

export function areaLocators(page: () => Page) {
  const area = () => page().locator('.leadfwd-area');
  /** A builder control by step id and field ('' for the automation itself). */
  const field = (step: string, name: string) => area().locator(`[id$="-b-${step || 'automation'}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}"]`);
  return {
    area,
    field,
    message: () => area().locator('.leadfwd-message'),
    node: (step: string) => area().locator(`li.leadfwd-node[data-step-id="${step}"]`),
    noSerious: async (what: string, p: Page = page()) => expect(await axeViolations(p, '.leadfwd-area'), what).toEqual([]),
    /** Adds a step of `kind` at the end of the builder's step list `list` ('root', or a branch's or path's key). */
    async addStep(list: string, kind: string) {
      const row = area().locator('.leadfwd-add-step', { has: page().locator(`button[data-list="${list}"]`) });
      await row.locator('select').selectOption(kind);
      await press(row.locator('button'));
    },
    /** Fills an email step's name, subject and content. */
    async fillEmail(step: string, name: string, subject: string, content: string) {
      await field(step, 'name').fill(name);
      await field(step, 'subject').fill(subject);
      await field(step, 'content').fill(content);
    },
    /** From the Automations page (the harness at `harnessUrl`), a new automation named `name` for the list `listId`. */
    async newAutomation(harnessUrl: string, name: string, listId: string) {
      await page().goto(`${harnessUrl}#Home/layout/leadfwd-automations`);
      await press(area().locator('.leadfwd-new-automation'));
      await area().locator('form.leadfwd-builder').waitFor();
      await field('', 'name').fill(name);
      await area().locator(`input[name="targetList"][value="${listId}"]`).check();
    },
    /** Saves the builder and waits for its "Saved at" line. */
    async save() {
      await press(area().locator('.leadfwd-save'));
      await until(page(), 'saved', () => /^Saved at /.test(document.querySelector('.leadfwd-status')?.textContent ?? ''), null);
    },
  };
}

/** Opens the send flow as a user does: the legacy (BWC) Campaign page at `harnessUrl`, then its "Send via LeadFWD". */
export async function openSendFlow(page: Page, harnessUrl: string, campaignId: string): Promise<void> {
  await page.goto(`${harnessUrl}#Campaigns/${campaignId}`);
  const send = page.frameLocator('iframe.harness-bwc').locator('input.leadfwd-bwc-send');
  await send.waitFor();
  await send.click();
}
