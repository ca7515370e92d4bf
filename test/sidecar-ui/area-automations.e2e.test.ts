// Issue 13 part 2, in headless Chromium as a marketer would: the Automations page opened from the area's tabs, an
// automation written in the builder — a welcome email, a wait, a branch on clicked drawn as then/else, a content
// stream on the else side — with its list enrolled. A step with broken content is refused at that step and the
// service down while saving says so once; neither loses what was typed. Saved, it runs against the Sugar simulator
// and the SMTP sink (the service's automation clock is moved to pass the waits); per-step figures follow real opens
// and clicks on the sink's mail; a step is edited with every id kept; pause, resume and stop. The campaign list keeps
// the step campaigns under their automation. dana sees it without actions; max cannot act on sally's automation.
// axe-core on the campaign list, a step campaign's report, the automations list and the builder; screenshots in
// test-output/sidecar-ui/.
import type { Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { relayAs } from '../support/relay.js';
import { waitFor } from '../support/stack.js';
import { addToList, createList, createListOf } from '../support/sugar-seed.js';
import { HUMAN_UA } from '../writeback/helpers.js';
import { areaLocators } from './area-locators.js';
import { alerts, axeViolations, type BrowserStack, press, until, useBrowserStack } from './browser-stack.js';

const PEOPLE = ['ann@example.com', 'bob@example.com', 'cat@example.com'];
const DAY = 86_400_000;

let offset = 0;
let bs: BrowserStack;
let page: Page;
let errors: string[];
let listId = '';
let automationId = '';

useBrowserStack(
  { env: { LEADFWD_BOT_OPEN_WINDOW_MS: '0', LEADFWD_BOT_CLICK_WINDOW_MS: '0', LEADFWD_AUTOMATION_TICK_MS: '50' }, now: () => new Date(Date.now() + offset) },
  async (b) => {
    bs = b;
    listId = await createListOf(
      bs.sugar,
      'Spring onboarding',
      PEOPLE.map((address, i) => ({ first_name: ['Ann', 'Bob', 'Cat'][i], emails: [{ address }] })),
    );
    ({ page, errors } = await bs.open('sally'));
  },
);

const { area, field, message, node, noSerious, addStep, save, newAutomation } = areaLocators(() => page);
const errorAt = (step: string, name: string) => field(step, `${name}-error`);
const view = async () => (await bs.stack.api('GET', `/automations/${automationId}`)).body;
const figure = (key: string, kind: string) => area().locator(`[data-figures-for="${key}"] .leadfwd-stepfig-${kind}`);
const htmlTo = async (to: string, subject: string) => {
  const mail = bs.stack.sink.messages.find((m) => m.envelope.to[0] === to && new RegExp(`^Subject: ${subject}`, 'm').test(m.raw.toString()));
  return (await PostalMime.parse(mail!.raw)).html ?? '';
};
const subjectsTo = (to: string) =>
  bs.stack.sink.messages.filter((m) => m.envelope.to[0] === to).map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())![1].trim());

