import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetModule } from '../../service/src/domain/types.js';
import { createEngagement } from '../../service/src/engagement/index.js';
import { recordOutcomes } from '../../service/src/sending/outcomes.js';
import { openStore } from '../../service/src/store/db.js';
import { SugarClient } from '../../service/src/sugar/sugar-client.js';
import { createWriteback } from '../../service/src/writeback/index.js';
import { DEFAULT_WRITEBACK } from '../../service/src/writeback/settings.js';
import { sleep, startSimProcess } from './support.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 3000);
const PEOPLE = 3200;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const LINKS = ['https://shop.example.com/spring', 'https://example.com/about'];

const { proc: simProc, url: simUrl } = await startSimProcess();
const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${simUrl}/__sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<T>;
};
const { listIds } = await control<{ listIds: string[] }>('POST', '/seed-bulk', { lists: 1, perList: PEOPLE, overlap: 0 });
const dir = mkdtempSync(join(tmpdir(), 'leadfwd-wb-bench-'));
const store = openStore(join(dir, 'leadfwd.sqlite'));
const sugar = new SugarClient({ baseUrl: simUrl, username: 'admin', password: 'admin', platform: 'leadfwd' });

// The targets as extraction would have stored them: record ids and the shared address rows.
const targets: Array<{ module: TargetModule; id: string; email: string; emailAddressId: string }> = [];
for (const [module, link] of [
  ['Contacts', 'contacts'],
  ['Leads', 'leads'],
  ['Prospects', 'prospects'],
] as const) {
  for await (const page of sugar.linkPages('ProspectLists', listIds[0], link, { fields: ['email'] })) {
    for (const r of page) {
      const e = (r.email as Array<{ email_address: string; email_address_id: string }>)[0];
      if (e) targets.push({ module, id: String(r.id), email: e.email_address, emailAddressId: e.email_address_id });
    }
  }
}

const engagement = createEngagement({ store, softBounceLimit: 3, retentionDays: 30, openTooSoonMs: 0, clickTooSoonMs: 0, flushMs: 0 });
const writeback = createWriteback({ store, sugar, settings: DEFAULT_WRITEBACK, links: async (c) => store.campaigns.links(c.id) });
const c = store.campaigns.create({
  name: 'Write-back bench',
  subject: 'Hi',
  fromName: 'Bench',
  fromEmail: 'news@bench.test',
  html: '<p>Hi</p>',
  targetListIds: [listIds[0]],
  leadfwdListIds: [],
  customFields: [],
  sendAt: new Date().toISOString(),
});
for (const [from, to] of [
  ['draft', 'extracting'],
  ['extracting', 'pending'],
  ['pending', 'sending'],
] as const)
  store.campaigns.transition(c.id, [from], to);
store.campaigns.saveLinks(c.id, LINKS);
store.recipients.insertMany(
  c.id,
  targets.map((t) => ({ ...t, listId: listIds[0], fields: {}, trackingConsent: true, addressKey: t.email.toLowerCase() })),
);
const rows = store.recipients.claim(c.id, targets.length, new Date().toISOString()).map((r) => r.rowId);

// 10,000 events: 3,200 deliveries, 2,500 opens, 2,400 + 1,300 clicks, 300 opt-outs, 300 hard bounces.
const events: Array<() => unknown> = [];
const later = (s: number) => new Date(Date.now() + s * 1000);
const chunk = (ids: number[], size: number) => Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));
for (const ids of chunk(rows, 100))
  events.push(
    async () =>
      await recordOutcomes(
        store,
        c.id,
        ids.map((rowId) => ({ rowId, state: 'accepted' as const, messageId: `<${rowId}@bench>` })),
      ),
  );
for (const rowId of rows.slice(0, 2500)) events.push(async () => await engagement.opens.record({ rowId, method: 'GET', userAgent: UA, at: new Date() }));
// Clicks on the two links come minutes apart, as a reader's would (quicker looks like a link scanner).
for (const rowId of rows.slice(0, 2400))
  events.push(
    async () =>
      await engagement.clicks.record({ rowId, linkIndex: 0, method: 'GET', userAgent: UA, at: later(10) }, (await engagement.clicks.resolve(rowId, 0))!),
  );
for (const rowId of rows.slice(0, 1300))
  events.push(
    async () =>
      await engagement.clicks.record({ rowId, linkIndex: 1, method: 'GET', userAgent: UA, at: later(120) }, (await engagement.clicks.resolve(rowId, 1))!),
  );
for (const rowId of rows.slice(2500, 2800)) events.push(async () => await engagement.facts.optOut(rowId, 'one_click'));
for (const rowId of rows.slice(2800, 3100))
  events.push(async () => await engagement.facts.bounce(rowId, { kind: 'hard', rule: 'bench', version: 'bench', status: '5.1.1', source: 'dsn' }));
const eventCount = rows.length + 2500 + 2400 + 1300 + 300 + 300;

await writeback.campaignStarted(store.campaigns.get(c.id)!);
await control('DELETE', '/requests');
sugar.resetStats();
await control('POST', '/faults', { latencyMs: LATENCY_MS });
await writeback.start();

const started = Date.now();
const perTick = Math.ceil(events.length / (SPREAD_MS / 20));
for (let i = 0; i < events.length; i += perTick) {
  await Promise.all(events.slice(i, i + perTick).map((e) => e()));
  await sleep(20);
}
await engagement.opens.flush();
const lastEvent = Date.now();
for (;;) {
  const s = await writeback.state(c.id);
  if (s.pending === 0 && s.hitsPending === 0 && !writeback.worker.busy()) break;
  await sleep(10);
}
const emptied = Date.now();

const http = (await control<Array<{ path: string; bulk: boolean }>>('GET', '/requests')).filter((r) => !r.bulk);
const state = await writeback.state(c.id);
const line = (k: string, v: string | number) => console.log(`${k.padEnd(34)} ${v}`);
line('events', eventCount);
line('events arrived over', `${lastEvent - started} ms`);
const bulkCalls = http.filter((r) => r.path.endsWith('/bulk')).length;
line('Sugar HTTP requests', `${http.length} (${bulkCalls} POST /bulk${http.length > bulkCalls ? ', the rest session calls' : ''})`);
line('events per request', (eventCount / http.length).toFixed(1));
line('requests per 1,000 events', ((http.length / eventCount) * 1000).toFixed(2));
line('outbox empty after last event', `${emptied - lastEvent} ms`);
line('added latency per request', `${LATENCY_MS} ms`);
line('CampaignLog rows in Sugar', JSON.stringify(await control('GET', `/campaign-log-counts/${store.campaigns.get(c.id)!.sugarCampaignId}`)));
line('written back / dead', `${state.done} / ${state.dead}`);
line(
  'settings',
  JSON.stringify({
    batchSize: DEFAULT_WRITEBACK.batchSize,
    bulkMax: DEFAULT_WRITEBACK.bulkMax,
    inFlight: DEFAULT_WRITEBACK.inFlight,
    ratePerSecond: DEFAULT_WRITEBACK.ratePerSecond,
  }),
);

await writeback.stop();
await engagement.close();
await sugar.logout().catch(() => undefined);
store.close();
simProc.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
