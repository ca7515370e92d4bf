// Shared fixtures for the mail tests: one 2048-bit key per process, a message context and a
// quoted-printable decoder that is independent of the encoder under test.
import { generateKeyPairSync } from 'node:crypto';
import { buildMessage } from '../../service/src/mail/message.js';
import { type CampaignMessageSpec, type CompiledCampaign, compileCampaign } from '../../service/src/mail/template.js';
import type { BuiltMessage, RecipientForMessage } from '../../service/src/ports/mail.js';

let keys: { pem: string; publicKeyBase64: string } | undefined;

export function testKeys(): { pem: string; publicKeyBase64: string } {
  if (!keys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    };
  }
  return keys;
}

/** A DNS resolver for mailauth that only knows our selector's TXT record (split like real DNS). */
export function dkimResolver(selector: string, domain: string) {
  return async (name: string, type: string): Promise<string[][]> => {
    if (type !== 'TXT' || name !== `${selector}._domainkey.${domain}`) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    const record = `v=DKIM1; k=rsa; p=${testKeys().publicKeyBase64}`;
    return [record.match(/.{1,255}/g)!];
  };
}

/** Structurally a MessageContext (mail/message.ts). */
export const ctx = {
  publicUrl: 'https://t.acme.example',
  secret: 'test-secret-for-mail',
  bounceDomain: 'bounces.acme.example',
  messageIdDomain: 'acme.example',
  feedbackSenderId: 'leadfwd',
  senderPostalAddress: 'ACME Ltd, 1 Main Street, Springfield',
};

/** A campaign sent from news@acme.example, the sender domain of `ctx` and of the tests' DKIM key. */
export function acmeCampaign(spec: Omit<CampaignMessageSpec, 'fromEmail'>): Promise<CompiledCampaign> {
  return compileCampaign({ ...spec, fromEmail: 'news@acme.example' });
}

/** What `c` sends one recipient with the tests' `ctx`; the recipient agreed to tracking unless they say otherwise. */
export function messageTo(c: CompiledCampaign, r: Omit<RecipientForMessage, 'trackingConsent'> & { trackingConsent?: boolean }): BuiltMessage {
  return buildMessage(c, { trackingConsent: true, ...r }, ctx);
}

export function qpDecode(qp: string): string {
  const bytes: number[] = [];
  const text = qp.replace(/=\r\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}
