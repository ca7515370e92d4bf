// Sender identity use cases: administrators create, edit, delete, check, approve, pause and resume identities
// (Sugar administrators through the relay, or the operator's API key); every other user only lists the identities
// they may pick, without secrets. DKIM keys and relay passwords are sealed with the service secret and never leave
// in an answer: the API says `hasKey`, the key's fingerprint and the DNS record to publish. Campaigns and
// automation steps name an identity (absent: the default), and their From must be one the identity allows.
import { createPrivateKey, generateKeyPair } from 'node:crypto';
import { type Actor, isPrivileged } from '../access/actor.js';
import { AppError } from '../domain/errors.js';
import {
  allowedSenders,
  dkimDnsRecord,
  type IdentityPause,
  identityAllows,
  keyFingerprint,
  publicKeyDerOf,
  type Readiness,
  type SenderIdentity,
} from '../domain/identity.js';
import { parseInput } from '../domain/input.js';
import { seal, unseal } from '../domain/sealed.js';
import { validateWarmupPlan } from '../domain/warmup.js';
import type { IdentitySettings, SenderProfile, StorePart, UnitOfWork, VolumeCounts } from '../ports/index.js';
import type { Log } from '../ports/log.js';
import { ApproveBody, DeliverabilityQuery, IdentityBody, type IdentityInput } from './schemas.js';

export const KEY_PURPOSE = 'identity-dkim-key';
export const PASSWORD_PURPOSE = 'identity-relay-password';
const DAY_MS = 86_400_000;

export type IdentityStore = UnitOfWork &
  StorePart<{
    identities:
      | 'create'
      | 'update'
      | 'get'
      | 'list'
      | 'getDefault'
      | 'setDefault'
      | 'remove'
      | 'secrets'
      | 'setApproval'
      | 'setPaused'
      | 'saveReadiness'
      | 'readiness'
      | 'usage'
      | 'audit'
      | 'auditLog';
    campaigns: 'withIdentity' | 'transition' | 'history' | 'get';
    deliverability: 'daily' | 'totals';
  }>;

export interface IdentityDeps {
  store: IdentityStore;
  /** LEADFWD_SECRET first, then LEADFWD_SECRET_PREVIOUS: sealing uses the first, opening tries both. */
  serviceSecrets: readonly string[];
  /** The identity's readiness checks (DNS, SPF, DKIM, DMARC, rDNS, the unsubscribe headers of one of its messages). */
  checkReadiness?: (identity: SenderIdentity, profile: SenderProfile) => Promise<Readiness>;
  /** Logs in to the identity's relay and quits; throws with the relay's answer. */
  testRelay?: (profile: SenderProfile) => Promise<void>;
  /** Provider throttles of an identity right now, as every process sees them (delivery control), for its view. */
  throttles?: (identityId: string) => Promise<unknown[]>;
  /** An administrator resumed the identity: providers start over. */
  onResumed?: (identityId: string) => Promise<void>;
  now?: () => Date;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

/** What the environment (LEADFWD_SMTP_*, LEADFWD_DKIM_*, …) says the default identity is. */
export interface EnvironmentIdentity {
  fromDomains: string[];
  smtpUrl: string;
  maxConnections: number;
  rate: { perSecond: number; perHour: number; perDay: number };
  bounceDomain: string;
  dkim?: { domain: string; selector: string; privateKeyPem: string };
}

const whoIs = (a: Actor) => (a.kind === 'user' ? a.userName : 'api-key');
/** Sugar finds a user by name whatever its case (its database's collation), so an identity's users list does too. */
const sameUserName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** smtp://user:pass@host:port?x → the URL without credentials, and the credentials. */
export function splitRelayUrl(url: string): { url: string; username?: string; password?: string } {
  const u = new URL(url);
  const decoded = (part: string, what: string) => {
    try {
      return part ? decodeURIComponent(part) : undefined;
    } catch {
      throw new AppError('invalid_identity', `The relay URL's ${what} is not valid percent-encoding (write a '%' as %25)`, { problems: [`relay.url ${what}`] });
    }
  };
  const username = decoded(u.username, 'user name');
  const password = decoded(u.password, 'password');
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** `fn`'s answer, or its refusal added to `problems` (so it is told with the others). */
function inProblems<T>(problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    problems.push(e.message);
    return undefined;
  }
}

function relayUrlWith(url: string, username?: string, password?: string): string {
  if (!username) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  if (password) u.password = encodeURIComponent(password);
  return u.toString().replace(/\/$/, '');
}

const newKeyPem = () =>
  new Promise<string>((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } },
      (e, _pub, priv) => (e ? reject(e) : resolve(priv)),
    ),
  );

