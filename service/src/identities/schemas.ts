// The request bodies the identity use cases take, one zod schema each (rendered into docs/api.md).
import { addressKey, isSendableAddress } from '../domain/address.js';
import { text, z } from '../domain/input.js';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const domainName = (field: string) =>
  z
    .string({ error: `${field} must be a domain name` })
    .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
    .refine((v) => DOMAIN.test(addressKey(`x@${v}`)?.slice(2) ?? ''), `${field} must be a domain name`);
const SELECTOR = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/;
const SMTP_PARAMS = new Set(['ignoreTLS', 'requireTLS', 'secure', 'tls.rejectUnauthorized']);
const count = (field: string, min: number, max: number, description?: string) => {
  const s = z
    .number({ error: `${field} must be a whole number from ${min} to ${max}` })
    .int(`${field} must be a whole number from ${min} to ${max}`)
    .min(min, `${field} must be a whole number from ${min} to ${max}`)
    .max(max, `${field} must be a whole number from ${min} to ${max}`);
  return description ? s.describe(description) : s;
};

/** smtp:// or smtps://, a host, known parameters only; credentials may be inline (they are split off and sealed). */
export function smtpUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'relay.url must be an smtp:// or smtps:// URL';
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return 'relay.url must start with smtp:// or smtps://';
  if (!u.hostname) return 'relay.url must name a host';
  if (u.port === '0') return "relay.url has port 0; give the relay's port (25, 465, 587…) or none";
  const unknown = [...u.searchParams.keys()].filter((k) => !SMTP_PARAMS.has(k));
  if (unknown.length) return `relay.url has unknown parameters: ${unknown.join(', ')} (known: ${[...SMTP_PARAMS].join(', ')})`;
  return undefined;
}

export const IdentityBody = z.object({
  name: z
    .string({ error: 'name is required (at most 100 characters)' })
    .transform((v) => v.trim())
    .refine((v) => v !== '' && v.length <= 100, 'name is required (at most 100 characters)')
    .describe('Shown to users who pick it, unique'),
  fromDomains: z
    .array(domainName('fromDomains[]'), { error: 'fromDomains must be an array of domain names' })
    .max(50, 'fromDomains: at most 50')
    .optional()
    .describe('Any address on these domains may be the From'),
  fromAddresses: z
    .array(
      z.string({ error: 'fromAddresses[] must be addresses' }).refine((v) => isSendableAddress(v), 'fromAddresses[] must be addresses'),
      { error: 'fromAddresses must be an array of addresses' },
    )
    .max(500, 'fromAddresses: at most 500')
    .optional()
    .describe('And these exact addresses'),
  dkim: z
    .object({
      domain: domainName('dkim.domain').describe('d= of the signature'),
      selector: z.string({ error: 'dkim.selector is required' }).regex(SELECTOR, 'dkim.selector must be a DNS label such as lf2026').describe('s='),
      privateKeyPem: z.string({ error: 'dkim.privateKeyPem must be a PEM string' }).max(20_000).optional().describe('RSA key, PEM (uploaded); never returned'),
      generate: z.boolean({ error: 'dkim.generate must be true or false' }).optional().describe('true: the service makes a 2048-bit key'),
    })
    .optional()
    .describe('Absent on an update: kept as it is'),
  relay: z
    .object({
      url: z
        .string({ error: 'relay.url is required' })
        .max(2000)
        .superRefine((v, ctx) => {
          const p = smtpUrlProblem(v);
          if (p) ctx.addIssue({ code: 'custom', message: p });
        })
        .describe('smtp:// or smtps:// host:port and parameters (credentials here are taken out and sealed)'),
      username: text('relay.username', 500, { required: false }),
      password: z.string({ error: 'relay.password must be a string' }).max(2000).optional().describe('Never returned; absent on an update: kept'),
      maxConnections: count('relay.maxConnections', 1, 100, 'Pooled connections (default 5)').optional(),
    })
    .describe('Where the mail goes'),
  bounceDomain: domainName('bounceDomain').describe('Domain of VERP return paths (MX to the bounce listener, SPF for the relay)'),
  rate: z
    .object({
      perSecond: count('rate.perSecond', 1, 100_000).optional(),
      perHour: count('rate.perHour', 0, 100_000_000).optional(),
      perDay: count('rate.perDay', 0, 1_000_000_000).optional(),
    })
    .optional()
    .describe('Messages per second (default 500), hour and day (0: no limit)'),
  providerLimits: z
    .record(
      z
        .string()
        .regex(/^(\*|google|microsoft|yahoo|apple|unknown|mx:[a-z0-9.-]{1,253})$/, 'providerLimits keys are *, google, microsoft, yahoo, apple or mx:<domain>'),
      z.object({ concurrency: count('concurrency', 0, 1000).optional(), perSecond: count('perSecond', 0, 100_000).optional() }),
      { error: 'providerLimits must be an object by provider' },
    )
    .optional()
    .describe('Per mailbox provider ("*": each one): messages on the wire at once and per second'),
  warmup: z.unknown().optional().describe('{startDate, startPerDay, growth, targetPerDay, steps?} per provider and UTC day; null: none'),
  users: z
    .array(z.string({ error: 'users[] must be Sugar user names' }).min(1).max(100), { error: 'users must be an array of Sugar user names' })
    .max(1000)
    .optional()
    .describe('Sugar users who may pick it (absent or empty: everyone who may create campaigns)'),
  isDefault: z.boolean({ error: 'isDefault must be true or false' }).optional().describe('Make it the default identity'),
});

export type IdentityInput = z.output<typeof IdentityBody>;

export const ApproveBody = z.object({
  force: z.literal(true, { error: 'force must be true: sending is allowed before readiness passes only when an administrator says so' }).describe('Required'),
  reason: text('reason', 500, { required: false, description: 'Recorded in the audit log' }),
});

export const DeliverabilityQuery = z.object({
  days: z.coerce
    .number({ error: 'days must be a whole number from 1 to 365' })
    .int('days must be a whole number from 1 to 365')
    .min(1, 'days must be a whole number from 1 to 365')
    .max(365, 'days must be a whole number from 1 to 365')
    .optional()
    .describe('Days back from today (default 30)'),
});
