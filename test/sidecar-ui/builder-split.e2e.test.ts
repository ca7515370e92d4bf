// Issue 17, the split step in the builder, in headless Chromium as a marketer would: an automation whose first step
// is an A/B split with three paths (a path added in the builder), each path drawn as its own column beside the others,
// an empty path named before saving, then an email after the split. Saved, the service sends each person one path;
// the builder shows each path's email figures, which add up to everyone and match the mail the sink got. An edit keeps
// every step id. axe-core on the new builder and on the one with figures; screenshots in test-output/sidecar-ui/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/stack.js';
import { createContactList, numberedAddresses } from '../support/sugar-seed.js';
import { areaLocators } from './area-locators.js';
import { type BrowserStack, press, until, useBrowserStack } from './browser-stack.js';

const PEOPLE = numberedAddresses('p', 12);
let bs: BrowserStack;
let page: Page;
let errors: string[];
let listId = '';
let automationId = '';

useBrowserStack({ env: { LEADFWD_AUTOMATION_TICK_MS: '50' } }, async (b) => {
  bs = b;
  listId = await createContactList(bs.sugar, 'Split people', PEOPLE);
  ({ page, errors } = await bs.open('sally'));
});

const { area, field, node, noSerious, addStep, fillEmail, save, newAutomation } = areaLocators(() => page);
const email = (step: string, name: string, subject: string) => fillEmail(step, name, subject, `<p>${subject} for {{ first_name }}</p>`);
const view = async () => (await bs.stack.api('GET', `/automations/${automationId}`)).body;
const received = (subject: string) =>
  bs.stack.sink.messages.filter((m) => new RegExp(`^Subject: ${subject}\\s*$`, 'm').test(m.raw.toString())).map((m) => m.envelope.to[0]);
const sentFigure = async (step: string) =>
  Number(/^(\d+) sent$/.exec((await area().locator(`[data-figures-for="${step}"] .leadfwd-stepfig-sent`).textContent()) ?? '')?.[1]);

describe('a split in the automation builder, as sally', () => {
  it('builds a split with three paths drawn side by side, and names an empty path before saving', async () => {
    await newAutomation(bs.harness.url, 'Split welcome', listId);

    await addStep('root', 'split'); // s1
    expect(await field('s1', 'title').textContent()).toBe('1. A/B split: 2 paths');
    const split = node('s1').locator('.leadfwd-split');
    expect(await split.locator('.leadfwd-split-path h4').allTextContents()).toEqual(['Path A', 'Path B']);
    await addStep('s1-path0', 'send_email'); // s2
    await email('s2', 'Welcome A', 'Welcome, version A');
    await addStep('s1-path1', 'send_email'); // s3
    await email('s3', 'Welcome B', 'Welcome, version B');
    await press(node('s1').locator('.leadfwd-add-path'));
    expect(await split.locator('.leadfwd-split-path h4').allTextContents()).toEqual(['Path A', 'Path B', 'Path C']);
    expect(await field('s1', 'title').textContent()).toBe('1. A/B split: 3 paths');
    await addStep('root', 'send_email'); // s4, after the split
    await email('s4', 'Tips', 'Tips');

    // Path C has no step yet: everyone on it would get nothing, so the builder says so there and saves nothing.
    await press(area().locator('.leadfwd-save'));
    await until(page, 'the empty path', () => !!document.querySelector('.leadfwd-field-error div'), null);
    expect(await field('s1', 'paths.2-error').textContent()).toBe('Add a step to path C: everyone on it would get nothing.');
    expect(await area().locator('.leadfwd-field-error:not(:empty)').count()).toBe(1);
    expect((await bs.stack.api('GET', '/automations')).body.automations).toEqual([]);

    await addStep('s1-path2', 'send_email'); // s5
    await email('s5', 'Welcome C', 'Welcome, version C');
    // Each path is a column of its own, beside the others, holding its own step.
    const boxes = await Promise.all([0, 1, 2].map((k) => split.locator(`.leadfwd-split-path[data-path="${k}"]`).boundingBox()));
    for (let k = 1; k < 3; k++) {
      expect(boxes[k]!.x).toBeGreaterThan(boxes[k - 1]!.x + boxes[k - 1]!.width - 1);
      expect(Math.abs(boxes[k]!.y - boxes[0]!.y)).toBeLessThan(5);
    }
    expect(await split.locator('.leadfwd-split-path li.leadfwd-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-step-id')))).toEqual([
      's2',
      's3',
      's5',
    ]);
    await noSerious('builder with a split');
    await bs.shot(page, 'builder-split', '.leadfwd-area', { viewport: { width: 1400, height: 2200 } });
  });

  it('saves it with every id, sends each person one path, and shows each path’s figures', async () => {
    await press(area().locator('.leadfwd-save'));
    await page.waitForFunction(() => /#Home\/layout\/leadfwd-automation\?automation=/.test(location.hash));
    automationId = /automation=([^&]+)/.exec(page.url())![1];
    const def = (await view()).definition;
    expect(def.steps).toMatchObject([
      { id: 's1', type: 'split', paths: [[{ id: 's2', subject: 'Welcome, version A' }], [{ id: 's3' }], [{ id: 's5' }]] },
      { id: 's4', type: 'send_email' },
    ]);
    await waitFor(() => (received('Tips').length === PEOPLE.length ? true : undefined), 'everyone past the split', 30_000);
    // A later step's mail may reach the sink before an earlier one's: wait for every welcome too.
    const welcomes = () => ['A', 'B', 'C'].flatMap((v) => received(`Welcome, version ${v}`)).length;
    await waitFor(() => (welcomes() === PEOPLE.length ? true : undefined), 'every welcome handed off', 30_000);
    const a = received('Welcome, version A');
    const b = received('Welcome, version B');
    const c = received('Welcome, version C');
    expect([...a, ...b, ...c].sort()).toEqual([...PEOPLE].sort());

    // Each step's outcomes are recorded in their own batches, so a later step's figure may be complete before an
    // earlier one's: refresh until every step shows what the sink took.
    const figures = async () => [await sentFigure('s2'), await sentFigure('s3'), await sentFigure('s5'), await sentFigure('s4')];
    const wanted = [a.length, b.length, c.length, PEOPLE.length];
    await waitFor(
      async () => {
        await press(area().locator('.leadfwd-refresh'));
        await page.waitForTimeout(300);
        return JSON.stringify(await figures()) === JSON.stringify(wanted) ? true : undefined;
      },
      'the figures after the split',
      30_000,
    ).catch(async (e) => {
      expect(await figures(), String(e)).toEqual(wanted);
    });
    await noSerious('builder with split figures');
    await bs.shot(page, 'builder-split-figures', '.leadfwd-area', { viewport: { width: 1400, height: 2200 } });
  });

  it('edits a path’s email and keeps every step id', async () => {
    const before = JSON.stringify((await view()).definition.steps, (k, v) => (k === 'subject' ? undefined : v));
    await field('s3', 'subject').fill('Welcome, version B2');
    await save();
    const steps = (await view()).definition.steps;
    expect(steps[0].paths[1][0].subject).toBe('Welcome, version B2');
    expect(JSON.stringify(steps, (k, v) => (k === 'subject' ? undefined : v))).toBe(before);
    expect(errors).toEqual([]);
  });
});
