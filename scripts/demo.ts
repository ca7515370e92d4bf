// `npm run demo`: the whole product on loopback with embedded defaults — the seeded Sugar simulator,
// a local SMTP sink that writes every message as an .eml file, the service on SQLite, and a Sidecar-compatible page
// playing Sugar (its leadfwd/* endpoints run the package's real PHP). The demo pairs that Sugar with the service the
// way an administrator does once on a real Sugar: a one-time code from the service, traded in Sugar's LeadFWD settings.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSugarSim } from './sugar-sim/server.js';
import { DEMO_IDS } from './sugar-sim/seed.js';
import { startSmtpSink } from '../service/src/mail/sink.js';
import { loadConfig } from '../service/src/config.js';
import { startService } from '../service/src/composition.js';
import { startHarness } from './sugar-harness/server.js';

const dir = resolve(process.env.LEADFWD_DEMO_DIR ?? 'demo-data');
const mailDir = resolve(dir, 'mail');
mkdirSync(mailDir, { recursive: true });

const simPort = Number(process.env.SUGAR_SIM_PORT ?? 8089);
const smtpPort = Number(process.env.LEADFWD_DEMO_SMTP_PORT ?? 2525);
const sim = await startSugarSim({ port: simPort, seed: 'demo', quiet: true });
const sink = await startSmtpSink({ port: smtpPort, dir: mailDir });
/**
 * The service refuses to start without strong secrets (no public defaults), so the demo makes its own the first
 * time, 32 random bytes each, keeps them in its data folder (owner-only) and reuses them on the next run: links in
 * mail the sink already holds keep working. The environment wins when it sets them.
 */
function demoSecret(name: string): string {
  const file = resolve(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(32).toString('base64url');
  writeFileSync(file, value + '\n', { mode: 0o600 });
  return value;
}
const secret = process.env.LEADFWD_SECRET ?? demoSecret('secret');
const apiKey = process.env.LEADFWD_API_KEY ?? demoSecret('api-key');
// The dashlet and send flow inside a Sidecar-compatible page in front of the simulator (needs php-cli).
const harness = await startHarness({ port: Number(process.env.LEADFWD_DEMO_HARNESS_PORT ?? 8090), refreshSeconds: 5 })
  .catch((e: Error) => { console.warn(`Sugar UI page not started: ${e.message}`); return undefined; });
const config = loadConfig({
  LEADFWD_DATA_DIR: resolve(dir, 'service'),
  LEADFWD_SUGAR_URL: sim.url,
  LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
  LEADFWD_API_KEY: apiKey,
  // The demo's From addresses: the curl example below and the seeded Sugar users (sally@example.com …).
  LEADFWD_SENDER_DOMAINS: 'leadfwd.localhost,example.com',
  LEADFWD_SECRET: secret,
  ...process.env,
});
const service = await startService(config);
harness?.configure({ sugarUrl: sim.url, serviceUrl: service.url, settings: sim.leadfwdSettings });

/**
 * What an administrator does once in Sugar (Administration → LeadFWD settings): the service address and a pairing
 * code, then Pair. Through the harness that is the package's own PHP endpoint; without php-cli, the simulator's copy.
 */
async function pairSugar(): Promise<string> {
  const made = await fetch(`${service.url}/api/v1/relay/pairing-code`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` } });
  const { code } = (await made.json()) as { code: string };
  const login = await fetch(`${sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'admin', password: 'admin', platform: 'mobile' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const sugarRest = harness ? `${harness.origin}/rest/v11_1` : `${sim.url}/rest/v11_1`;
  const paired = await fetch(`${sugarRest}/leadfwd/pair`, {
    method: 'POST', headers: { 'OAuth-Token': token, 'Content-Type': 'application/json' }, body: JSON.stringify({ service_url: service.url, code }),
  });
  const answer = (await paired.json()) as { status?: number; body?: string };
  if (answer.status !== 200) throw new Error(`pairing failed: ${JSON.stringify(answer)}`);
  return code;
}
const pairing = await pairSugar().then(
  (code) => `paired with code ${code} (used; a code works once)`,
  (e: Error) => `NOT paired: ${e.message}`,
);

const body = JSON.stringify({
  name: 'Demo newsletter',
  subject: 'Hello {{ first_name | default: "there" }}',
  fromName: 'LeadFWD Demo',
  fromEmail: 'news@leadfwd.localhost',
  html: '<h1>Hi {{ first_name | default: "there" }}</h1><p>Your region: {{ region_c | default: "unknown" }}</p><p><a href="https://example.com/offer?utm_source=leadfwd">See the offer</a></p>',
  targetListIds: DEMO_IDS.sendableListIds,
  // Started from the seeded Sugar campaign, so its exempt lists apply as they would in Sugar.
  sugarCampaignId: DEMO_IDS.campaigns.spring,
  customFields: ['region_c'],
});
console.log(`
LeadFWD demo is running (Ctrl+C stops it)
  Service          ${service.url}   (API key: ${apiKey}, kept with the signing secret in ${dir})
  Sugar simulator  ${sim.url}/rest/v11_1   users admin, sally, max, dana, chris (password = user name)
  SMTP sink        smtp://127.0.0.1:${sink.port}   messages written to ${mailDir}
  Inside Sugar     ${harness ? `${harness.url}   the dashlet and "Send via LeadFWD" (log in as sally/sally; admin/admin for Administration;
                   dana/dana may only follow campaigns, chris/chris has no Campaigns; ?sugar=8 plays Sugar 8)` : 'not started (needs php-cli with curl)'}
  Sugar ↔ service  ${pairing}
                   On a real Sugar an administrator does this once: Administration → LeadFWD settings → the service
                   address and the code the service prints at start (or npm run pairing-code) → Pair.

Send the demo campaign now:
  curl -s -X POST ${service.url}/api/v1/campaigns -H 'Authorization: Bearer ${apiKey}' -H 'Content-Type: application/json' -d '${body.replace(/'/g, "'\\''")}'
Then watch it:
  curl -s ${service.url}/api/v1/campaigns -H 'Authorization: Bearer ${apiKey}'
`);

const stop = async () => {
  await service.stop();
  await sink.close();
  await sim.close();
  await harness?.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