function keyProblem(pem: string): string | undefined {
  try {
    const der = Buffer.from(publicKeyDerOf(pem), 'base64');
    // SPKI of RSA-1024 is 162 bytes; anything shorter is a weaker or another kind of key.
    if (!pem.includes('PRIVATE KEY')) return 'dkim.privateKeyPem must be a private key (PEM)';
    // RSA-PSS and other kinds read fine but cannot make an rsa-sha256 DKIM signature.
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') return 'dkim.privateKeyPem must be an RSA key (rsa-sha256), not another kind';
    if (der.length < 160) return 'dkim.privateKeyPem must be an RSA key of at least 1024 bits (2048 recommended)';
    return undefined;
  } catch {
    return 'dkim.privateKeyPem cannot be read as an RSA private key (PEM)';
  }
}

export function createIdentityService(deps: IdentityDeps) {
  const { store } = deps;
  const now = () => (deps.now ? deps.now() : new Date());
  const sealWith = (purpose: string, plain: string) => seal(deps.serviceSecrets[0], purpose, Buffer.from(plain, 'utf8'));
  const open = (purpose: string, sealed: string | undefined) => (sealed ? unseal(deps.serviceSecrets, purpose, sealed)?.toString('utf8') : undefined);

  function requireAdmin(actor: Actor): void {
    if (!isPrivileged(actor)) throw new AppError('admin_only', 'Only a Sugar administrator (or the API key) manages sender identities');
  }

  async function get(id: string, db: Pick<IdentityStore, 'identities'> = store): Promise<SenderIdentity> {
    const i = await db.identities.get(id);
    if (!i) throw new AppError('not_found', `No sender identity ${id}`);
    return i;
  }

  /** What a user may see of an identity they may use: no relay, no key, no rates. */
  const summary = (i: SenderIdentity) => ({ id: i.id, name: i.name, isDefault: i.isDefault, fromDomains: i.fromDomains, fromAddresses: i.fromAddresses });

  /** The administrator's view: everything but secrets, with the DNS record its key needs. */
  async function view(i: SenderIdentity) {
    const { dkim, ...rest } = i;
    return {
      ...rest,
      dkim: dkim
        ? { domain: dkim.domain, selector: dkim.selector, hasKey: true, fingerprint: keyFingerprint(dkim.publicKeyDer), dnsRecord: dkimDnsRecord(dkim) }
        : { hasKey: false },
      readiness: (await store.identities.readiness(i.id)) ?? null,
      throttles: (await deps.throttles?.(i.id)) ?? [],
      usage: await store.identities.usage(i.id),
      audit: await store.identities.auditLog(i.id, 20),
    };
  }

  const mayUse = (i: SenderIdentity, actor: Actor) =>
    isPrivileged(actor) || i.users.length === 0 || (actor.kind === 'user' && i.users.some((u) => sameUserName(u, actor.userName)));

  /** The sender profile delivery needs (relay with credentials, the DKIM key), opened from the store. */
  async function profileOf(i: SenderIdentity): Promise<SenderProfile> {
    const secrets = (await store.identities.secrets(i.id)) ?? {};
    const pem = open(KEY_PURPOSE, secrets.dkimKeySealed);
    if (i.dkim && !pem) throw new AppError('identity_not_ready', `The DKIM key of sender identity "${i.name}" cannot be opened with the service secret`);
    const password = open(PASSWORD_PURPOSE, secrets.relayPasswordSealed);
    const smtpUrl = relayUrlWith(i.relay.url, i.relay.username, password);
    const dkim = i.dkim && pem ? { domainName: i.dkim.domain, keySelector: i.dkim.selector, privateKeyPem: pem } : undefined;
    return {
      identityId: i.id,
      // Changes with anything the pool or the signer is made of, so an edited identity never reuses the old ones.
      key: `${i.id}:${i.updatedAt}:${i.relay.url}:${i.relay.maxConnections}:${i.dkim?.publicKeyDer.slice(-24) ?? ''}:${secrets.relayPasswordSealed?.slice(-12) ?? ''}`,
      smtpUrl,
      maxConnections: i.relay.maxConnections,
      ...(dkim ? { dkim } : {}),
      bounceDomain: i.bounceDomain,
      messageIdDomain: i.dkim?.domain ?? i.bounceDomain,
    };
  }

  /** Input → settings and secrets to store, with every problem at once (422 invalid_identity). */
  async function settingsFrom(v: IdentityInput, before?: SenderIdentity) {
    const problems: string[] = [];
    const relay = inProblems(problems, () => splitRelayUrl(v.relay.url));
    const warmup = v.warmup === undefined || v.warmup === null ? undefined : validateWarmupPlan(v.warmup);
    if (warmup?.problems.length) problems.push(...warmup.problems.map((p) => `warmup.${p}`));
    if (!(v.fromDomains?.length || v.fromAddresses?.length)) problems.push('give fromDomains or fromAddresses: the From addresses this identity may send as');
    let pem: string | undefined;
    if (v.dkim?.generate && v.dkim.privateKeyPem) problems.push('give dkim.privateKeyPem or dkim.generate, not both');
    else if (v.dkim?.generate) pem = await newKeyPem();
    else if (v.dkim?.privateKeyPem) {
      const p = keyProblem(v.dkim.privateKeyPem);
      if (p) problems.push(p);
      else pem = v.dkim.privateKeyPem;
    } else if (v.dkim && !before?.dkim) problems.push('dkim needs privateKeyPem or generate: true');
    if (problems.length || !relay) throw new AppError('invalid_identity', problems.join('; '), { problems });
    const dkim = v.dkim
      ? { domain: v.dkim.domain, selector: v.dkim.selector, publicKeyDer: pem ? publicKeyDerOf(pem) : before!.dkim!.publicKeyDer }
      : v.dkim === undefined && before
        ? before.dkim
        : undefined;
    const settings: IdentitySettings = {
      name: v.name,
      fromDomains: [...new Set(v.fromDomains ?? [])],
      fromAddresses: [...new Set((v.fromAddresses ?? []).map((a) => a.trim()))],
      ...(dkim ? { dkim } : {}),
      relay: {
        url: relay.url,
        ...(v.relay.username || relay.username ? { username: v.relay.username ?? relay.username } : {}),
        maxConnections: v.relay.maxConnections ?? 5,
      },
      bounceDomain: v.bounceDomain,
      rate: { perSecond: v.rate?.perSecond ?? 500, perHour: v.rate?.perHour ?? 0, perDay: v.rate?.perDay ?? 0 },
      providerLimits: v.providerLimits ?? {},
      ...(warmup?.plan ? { warmup: warmup.plan } : {}),
      users: [...new Set(v.users ?? [])],
      fromEnvironment: false,
    };
    const password = v.relay.password ?? relay.password;
    return {
      settings,
      dkimKeySealed: pem ? sealWith(KEY_PURPOSE, pem) : undefined,
      relayPasswordSealed: password !== undefined ? (password === '' ? null : sealWith(PASSWORD_PURPOSE, password)) : undefined,
    };
  }

  // Inside a transaction: pass its repositories (`db`), never the outer store.
  const audit = async (db: Pick<IdentityStore, 'identities'>, id: string, actor: Actor | string, action: string, detail?: string) =>
    await db.identities.audit(id, { at: now().toISOString(), by: typeof actor === 'string' ? actor : whoIs(actor), action, ...(detail ? { detail } : {}) });

  const nameTaken = async (name: string, except?: string) =>
    (await store.identities.list()).some((i) => i.name.toLowerCase() === name.toLowerCase() && i.id !== except);

  async function create(body: unknown, actor: Actor) {
    requireAdmin(actor);
    const v = parseInput(IdentityBody, body, 'invalid_identity');
    if (await nameTaken(v.name)) throw new AppError('invalid_identity', `A sender identity is already called "${v.name}"`, { problems: ['name is taken'] });
    const s = await settingsFrom(v);
    const created = await store.transaction(async (tx) => {
      const i = await tx.identities.create(s.settings, {
        ...(s.dkimKeySealed ? { dkimKeySealed: s.dkimKeySealed } : {}),
        ...(s.relayPasswordSealed ? { relayPasswordSealed: s.relayPasswordSealed } : {}),
      });
      if (v.isDefault) await tx.identities.setDefault(i.id);
      await audit(tx, i.id, actor, 'created', `From ${allowedSenders(i)} through ${i.relay.url}`);
      return i;
    });
    deps.logger?.info({ event: 'identity.created', identityId: created.id, by: whoIs(actor) }, 'identity.created');
    return await view(await get(created.id));
  }

  async function update(id: string, body: unknown, actor: Actor) {
    requireAdmin(actor);
    const before = await get(id);
    const v = parseInput(IdentityBody, body, 'invalid_identity');
    if (await nameTaken(v.name, id)) throw new AppError('invalid_identity', `A sender identity is already called "${v.name}"`, { problems: ['name is taken'] });
    const s = await settingsFrom(v, before);
    // A new key, relay or bounce domain must pass readiness again before it sends (or be forced again).
    const changedWhatDnsVouchesFor =
      s.dkimKeySealed !== undefined ||
      s.settings.dkim?.domain !== before.dkim?.domain ||
      s.settings.dkim?.selector !== before.dkim?.selector ||
      s.settings.relay.url !== before.relay.url ||
      s.settings.bounceDomain !== before.bounceDomain;
    await store.transaction(async (tx) => {
      await tx.identities.update(id, s.settings, { dkimKeySealed: s.dkimKeySealed, relayPasswordSealed: s.relayPasswordSealed });
      if (v.isDefault) await tx.identities.setDefault(id);
      if (changedWhatDnsVouchesFor && before.approval) await tx.identities.setApproval(id, null);
      await audit(tx, id, actor, 'edited', changedWhatDnsVouchesFor ? 'key, relay or domains changed: readiness must pass again' : undefined);
    });
    return await view(await get(id));
  }

  async function remove(id: string, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    if (i.isDefault) throw new AppError('identity_in_use', `"${i.name}" is the default sender identity; make another one the default first`);
    const usage = await store.identities.usage(id);
    if (usage.campaigns.length || usage.automations.length)
      throw new AppError(
        'identity_in_use',
        `"${i.name}" is used by ${usage.campaigns.length} campaign(s) not finished and ${usage.automations.length} automation(s) not stopped`,
        usage,
      );
    await store.identities.remove(id);
    deps.logger?.info({ event: 'identity.deleted', identityId: id, by: whoIs(actor) }, 'identity.deleted');
  }

  async function readiness(id: string, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    if (!deps.checkReadiness) throw new Error('identity service built without readiness checks');
    const r = await deps.checkReadiness(i, await profileOf(i));
    await store.identities.saveReadiness(id, r);
    if (r.ok && !i.approval) {
      await store.identities.setApproval(id, { how: 'readiness', by: whoIs(actor), at: r.checkedAt });
      await audit(store, id, actor, 'approved', 'readiness passed');
    }
    return { ...r, approved: Boolean((await get(id)).approval) };
  }

  /** An administrator lets an identity send before its readiness passed: `force: true`, audited. */
  async function approve(id: string, body: unknown, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    const v = parseInput(ApproveBody, body, 'invalid_input');
    const failing = ((await store.identities.readiness(id))?.checks ?? []).filter((c) => c.required && !c.ok).map((c) => c.id);
    await store.identities.setApproval(id, { how: 'forced', by: whoIs(actor), at: now().toISOString() });
    await audit(
      store,
      id,
      actor,
      'forced',
      [v.reason, failing.length ? `failing checks: ${failing.join(', ')}` : 'readiness not run'].filter(Boolean).join('; '),
    );
    deps.logger?.warn({ event: 'identity.forced', identityId: id, by: whoIs(actor), failing }, 'identity.forced');
    return await view(await get(i.id));
  }

  async function testConnection(id: string, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    if (!deps.testRelay) throw new Error('identity service built without a relay test');
    try {
      await deps.testRelay(await profileOf(i));
      return { ok: true, relay: i.relay.url };
    } catch (e) {
      const err = e as { message?: string; response?: string; responseCode?: number };
      const text = (err.response ?? err.message ?? String(e)).replace(/[\r\n]+/g, ' ').slice(0, 300);
      return { ok: false, relay: i.relay.url, error: text, ...(err.responseCode ? { code: err.responseCode } : {}) };
    }
  }

  const PAUSE_PREFIX = (i: SenderIdentity) => `sender identity "${i.name}" paused: `;

  /** Pauses the identity and every campaign sending or waiting to send through it. False when it was paused already. */
  async function pause(id: string, reason: string, by: string): Promise<boolean> {
    const i = await get(id);
    const p: IdentityPause = { reason: reason.slice(0, 500), at: now().toISOString(), by };
    const changed = await store.transaction(async (tx) => {
      if (!(await tx.identities.setPaused(id, p, 'running'))) return false;
      for (const c of [
        ...(await tx.campaigns.withIdentity(id, ['sending', 'pending'])),
        ...(i.isDefault ? await tx.campaigns.withIdentity(null, ['sending', 'pending']) : []),
      ]) {
        await tx.campaigns.transition(c.id, [c.status], 'paused', `${PAUSE_PREFIX(i)}${p.reason}`.slice(0, 500));
      }
      await audit(tx, id, by, 'paused', p.reason);
      return true;
    });
    if (changed) deps.logger?.error({ event: 'identity.paused', identityId: id, by, reason: p.reason }, 'identity.paused');
    return changed;
  }

  /** Lets it send again; the campaigns its pause paused resume where they were. */
  async function resume(id: string, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    const resumed: string[] = [];
    await store.transaction(async (tx) => {
      await tx.identities.setPaused(id, null);
      for (const c of [...(await tx.campaigns.withIdentity(id, ['paused'])), ...(i.isDefault ? await tx.campaigns.withIdentity(null, ['paused']) : [])]) {
        const history = await tx.campaigns.history(c.id);
        const last = history.at(-1);
        if (!last?.reason?.startsWith(PAUSE_PREFIX(i))) continue;
        const before = [...history].reverse().find((h) => h.status !== 'paused')?.status;
        const to = before === 'pending' ? 'pending' : 'sending';
        if (await tx.campaigns.transition(c.id, ['paused'], to, `sender identity "${i.name}" resumed by ${whoIs(actor)}`)) resumed.push(c.id);
      }
      await audit(tx, id, actor, 'resumed');
    });
    await deps.onResumed?.(id);
    deps.logger?.info({ event: 'identity.resumed', identityId: id, by: whoIs(actor), campaigns: resumed.length }, 'identity.resumed');
    return { ...(await view(await get(id))), resumedCampaigns: resumed };
  }

  /** Per day and provider group: accepted, deferred, bounced, complained, with rates (the deliverability view). */
  async function deliverability(id: string, query: unknown, actor: Actor) {
    requireAdmin(actor);
    const i = await get(id);
    const days = parseInput(DeliverabilityQuery, query, 'invalid_input').days ?? 30;
    const since = new Date(now().getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10);
    const rate = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 100_000) / 100_000 : 0);
    const withRates = (c: VolumeCounts) => ({
      ...c,
      bounced: c.hardBounces + c.softBounces,
      rates: {
        deferred: rate(c.deferred, c.accepted + c.deferred + c.failed),
        bounced: rate(c.hardBounces + c.softBounces, c.accepted),
        complained: rate(c.complaints, c.accepted),
      },
    });
    return {
      identity: summary(i),
      since,
      days: (await store.deliverability.daily(id, since)).map((d) => ({ ...withRates(d), day: d.day, provider: d.provider })),
      totals: withRates(await store.deliverability.totals({ identityId: id, sinceDay: since })),
    };
  }

  /**
   * The identity a campaign or automation step sends as: the one named (the default when absent), which the actor
   * may use, which allows the From address, and which may send (readiness passed, forced, or from the environment).
   */
  async function forSending(identityId: string | undefined, fromEmail: string, actor: Actor): Promise<SenderIdentity> {
    const i = identityId ? await store.identities.get(identityId) : await store.identities.getDefault();
    if (!i) {
      if (identityId) throw new AppError('unknown_identity', `No sender identity ${identityId}`);
      throw new AppError('sender_not_allowed', 'No sender identity is set up: an administrator must create one first');
    }
    if (!mayUse(i, actor)) throw new AppError('identity_not_allowed', `You may not send as the sender identity "${i.name}"`, { identityId: i.id });
    if (!identityAllows(i, fromEmail))
      throw new AppError('sender_not_allowed', `fromEmail ${fromEmail} is not an address sender identity "${i.name}" may send as (${allowedSenders(i)})`, {
        identityId: i.id,
        senderDomains: i.fromDomains,
        senderAddresses: i.fromAddresses,
      });
    if (!i.approval) {
      const failing = ((await store.identities.readiness(i.id))?.checks ?? []).filter((c) => c.required && !c.ok);
      throw new AppError(
        'identity_not_ready',
        failing.length
          ? `Sender identity "${i.name}" is not ready: ${failing.map((c) => c.detail).join('; ')}`
          : `Sender identity "${i.name}" has not passed its readiness check yet; an administrator runs it (or forces sending)`,
        { identityId: i.id, failing: failing.map((c) => ({ id: c.id, detail: c.detail, fix: c.fix })) },
      );
    }
    return i;
  }

  /**
   * At start: the default identity from the LEADFWD_SMTP_* and LEADFWD_DKIM_* settings when there is none yet (the
   * upgrade), and kept in step with them while no administrator has edited it.
   */
  async function syncEnvironment(env: EnvironmentIdentity): Promise<SenderIdentity | undefined> {
    const all = await store.identities.list();
    const mine = all.find((i) => i.fromEnvironment);
    if (all.length && !mine) return undefined;
    const relay = splitRelayUrl(env.smtpUrl);
    const settings: IdentitySettings = {
      name: mine?.name ?? (all.some((i) => i.name === 'Default') ? 'Default (environment)' : 'Default'),
      fromDomains: env.fromDomains,
      fromAddresses: [],
      ...(env.dkim ? { dkim: { domain: env.dkim.domain, selector: env.dkim.selector, publicKeyDer: publicKeyDerOf(env.dkim.privateKeyPem) } } : {}),
      relay: { url: relay.url, ...(relay.username ? { username: relay.username } : {}), maxConnections: env.maxConnections },
      bounceDomain: env.bounceDomain,
      rate: env.rate,
      providerLimits: {},
      users: [],
      fromEnvironment: true,
    };
    const at = now().toISOString();
    return await store.transaction(async (tx) => {
      if (!mine) {
        const i = await tx.identities.create(settings, {
          ...(env.dkim ? { dkimKeySealed: sealWith(KEY_PURPOSE, env.dkim.privateKeyPem) } : {}),
          ...(relay.password ? { relayPasswordSealed: sealWith(PASSWORD_PURPOSE, relay.password) } : {}),
        });
        await tx.identities.setApproval(i.id, { how: 'environment', by: 'environment', at });
        await audit(tx, i.id, 'environment', 'created', 'from LEADFWD_SMTP_URL, LEADFWD_DKIM_* and LEADFWD_SENDER_DOMAINS');
        return await get(i.id, tx);
      }
      const secrets = (await tx.identities.secrets(mine.id)) ?? {};
      const samePassword = open(PASSWORD_PURPOSE, secrets.relayPasswordSealed) === relay.password;
      const sameKey = mine.dkim?.publicKeyDer === settings.dkim?.publicKeyDer;
      const { fromEnvironment: _f, approval: _a, paused: _p, isDefault: _d, id: _i, createdAt: _c, updatedAt: _u, relay: oldRelay, ...old } = mine;
      const { fromEnvironment: _g, relay: newRelay, ...fresh } = settings;
      const same =
        JSON.stringify({ ...old, relay: { url: oldRelay.url, username: oldRelay.username, maxConnections: oldRelay.maxConnections } }) ===
        JSON.stringify({ ...fresh, relay: { url: newRelay.url, username: newRelay.username, maxConnections: newRelay.maxConnections } });
      if (same && samePassword && sameKey) return mine;
      await tx.identities.update(mine.id, settings, {
        ...(sameKey ? {} : { dkimKeySealed: env.dkim ? sealWith(KEY_PURPOSE, env.dkim.privateKeyPem) : null }),
        ...(samePassword ? {} : { relayPasswordSealed: relay.password ? sealWith(PASSWORD_PURPOSE, relay.password) : null }),
      });
      await audit(tx, mine.id, 'environment', 'edited', 'LEADFWD_SMTP_*, LEADFWD_DKIM_* or LEADFWD_SENDER_DOMAINS changed');
      return await get(mine.id, tx);
    });
  }

  return {
    get,
    profileOf,
    forSending,
    mayUse,
    pause,
    syncEnvironment,
    /** Administrators see every identity in full; other users the ones they may pick, without secrets or settings. */
    async list(actor: Actor) {
      const all = await store.identities.list();
      return isPrivileged(actor) ? await Promise.all(all.map(view)) : all.filter((i) => mayUse(i, actor)).map(summary);
    },
    view: async (id: string, actor: Actor) => {
      requireAdmin(actor);
      return await view(await get(id));
    },
    create,
    update,
    remove,
    readiness,
    approve,
    testConnection,
    /** An administrator pauses an identity by hand. */
    async pauseByAdmin(id: string, reason: string | undefined, actor: Actor) {
      requireAdmin(actor);
      await pause(id, reason?.trim() || `paused by ${whoIs(actor)}`, whoIs(actor));
      return await view(await get(id));
    },
    resume,
    deliverability,
    async setDefault(id: string, actor: Actor) {
      requireAdmin(actor);
      await get(id);
      await store.identities.setDefault(id);
      await audit(store, id, actor, 'made default');
      return await view(await get(id));
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
