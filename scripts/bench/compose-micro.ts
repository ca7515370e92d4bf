// Micro-benchmark (not a test): per-message cost of building + DKIM-signing one campaign
// message, our raw MIME writer vs nodemailer's composer. Run: npx tsx scripts/bench/compose-micro.ts
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import { createDkimSigner } from '../../service/src/mail/dkim.js';
import { buildMessage, type MessageContext, trackingUrls } from '../../service/src/mail/message.js';
import { compileCampaign, renderContent } from '../../service/src/mail/template.js';

const N = Number(process.env.N ?? 4000);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

// ~12 KB of HTML once compiled: a typical newsletter with a dozen links and a few merge tags.
const section = (i: number) => `<mj-section><mj-column>
  <mj-text><h2>Story ${i} for {{ first_name | default: "you" }}</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam at {{ account_name }}.</p>
  <p><a href="https://news.example.com/story/${i}?utm_source=leadfwd&amp;utm_medium=email">Read more</a></p></mj-text>
  <mj-button href="https://shop.example.com/p/${i}">Shop ${i}</mj-button></mj-column></mj-section>`;
const mjml = `<mjml><mj-body>${Array.from({ length: 6 }, (_, i) => section(i)).join('')}</mj-body></mjml>`;

const ctx: MessageContext = {
  publicUrl: 'https://t.example.com',
  secret: 'bench-secret',
  bounceDomain: 'bounces.example.com',
  messageIdDomain: 'example.com',
  feedbackSenderId: 'leadfwd',
  senderPostalAddress: '1 Main Street, Springfield',
};
const campaign = await compileCampaign({
  campaignId: 'bench',
  subject: 'News for {{ first_name }}',
  fromName: 'Example News',
  fromEmail: 'news@example.com',
  mjml,
});
const recipient = (i: number) => ({
  rowId: i,
  email: `user${i}@example.org`,
  fields: { first_name: `User${i}`, account_name: 'Acme & Co' },
  trackingConsent: true,
});

function time(label: string, fn: (i: number) => unknown, n = N): number {
  for (let i = 0; i < Math.min(500, n); i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(8)} µs/msg  ${(1e6 / us).toFixed(0).padStart(7)} msg/s/core`);
  return us;
}

async function timeAsync(label: string, fn: (i: number) => Promise<unknown>, n = N): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(8)} µs/msg  ${(1e6 / us).toFixed(0).padStart(7)} msg/s/core`);
  return us;
}

const sample = buildMessage(campaign, recipient(1), ctx);
console.log(`message size ${sample.raw.length} bytes, ${campaign.links.length} tracked links, N=${N}\n`);

const sign = createDkimSigner({ domainName: 'example.com', keySelector: 'lf', privateKeyPem: pem });
time('ours: build raw MIME (merge, tokens, QP)', (i) => buildMessage(campaign, recipient(i), ctx));
time('ours: DKIM sign only', () => sign(sample.raw));
const ours = time('ours: build + DKIM', (i) => {
  const m = buildMessage(campaign, recipient(i), ctx);
  return sign(m.raw) + m.raw;
});

// nodemailer's composer with the same content, headers and a KeyObject DKIM key.
const composer = nodemailer.createTransport({
  streamTransport: true,
  buffer: true,
  newline: 'windows',
  dkim: {
    domainName: 'example.com',
    keySelector: 'lf',
    privateKey: createPrivateKey(pem) as unknown as string,
    headerFieldNames: 'From:Reply-To:To:Subject:Date:Message-ID:MIME-Version:Content-Type:List-Unsubscribe:List-Unsubscribe-Post:Feedback-ID',
  },
});
const theirs = await timeAsync(
  'nodemailer: render + compose + DKIM',
  async (i) => {
    const r = recipient(i);
    const urls = trackingUrls(ctx, r.rowId, { campaignId: campaign.campaignId, email: r.email });
    const content = renderContent(campaign, r.fields, {
      clickUrl: urls.clickUrl,
      pixelUrl: urls.pixelUrl,
      unsubscribeUrl: urls.unsubscribeUrl,
      postalAddress: ctx.senderPostalAddress,
    });
    return composer.sendMail({
      from: { name: 'Example News', address: 'news@example.com' },
      to: r.email,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId: `<lf.bench.${i}@example.com>`,
      envelope: { from: 'b-1-x@bounces.example.com', to: [r.email] },
      list: { unsubscribe: [[urls.unsubscribeUrl, 'mailto:unsubscribe@bounces.example.com']] },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'Feedback-ID': 'bench:campaign:leadfwd' },
    });
  },
  Math.min(N, 2000),
);
console.log(`\nratio nodemailer/ours: ${(theirs / ours).toFixed(1)}x -> ours is used; nodemailer stays the SMTP transport (raw + envelope).`);
