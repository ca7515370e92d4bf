// Micro-benchmark (not a test) of the mail leg alone: build + DKIM + SMTP to Postfix's
// smtp-sink on loopback, inline signing vs a worker-thread signer, next to bare nodemailer
// sending the same pre-built bytes. Run: npx tsx scripts/bench/send-micro.ts [N]
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { buildMessage, type MessageContext } from '../../service/src/mail/message.js';
import { createSmtpTransport } from '../../service/src/mail/smtp-transport.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { freePort } from './support.js';

const N = Number(process.argv[2] ?? 4000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const IN_FLIGHT = 64;

const port = await freePort();
const sinkProc = spawn('/usr/sbin/smtp-sink', ['-c', '-u', 'nobody', `127.0.0.1:${port}`, '1000'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 300));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const section = (i: number) =>
  `<mj-section><mj-column><mj-text><h2>Story ${i} for {{ first_name | default: "you" }}</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua at {{ account_name }}.</p><p><a href="https://news.example.com/story/${i}?utm_source=leadfwd">Read more</a></p></mj-text><mj-button href="https://shop.example.com/p/${i}">Shop</mj-button></mj-column></mj-section>`;
const campaign = await compileCampaign({
  campaignId: 'bench',
  subject: 'News for {{ first_name }}',
  fromName: 'Example',
  fromEmail: 'news@example.com',
  mjml: `<mjml><mj-body>${Array.from({ length: 6 }, (_, i) => section(i)).join('')}</mj-body></mjml>`,
});
const ctx: MessageContext = {
  publicUrl: 'https://t.example.com',
  secret: 's',
  bounceDomain: 'bounces.example.com',
  messageIdDomain: 'example.com',
  feedbackSenderId: 'leadfwd',
  senderPostalAddress: '1 Main St',
};
const build = (i: number) =>
  buildMessage(campaign, { rowId: i, email: `user${i}@example.org`, fields: { first_name: `U${i}`, account_name: 'Acme' }, trackingConsent: true }, ctx);

async function drive(label: string, sendOne: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) await sendOne(next++);
    }),
  );
  const rate = N / ((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  console.log(
    `${label.padEnd(40)} ${rate.toFixed(0).padStart(6)} msg/s  ${((cpu.user + cpu.system) / N).toFixed(0).padStart(4)} µs CPU/msg (all threads)  main loop ${(elu.utilization * 100).toFixed(0)}% busy`,
  );
  return rate;
}

const smtpUrl = `smtp://127.0.0.1:${port}`;
const prebuilt = build(0);
const bare = nodemailer.createTransport({ host: '127.0.0.1', port, pool: true, maxConnections: CONNECTIONS, maxMessages: 1000 });
await drive('bare nodemailer, pre-built bytes', () => bare.sendMail({ envelope: prebuilt.envelope, raw: prebuilt.raw }));
bare.close();

for (const workers of [0, 1, 2]) {
  const t = createSmtpTransport({
    smtpUrl,
    maxConnections: CONNECTIONS,
    dkimWorkers: workers,
    dkim: { domainName: 'example.com', keySelector: 'lf', privateKeyPem: pem },
  });
  let failed = 0;
  await drive(`build + DKIM (${workers ? workers + ' workers' : 'inline'}) + SMTP`, async (i) => {
    const r = await t.send(build(i));
    if (r.outcome !== 'accepted') failed++;
  });
  if (failed) console.log(`  ${failed} not accepted`);
  t.close();
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, N=${N}, ${CONNECTIONS} connections`);
sinkProc.kill();
