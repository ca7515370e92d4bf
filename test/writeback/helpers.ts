// A write-back harness on real parts: the Sugar simulator on port 0, a real SQLite store file, the
// real engagement recorders writing facts and outbox rows, and the write-back worker draining them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimOptions, type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import type { TargetModule } from '../../service/src/domain/types.js';
import { createEngagement, type Engagement } from '../../service/src/engagement/index.js';
import type { Outcome } from '../../service/src/ports/index.js';
import { recordOutcomes } from '../../service/src/sending/outcomes.js';
import { openStore, type Store } from '../../service/src/store/db.js';
import { SugarClient, type SugarClientOptions } from '../../service/src/sugar/sugar-client.js';
import { createWriteback, type Writeback, type WritebackState } from '../../service/src/writeback/index.js';
import type { OptOutScopeSource } from '../../service/src/writeback/opt-out-scope.js';
import { DEFAULT_WRITEBACK, type WritebackSettings } from '../../service/src/writeback/settings.js';
import { toSending } from '../store/helpers.js';
import { waitFor } from '../support/stack.js';
import { addToList, adminClient, createList, createPerson } from '../support/sugar-seed.js';

export const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const LINKS = ['https://shop.example.com/spring?utm_source=leadfwd', 'https://example.com/about'];

export interface Person {
  module: TargetModule;
  id: string;
  email: string;
  emailAddressId: string;
  others: string[];
}

/** Fast backoff so fault tests finish in seconds; everything else as configured in production. */
export const TEST_SETTINGS: WritebackSettings = { ...DEFAULT_WRITEBACK, retryBaseMs: 50, retryMaxMs: 1000, pollMs: 20, ratePerSecond: 0 };

export async function startWritebackSim(opts: SimOptions = {}): Promise<SugarSim> {
  return startSugarSim({ port: 0, seed: 'empty', quiet: true, ...opts });
}

/** Specs for seedPeople: `n` people of `module` at <prefix>0@example.com, <prefix>1@example.com, … */
export function numberedPeople(n: number, prefix: string, module: TargetModule = 'Contacts'): Array<{ module: TargetModule; email: string }> {
  return Array.from({ length: n }, (_, i) => ({ module, email: `${prefix}${i}@example.com` }));
}

/** Creates people (the second address of each is an extra, never mailed) and one Target List holding them. */
export async function seedPeople(
  sim: SugarSim,
  specs: Array<{ module: TargetModule; email: string; extra?: string }>,
): Promise<{ people: Person[]; listId: string }> {
  const sugar = adminClient(sim.url);
  const listId = await createList(sugar, 'Spring newsletter');
  const people: Person[] = [];
  for (const [i, s] of specs.entries()) {
    const id = await createPerson(sugar, {
      module: s.module as 'Contacts',
      first_name: `P${i}`,
      emails: [{ address: s.email, primary: true }, ...(s.extra ? [{ address: s.extra }] : [])],
    });
    await addToList(sugar, listId, s.module as 'Contacts', [id]);
    const rec = await sugar.get<{ email: Array<{ email_address: string; email_address_id: string }> }>(`/${s.module}/${id}`, { fields: 'email' });
    const own = rec.email.find((e) => e.email_address.toLowerCase() === s.email.toLowerCase())!;
    people.push({
      module: s.module,
      id,
      email: s.email,
      emailAddressId: own.email_address_id,
      others: rec.email.filter((e) => e !== own).map((e) => e.email_address_id),
    });
  }
  await sugar.logout();
  return { people, listId };
}

export interface Harness {
  store: Store;
  engagement: Engagement;
  writeback: Writeback;
  sugar: SugarClient;
  dir: string;
  path: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<WritebackSettings>;
  client?: Partial<SugarClientOptions>;
  dir?: string;
  afterSugarAnswer?: () => void;
  optOutScope?: (sugar: SugarClient) => OptOutScopeSource;
  /** The store as the write-back worker sees it (a fault of our own in one of its parts, say). */
  writebackStore?: (store: Store) => Store;
}

