// `npm run demo`: the whole product on loopback with embedded defaults — the seeded Sugar simulator,
// a local SMTP sink that writes every message as an .eml file, the service on SQLite, and a Sidecar-compatible page
// playing Sugar (its leadfwd/* endpoints run the package's real PHP). The demo pairs that Sugar with the service the
// way an administrator does once on a real Sugar: a one-time code from the service, traded in Sugar's LeadFWD settings.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startService } from '../service/src/composition.js';
import { loadConfig } from '../service/src/config.js';
import { createLogger } from '../service/src/logger.js';
import { startSmtpSink } from '../service/src/mail/sink.js';
import { exitOnStartupFailure } from '../service/src/startup-exit.js';
import { choosePort, demoDkimKey, quietRequests } from './demo/first-run.js';
import { startHarness } from './sugar-harness/server.js';
import { DEMO_IDS } from './sugar-sim/seed.js';
import { startSugarSim } from './sugar-sim/server.js';

const dir = resolve(process.env.LEADFWD_DEMO_DIR ?? 'demo-data');
const mailDir = resolve(dir, 'mail');
mkdirSync(mailDir, { recursive: true });

// Each default port, or a free one when something else (a local Postfix on 2525/2526, another demo) holds it.
const env = process.env;
const ports = {
  sim: await choosePort('Sugar simulator', env.SUGAR_SIM_PORT, 8089),
  smtp: await choosePort('SMTP sink', env.LEADFWD_DEMO_SMTP_PORT, 2525),
  service: await choosePort('service', env.LEADFWD_PORT, 8080),
  bounce: await choosePort('bounce SMTP listener', env.LEADFWD_BOUNCE_SMTP_PORT, 2526),
  harness: await choosePort('Sugar UI page', env.LEADFWD_DEMO_HARNESS_PORT, 8090),
};
/** As `npm start` says it: a bad setting in one message (exit 78), a start-up failure in one line (exit 1), no stack. */
function started<T>(fn: () => T): T {
  try {
    const out = fn();
    return (out instanceof Promise ? out.catch(exitOnStartupFailure) : out) as T;
  } catch (e) {
    return exitOnStartupFailure(e);
  }
}
// Sugar's records are kept beside the service's: a restart found the Sugar Campaigns the service made gone, so
// their campaigns vanished from their creators' lists (Sugar answered 404 for them). Owner-only: the simulated
// Sugar's database holds its users' tokens and password hashes.
mkdirSync(resolve(dir, 'sugar'), { recursive: true, mode: 0o700 });
chmodSync(resolve(dir, 'sugar'), 0o700);
const sim = await startSugarSim({ port: ports.sim.port, seed: 'demo', quiet: true, dbPath: resolve(dir, 'sugar', 'sugar.sqlite') });
const sink = await startSmtpSink({ port: ports.smtp.port, dir: mailDir });
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
const harness = await startHarness({ port: ports.harness.port, refreshSeconds: 5 }).catch((e: Error) => {
  console.warn(`Sugar UI page not started: ${e.message}`);
  return undefined;
});
// Signed as the README says: a demo key of its own, made once and kept with the other demo secrets.
const dkim = env.LEADFWD_DKIM_PRIVATE_KEY_FILE ? undefined : demoDkimKey(dir, 'leadfwd.localhost', 'demo');
const config = started(() =>
  loadConfig({
    LEADFWD_DATA_DIR: resolve(dir, 'service'),
    LEADFWD_PORT: String(ports.service.port),
    LEADFWD_BOUNCE_SMTP_PORT: String(ports.bounce.port),
    ...(dkim ? { LEADFWD_DKIM_DOMAIN: dkim.domain, LEADFWD_DKIM_SELECTOR: dkim.selector, LEADFWD_DKIM_PRIVATE_KEY_FILE: dkim.keyFile } : {}),
    LEADFWD_SUGAR_URL: sim.url,
    LEADFWD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    LEADFWD_API_KEY: apiKey,
    // The demo's From addresses: the curl example below and the seeded Sugar users (sally@example.com …).
    LEADFWD_SENDER_DOMAINS: 'leadfwd.localhost,example.com',
    LEADFWD_SECRET: secret,
    ...process.env,
  }),
);
const service = await started(() => startService(config, { logger: quietRequests(createLogger(config.logLevel)) }));
harness?.configure({ sugarUrl: sim.url, serviceUrl: service.url, settings: sim.leadfwdSettings });

/**
 * What an administrator does once in Sugar (Administration → LeadFWD settings): the service address and a pairing
 * code, then Pair. Through the harness that is the package's own PHP endpoint; without php-cli, the simulator's copy.
 */
async function pairSugar(): Promise<string> {
  const made = await fetch(`${service.url}/api/v1/relay/pairing-code`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}` } });
  const { code } = (await made.json()) as { code: string };
  const login = await fetch(`${sim.url}/rest/v11_1/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: 'sugar', client_secret: '', username: 'admin', password: 'admin', platform: 'mobile' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const sugarRest = harness ? `${harness.origin}/rest/v11_1` : `${sim.url}/rest/v11_1`;
  const paired = await fetch(`${sugarRest}/leadfwd/pair`, {
    method: 'POST',
    headers: { 'OAuth-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ service_url: service.url, code }),
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
const moved = Object.values(ports).filter((p) => p.moved);
console.log(`
LeadFWD demo is running (Ctrl+C stops it)
  Service          ${service.url}   (API key: ${apiKey}, kept with the signing secret in ${dir})
  Sugar simulator  ${sim.url}/rest/v11_1   users admin, sally, max, dana, chris (password = user name)
  SMTP sink        smtp://127.0.0.1:${sink.port}   each message written to ${mailDir} as <time>_<recipient>_<n>.eml
  Bounces          smtp://127.0.0.1:${service.bouncePort}   (LEADFWD_BOUNCE_SMTP_PORT) bounces, complaints and mailto unsubscribes
${moved.map((p) => `  Port ${p.wanted} is taken (another mail server or demo?): the ${p.name} uses ${p.port} instead.\n`).join('')}  DKIM             ${
  dkim
    ? `signed as d=${dkim.domain} s=${dkim.selector} with a demo key ${dkim.created ? 'made now' : 'kept'} in ${dkim.keyFile}
                   A real domain would publish:  ${dkim.dnsName}. IN TXT ${(dkim.dnsRecord.match(/.{1,255}/g) ?? []).map((c) => `"${c}"`).join(' ')}`
    : `the key LEADFWD_DKIM_PRIVATE_KEY_FILE names`
}
  Log              one JSON line per event; HTTP requests only with LEADFWD_LOG_LEVEL=debug
  Inside Sugar     ${
    harness
      ? `${harness.url}   the dashlet and "Send via LeadFWD" (log in as sally/sally; admin/admin for Administration;
                   dana/dana may only follow campaigns, chris/chris has no Campaigns; ?sugar=8 plays Sugar 8)`
      : 'not started (needs php-cli with curl)'
  }
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