describe('the automation builder, as sally', () => {
  it('opens the Automations page from the area and starts a new automation', async () => {
    await page.locator('.harness-module-menu summary').click();
    await page.locator('a.harness-module-menu-item', { hasText: 'LeadFWD campaigns' }).click();
    await page.waitForFunction(() => location.hash === '#Home/layout/leadfwd-campaigns');
    await press(area().locator('.nav-tabs a', { hasText: 'Automations' }));
    await page.waitForFunction(() => location.hash === '#Home/layout/leadfwd-automations');
    await area().locator('.leadfwd-empty', { hasText: 'No automations' }).waitFor();
    await press(area().locator('.leadfwd-new-automation'));
    await page.waitForFunction(() => location.hash === '#Home/layout/leadfwd-automation');
    await area().locator('form.leadfwd-builder').waitFor();
    expect(await area().locator('.leadfwd-title').textContent()).toBe('New automation');
  });

  it('builds it: an email, a wait, a branch on clicked with then/else, a content stream; its list enrolled', async () => {
    await field('', 'name').fill('Spring onboarding');
    await area().locator(`input[name="targetList"][value="${listId}"]`).check();

    await addStep('root', 'send_email'); // s1
    await field('s1', 'name').fill('Welcome');
    await field('s1', 'subject').fill('Welcome, {{ first_name }}');
    await field('s1', 'content').fill('<p>Hi {{ first_name }}</p><p><a href="https://example.com/spring">Our spring offer</a></p>');
    expect(await field('s1', 'fromEmail').inputValue()).not.toBe('');

    await addStep('root', 'wait'); // s2
    await field('s2', 'amount').fill('1');
    await field('s2', 'unit').selectOption('days');

    await addStep('root', 'branch'); // s3
    await field('s3', 'on').selectOption('clicked');
    const branch = node('s3').locator('.leadfwd-branch');
    expect(await branch.locator('.leadfwd-branch-side h4').allTextContents()).toEqual([expect.stringMatching(/clicked/i), expect.stringMatching(/clicked/i)]);

    await addStep('s3-then', 'send_email'); // s4
    await field('s4', 'name').fill('Offer');
    await field('s4', 'subject').fill('Your offer');
    await field('s4', 'content').fill('<p>Here it is, {{ first_name }}</p>');

    await addStep('s3-else', 'content_stream'); // s5
    await field('s5', 'name').fill('Tips');
    await field('s5', 'amount').fill('1');
    await field('s5', 'unit').selectOption('days');
    await field('s5', 'contents.0.name').fill('Tip 1');
    await field('s5', 'contents.0.subject').fill('Tip 1');
    await field('s5', 'contents.0.content').fill('<p>Tip one</p>');
    await press(node('s5').locator('.leadfwd-add-content'));
    await field('s5', 'contents.1.name').fill('Tip 2');
    await field('s5', 'contents.1.subject').fill('Tip 2');
    // Broken template code: the service refuses it, at this content.
    await field('s5', 'contents.1.content').fill('<p>Tip two {% if first_name %}</p>');

    // Then and else are drawn side by side, as branches.
    const [then, other] = await Promise.all([branch.locator('.leadfwd-branch-then').boundingBox(), branch.locator('.leadfwd-branch-else').boundingBox()]);
    expect(other!.x).toBeGreaterThan(then!.x + then!.width - 1);
    expect(Math.abs(other!.y - then!.y)).toBeLessThan(5);
    expect(await branch.locator('.leadfwd-branch-then li.leadfwd-node').getAttribute('data-step-id')).toBe('s4');
    expect(await branch.locator('.leadfwd-branch-else li.leadfwd-node').getAttribute('data-step-id')).toBe('s5');
    await noSerious('builder, new');
    await bs.shot(page, 'area-builder', '.leadfwd-area', { viewport: { width: 1280, height: 2600 } });
  });

  it('refuses the broken content at its step and keeps everything typed', async () => {
    await press(area().locator('.leadfwd-save'));
    await until(page, 'the refusal', () => !!document.querySelector('.leadfwd-field-error div'), null);
    expect(await errorAt('s5', 'contents.1.content').textContent()).toMatch(/^The content of the message has errors.*not closed/);
    expect(await area().locator('.leadfwd-field-error:not(:empty)').count()).toBe(1);
    expect(await message().textContent()).toMatch(/was not saved/);
    expect(await field('s5', 'contents.1.content').getAttribute('aria-invalid')).toBe('true');
    expect(await field('', 'name').inputValue()).toBe('Spring onboarding');
    expect(await field('s4', 'subject').inputValue()).toBe('Your offer');
    expect((await bs.stack.api('GET', '/automations')).body.automations).toEqual([]);
    expect(await axeViolations(page, '.leadfwd-area')).toEqual([]);

    // Fixing it clears the problem at once.
    await field('s5', 'contents.1.content').fill('<p>Tip two {% if first_name %}for {{ first_name }}{% endif %}</p>');
    expect(await errorAt('s5', 'contents.1.content').textContent()).toBe('');
  });

  it('says once that the service is down while saving, and keeps the builder', async () => {
    await bs.setServiceUp(false);
    await press(area().locator('.leadfwd-save'));
    await message().filter({ hasText: 'cannot reach the LeadFWD service' }).waitFor();
    expect(await page.locator('.leadfwd-message:visible').count()).toBe(1);
    expect(page.url()).toMatch(/#Home\/layout\/leadfwd-automation$/);
    expect(await field('s5', 'contents.1.content').inputValue()).toContain('{% endif %}');
    expect(await area().locator('li.leadfwd-node').count()).toBe(5);
    await bs.setServiceUp(true);

    // Even a new Sugar login (a session that ended, the page loaded again) gives the unsaved automation back: it is
    // kept in the browser session, to save or discard.
    await page.goto('about:blank');
    await bs.login(page, 'sally', { hash: '#Home/layout/leadfwd-automation' });
    await message().filter({ hasText: 'Your changes that were not saved yet are back' }).waitFor();
    expect(await field('', 'name').inputValue()).toBe('Spring onboarding');
    expect(await field('s5', 'contents.1.content').inputValue()).toContain('{% endif %}');
    expect(await area().locator('.leadfwd-discard').count()).toBe(1);
  });

  it('saves it: the automation page with its figures, and the list enrolled', async () => {
    await press(area().locator('.leadfwd-save'));
    await page.waitForFunction(() => /#Home\/layout\/leadfwd-automation\?automation=/.test(location.hash));
    automationId = new URL(page.url().replace('#', '?x=').replace('?automation=', '&automation=')).searchParams.get('automation')!;
    expect(automationId).toBeTruthy();
    await area().locator('.leadfwd-title', { hasText: 'Spring onboarding' }).waitFor();
    const def = (await view()).definition;
    expect(def.steps.map((s: { id: string }) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(def.steps[2]).toMatchObject({ type: 'branch', on: 'clicked', then: [{ id: 's4' }], else: [{ id: 's5', type: 'content_stream' }] });
    await waitFor(() => PEOPLE.every((p) => subjectsTo(p).length === 1) || undefined, 'the welcome to everyone', 30_000);
    expect(subjectsTo('ann@example.com')).toEqual(['Welcome, Ann']);
    await press(area().locator('.leadfwd-refresh'));
    await until(page, 'the welcome figures', () => document.querySelector('[data-figures-for="s1"] .leadfwd-stepfig-sent')?.textContent === '3 sent', null);
    expect(await area().locator('.leadfwd-enrolments').textContent()).toMatch(/3 in progress/);
    expect(await figure('s1', 'passed').textContent()).toBe('3 passed');
    expect(await figure('s2', 'waiting').textContent()).toBe('3 waiting here');
  });

  it('counts real opens and clicks on the sink mail per step, and the branch sends each side', async () => {
    // ann clicks the link of her welcome; bob opens his.
    const link = /https?:\/\/[^"'\s>]+\/t\/c\/[A-Za-z0-9._~-]+/.exec(await htmlTo('ann@example.com', 'Welcome'))![0].replace(/&amp;/g, '&');
    expect((await fetch(link, { headers: { 'User-Agent': HUMAN_UA }, redirect: 'manual' })).status).toBe(302);
    const pixel = /https?:\/\/[^"'\s>]+\/t\/o\/[A-Za-z0-9._~-]+/.exec(await htmlTo('bob@example.com', 'Welcome'))![0].replace(/&amp;/g, '&');
    expect((await fetch(pixel, { headers: { 'User-Agent': HUMAN_UA } })).status).toBe(200);
    await waitFor(async () => (await view()).steps[0].engagement?.clicked === 1 || undefined, 'the click in the automation');
    await press(area().locator('.leadfwd-refresh'));
    await until(page, 'the click figure', () => document.querySelector('[data-figures-for="s1"] .leadfwd-stepfig-clicked')?.textContent === '1 clicked', null);
    expect(await figure('s1', 'opened').textContent()).toBe('2 opened');

    // A day later: ann (clicked) gets the offer, bob and cat the first tip.
    offset += DAY + 60_000;
    const twoEach = () => ['ann', 'bob', 'cat'].every((n) => subjectsTo(`${n}@example.com`).length === 2);
    await waitFor(() => twoEach() || undefined, 'the branch', 30_000);
    expect(subjectsTo('ann@example.com')).toEqual(['Welcome, Ann', 'Your offer']);
    expect(subjectsTo('bob@example.com')).toEqual(['Welcome, Bob', 'Tip 1']);
    expect(subjectsTo('cat@example.com')).toEqual(['Welcome, Cat', 'Tip 1']);
    await press(area().locator('.leadfwd-refresh'));
    await until(page, 'the offer figures', () => document.querySelector('[data-figures-for="s4"] .leadfwd-stepfig-sent')?.textContent === '1 sent', null);
    expect(await figure('s5/0', 'sent').textContent()).toBe('2 sent');
    expect(await figure('s2', 'passed').count()).toBe(0);
    await noSerious('builder with figures');
    await bs.shot(page, 'area-automation-figures', '.leadfwd-area', { maxHeight: 1800, viewport: { width: 1280, height: 2600 } });
  });

  it('edits a step and saves it with every step id kept', async () => {
    const before = JSON.stringify((await view()).definition.steps, (k, v) => (k === 'subject' ? undefined : v));
    await field('s5', 'contents.1.subject').fill('Tip 2, a better one');
    await save();
    const steps = (await view()).definition.steps;
    expect(steps[2].else[0].contents[1].subject).toBe('Tip 2, a better one');
    expect(JSON.stringify(steps, (k, v) => (k === 'subject' ? undefined : v))).toBe(before);
    expect(await message().isHidden()).toBe(true);
    // Saved, Pause and Stop work again at once (they are off only while saving).
    expect(await area().locator('.leadfwd-automation-pause').isEnabled()).toBe(true);
    // Next interval: the edited content goes to bob and cat.
    offset += DAY + 60_000;
    await waitFor(() => subjectsTo('cat@example.com').length === 3 || undefined, 'the second tip', 30_000);
    expect(subjectsTo('cat@example.com')[2]).toBe('Tip 2, a better one');
  });

  it('pauses, resumes and, once confirmed, stops it', async () => {
    await press(area().locator('.leadfwd-automation-pause'));
    await until(page, 'paused', () => document.querySelector('.leadfwd-automation-summary .leadfwd-status-label')?.textContent === 'Paused', null);
    expect((await view()).status).toBe('paused');
    await press(area().locator('.leadfwd-automation-resume'));
    await until(page, 'active', () => document.querySelector('.leadfwd-automation-summary .leadfwd-status-label')?.textContent === 'Active', null);
    expect((await view()).status).toBe('active');
    await press(area().locator('.leadfwd-automation-stop'));
    expect((await alerts(page)).pop()).toMatchObject({ level: 'confirmation', messages: expect.stringContaining('Stop Spring onboarding?') });
    expect((await view()).status).toBe('active');
    await page.locator('#alerts .harness-confirm').click();
    await until(page, 'stopped', () => document.querySelector('.leadfwd-automation-summary .leadfwd-status-label')?.textContent === 'Stopped', null);
    expect((await view()).status).toBe('stopped');
    // Stopped: read only, nothing to press but Refresh.
    expect(await area().locator('.leadfwd-save').count()).toBe(0);
    expect(await area().locator('.leadfwd-page-buttons button').allTextContents()).toEqual(['Refresh']);
    expect((await alerts(page)).filter((a) => a.level === 'error')).toEqual([]);
  });

  it('lists it on the Automations page and keeps its step campaigns under it in the campaign list', async () => {
    await press(area().locator('.nav-tabs a', { hasText: 'Automations' }));
    const row = area().locator(`tr[data-automation-id="${automationId}"]`);
    await row.waitFor();
    expect(await row.locator('.leadfwd-status-label').textContent()).toBe('Stopped');
    expect(await row.locator('.leadfwd-fig-sent').textContent()).toBe('8');
    await noSerious('automations list');
    await bs.shot(page, 'area-automations', '.leadfwd-area');

    await press(area().locator('.nav-tabs a', { hasText: 'Campaigns' }));
    const group = area().locator(`li.leadfwd-group[data-automation-id="${automationId}"]`);
    await group.waitFor();
    // No step campaign among the people's campaigns: they are under their automation.
    expect(await area().locator('.leadfwd-results tr.leadfwd-campaign-row').count()).toBe(0);
    await press(group.locator('.leadfwd-group-toggle'));
    const steps = group.locator('table.leadfwd-step-table tr.leadfwd-campaign-row');
    await steps.first().waitFor();
    expect((await steps.locator('a.leadfwd-campaign-name').allTextContents()).sort()).toEqual([
      'Spring onboarding – Offer',
      'Spring onboarding – Tips – Tip 1',
      'Spring onboarding – Tips – Tip 2',
      'Spring onboarding – Welcome',
    ]);
    expect(await group.locator('.leadfwd-group-toggle').getAttribute('aria-expanded')).toBe('true');
    await noSerious('campaign list with an automation');
    await bs.shot(page, 'area-campaigns-automation', '.leadfwd-area');

    // A step campaign's report: the welcome's click.
    await press(steps.locator('a.leadfwd-campaign-name', { hasText: 'Spring onboarding – Welcome' }));
    const results = area().locator('table.leadfwd-results-table');
    await results.waitFor();
    expect(await results.locator('tr[data-measure="clicked"] .leadfwd-people').textContent()).toBe('1');
    await noSerious('step campaign report');
    expect(errors).toEqual([]);
  });
});

describe('the builder when a list is deleted in Sugar meanwhile', () => {
  it('names it once at the lists, keeps it ticked and marked, and keeps the automation', async () => {
    const temp = await createList(bs.sugar, 'Temporary list');
    await addToList(bs.sugar, temp, 'Contacts', []);
    await newAutomation(bs.harness.url, 'Autumn welcome', temp);
    await addStep('root', 'send_email');
    await field('s1', 'name').fill('Hello');
    await field('s1', 'subject').fill('Hello');
    await bs.sugar.request('DELETE', `/ProspectLists/${temp}`);
    await press(area().locator('.leadfwd-save'));
    await errorAt('', 'lists').filter({ hasText: 'These lists no longer exist in Sugar: Temporary list' }).waitFor();
    expect(await message().textContent()).toMatch(/was not saved/);
    const box = area().locator(`input[name="targetList"][value="${temp}"]`);
    expect(await box.isChecked()).toBe(true);
    expect(
      await area()
        .locator(`label[for="${await box.getAttribute('id')}"]`)
        .textContent(),
    ).toMatch(/\(deleted in Sugar\)$/);
    expect(page.url()).toMatch(/#Home\/layout\/leadfwd-automation$/);
    expect(await field('s1', 'subject').inputValue()).toBe('Hello');
    expect((await bs.stack.api('GET', '/automations')).body.automations.map((a: { name: string }) => a.name)).not.toContain('Autumn welcome');
    // Choosing another list clears the problem.
    await box.uncheck();
    expect(await errorAt('', 'lists').textContent()).toBe('');
    expect(errors).toEqual([]);
  });
});

describe('the builder for other roles', () => {
  it('dana (views Campaigns only) sees the automation and its figures, without actions', async () => {
    const dana = await bs.open('dana');
    await dana.page.goto(`${bs.harness.url}#Home/layout/leadfwd-automation?automation=${automationId}`);
    const a = dana.page.locator('.leadfwd-area');
    await a.locator('form.leadfwd-builder').waitFor();
    await a.locator('[data-figures-for="s1"] .leadfwd-stepfig-sent', { hasText: '3 sent' }).waitFor();
    expect(await a.locator('.leadfwd-save, .leadfwd-add-step, .leadfwd-automation-pause, .leadfwd-automation-stop').count()).toBe(0);
    expect(await a.locator('form.leadfwd-builder input:not([disabled]), form.leadfwd-builder textarea:not([disabled])').count()).toBe(0);
    await noSerious('builder as dana', dana.page);
    await dana.page.goto(`${bs.harness.url}#Home/layout/leadfwd-automations`);
    await a.locator(`tr[data-automation-id="${automationId}"]`).waitFor();
    expect(await a.locator('.leadfwd-new-automation, .leadfwd-automation-pause').count()).toBe(0);
    await dana.context.close();
  });

  it("max (owner-only Campaigns) cannot act on sally's automation", async () => {
    // An active one of sally's, so there would be something to pause.
    const sally = await relayAs(bs.stack, 'sally');
    const created = await sally('POST', '/automations', {
      name: 'Sally autumn',
      targetListIds: [listId],
      steps: [{ id: 'a1', type: 'send_email', name: 'Hello', subject: 'Hello', fromName: 'Sally', fromEmail: 'sally@example.com', html: '<p>Hi</p>' }],
    });
    expect(created.status).toBe(201);
    const max = await bs.open('max');
    await max.page.goto(`${bs.harness.url}#Home/layout/leadfwd-automation?automation=${created.body.id}`);
    const a = max.page.locator('.leadfwd-area');
    await a.locator('form.leadfwd-builder').waitFor();
    await a.locator('.leadfwd-role-note').waitFor();
    expect(await a.locator('.leadfwd-role-note').textContent()).toBe(
      'Sugar does not let you change this automation, so you can see it and its figures but not edit, pause or stop it.',
    );
    expect(await a.locator('.leadfwd-save, .leadfwd-automation-pause, .leadfwd-automation-stop').count()).toBe(0);
    await max.context.close();
  });
});