export function openHarness(sim: SugarSim, o: HarnessOptions = {}): Harness {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'leadfwd-wb-'));
  const path = join(dir, 'leadfwd.sqlite');
  const store = openStore(path);
  const sugar = new SugarClient({ baseUrl: sim.url, username: 'admin', password: 'admin', platform: 'leadfwd', retryBaseMs: 5, retryMaxMs: 50, ...o.client });
  const engagement = createEngagement({ store, softBounceLimit: 1, retentionDays: 30, openTooSoonMs: 0, clickTooSoonMs: 0, flushMs: 0 });
  const writeback = createWriteback({
    store: o.writebackStore?.(store) ?? store,
    sugar,
    settings: { ...TEST_SETTINGS, ...o.settings },
    links: async (c) => store.campaigns.links(c.id),
    afterSugarAnswer: o.afterSugarAnswer,
    optOutScope: o.optOutScope?.(sugar),
  });
  return {
    store,
    engagement,
    writeback,
    sugar,
    dir,
    path,
    async close() {
      await writeback.stop();
      await engagement.close();
      await sugar.logout().catch(() => undefined);
      store.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A campaign that started sending (so the write-back took it on) with one ledger row per person. */
type CampaignOver = { name?: string; sugarCampaignId?: string; leadfwdListIds?: string[]; targetListIds?: string[]; sendAt?: string };

export async function sendingCampaign(h: Harness, listId: string, people: Person[], over: CampaignOver = {}) {
  const { store } = h;
  const c = await store.campaigns.create({
    name: over.name ?? 'Spring news',
    subject: 'Hello',
    fromName: 'Spring Team',
    fromEmail: 'news@news.example.test',
    html: '<p>Hi</p>',
    targetListIds: over.targetListIds ?? [listId],
    leadfwdListIds: over.leadfwdListIds ?? [],
    customFields: [],
    sendAt: over.sendAt ?? new Date().toISOString(),
    sugarCampaignId: over.sugarCampaignId,
  });
  await toSending(store, c.id);
  await store.campaigns.saveLinks(c.id, LINKS);
  await h.writeback.campaignStarted((await store.campaigns.get(c.id))!);
  await store.recipients.insertMany(
    c.id,
    people.map((p) => ({
      module: p.module,
      id: p.id,
      listId: over.leadfwdListIds?.[0] ?? listId,
      email: p.email,
      emailAddressId: p.emailAddressId,
      fields: {},
      trackingConsent: true,
      addressKey: p.email.toLowerCase(),
    })),
  );
  const rows = await store.recipients.claim(c.id, people.length, new Date().toISOString());
  const rowOf = new Map(rows.map((r) => [r.email, r.rowId]));
  return { campaign: (await store.campaigns.get(c.id))!, rowIds: people.map((p) => rowOf.get(p.email)!) };
}

/** What most write-back tests start from: the people seeded in one Target List, a harness, and their campaign sending. */
export async function harnessWithCampaign(
  sim: SugarSim,
  specs: Parameters<typeof seedPeople>[1],
  o: { harness?: HarnessOptions; campaign?: CampaignOver } = {},
) {
  const { people, listId } = await seedPeople(sim, specs);
  const h = openHarness(sim, o.harness);
  const { campaign, rowIds } = await sendingCampaign(h, listId, people, o.campaign);
  return { h, people, listId, campaignId: campaign.id, rowIds };
}

/** Delivery outcomes as the send loop records them: the ledger and each row's `sent` outbox item together. */
export async function settle(h: Harness, outcomes: Outcome[]): Promise<number> {
  const byCampaign = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const campaignId = (await h.store.recipients.get(o.rowId))!.campaignId;
    byCampaign.set(campaignId, [...(byCampaign.get(campaignId) ?? []), o]);
  }
  let changed = 0;
  for (const [campaignId, batch] of byCampaign) changed += await recordOutcomes(h.store, campaignId, batch);
  return changed;
}

/** Every row accepted by the relay, each with its own Message-ID (as settle records it). */
export const accept = (h: Harness, rowIds: number[]) =>
  settle(
    h,
    rowIds.map((rowId) => ({ rowId, state: 'accepted' as const, messageId: `<${rowId}@t>` })),
  );

export async function open(h: Harness, rowId: number, times = 1) {
  for (let i = 0; i < times; i++) await h.engagement.opens.record({ rowId, method: 'GET', userAgent: HUMAN_UA, ip: '203.0.113.9', at: new Date() });
}

/** `laterMs` moves the click on, so clicks on different links do not look like a scanner's burst. */
export async function click(h: Harness, rowId: number, linkIndex: number, laterMs = 0) {
  const resolved = (await h.engagement.clicks.resolve(rowId, linkIndex))!;
  return await h.engagement.clicks.record(
    { rowId, linkIndex, method: 'GET', userAgent: HUMAN_UA, ip: '203.0.113.9', at: new Date(Date.now() + laterMs) },
    resolved,
  );
}

export const hardBounce = async (h: Harness, rowId: number) =>
  await h.engagement.facts.bounce(rowId, { kind: 'hard', rule: 'status.5.1.x', version: 'test', status: '5.1.1', diagnostic: 'user unknown', source: 'dsn' });
export const softBounce = async (h: Harness, rowId: number) =>
  await h.engagement.facts.bounce(rowId, {
    kind: 'soft',
    rule: 'text.mailbox-full',
    version: 'test',
    status: '4.2.2',
    diagnostic: 'mailbox full',
    source: 'dsn',
  });

/** Waits until nothing is pending and no hit counter waits for Sugar. */
export function drained(h: Harness, campaignId: string, timeoutMs = 20_000) {
  return stateWhen(
    h,
    campaignId,
    (s) => s.pending === 0 && s.hitsPending === 0 && !h.writeback.worker.busy(),
    `write-back of ${campaignId} to drain`,
    timeoutMs,
  );
}

/** Waits until the campaign's write-back state shows `seen`; answers that state. */
export function stateWhen(h: Harness, campaignId: string, seen: (s: WritebackState) => boolean, what: string, timeoutMs?: number): Promise<WritebackState> {
  return waitFor(
    async () => {
      const s = await h.writeback.state(campaignId);
      return seen(s) ? s : undefined;
    },
    what,
    timeoutMs,
  );
}

/** Sugar's CampaignLog rows of a campaign, straight from the simulator's tables. */
export function sugarLog(sim: SugarSim, sugarCampaignId: string) {
  return sim.db
    .prepare(`SELECT id, target_id, target_type, activity_type, related_id, related_type, hits, list_id, more_information,
      target_tracker_key, activity_date FROM campaign_log WHERE campaign_id = ? AND deleted = 0 ORDER BY id`)
    .all(sugarCampaignId) as Array<Record<string, any>>;
}

export function emailFlags(sim: SugarSim, id: string) {
  return sim.db.prepare('SELECT opt_out, invalid_email FROM email_addresses WHERE id = ?').get(id) as { opt_out: number; invalid_email: number };
}

export { waitFor };
