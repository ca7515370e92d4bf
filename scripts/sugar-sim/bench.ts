// Benchmark (not a test): bulk seeding and extraction-style paging at the 20,000-target scale.
// Run: npx tsx scripts/sugar-sim/bench.ts [lists] [perList]
import { startSugarSim } from './server.js';

const lists = Number(process.argv[2] ?? 3);
const perList = Number(process.argv[3] ?? 7000);
const sim = await startSugarSim({ seed: 'empty', quiet: true });
const base = `${sim.url}/rest/v11_1`;
const ms = (t0: number) => Math.round(performance.now() - t0);

try {
  let t0 = performance.now();
  const { listIds } = sim.seedBulk({ lists, perList, optedOutFraction: 0.02, invalidFraction: 0.01, missingFraction: 0.01 });
  const seedMs = ms(t0);

  const login = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'admin', password: 'admin', platform: 'leadfwd' }),
  });
  const headers = { 'OAuth-Token': ((await login.json()) as { access_token: string }).access_token, 'Content-Type': 'application/json' };

  const pageTimes: number[] = [];
  let records = 0;
  t0 = performance.now();
  for (const list of listIds) {
    for (const link of ['contacts', 'leads', 'prospects']) {
      for (let offset = 0; offset >= 0; ) {
        const t = performance.now();
        const res = await fetch(`${base}/ProspectLists/${list}/link/${link}?max_num=1000&offset=${offset}&fields=email,first_name,last_name,region_c`, {
          headers,
        });
        const body = (await res.json()) as { next_offset: number; records: unknown[] };
        pageTimes.push(performance.now() - t);
        records += body.records.length;
        offset = body.next_offset;
      }
    }
  }
  const extractMs = ms(t0);

  const rows = 2000;
  t0 = performance.now();
  for (let i = 0; i < rows; i += 100) {
    const requests = Array.from({ length: 100 }, (_, k) => ({
      url: '/v11_1/CampaignLog',
      method: 'POST',
      data: { campaign_id: 'bench', target_id: `t${i + k}`, target_type: 'Contacts', activity_type: 'targeted' },
    }));
    await fetch(`${base}/bulk`, { method: 'POST', headers, body: JSON.stringify({ requests }) });
  }
  const logMs = ms(t0);

  const sorted = [...pageTimes].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        seed: { lists, perList, ms: seedMs },
        extraction: {
          pages: pageTimes.length,
          records,
          totalMs: extractMs,
          firstPageMs: Math.round(pageTimes[0]),
          medianPageMs: Math.round(sorted[Math.floor(sorted.length / 2)]),
          maxPageMs: Math.round(sorted.at(-1)!),
        },
        campaignLogViaBulk: { rows, ms: logMs, counted: sim.campaignLogCounts('bench') },
      },
      null,
      2,
    ),
  );
} finally {
  await sim.close();
}
