// Issue 12, finding 1: the signing secret had a public default outside NODE_ENV=production, so anyone could sign
// unsubscribe tokens (and VERP addresses, opens, clicks) offline. Now the service refuses to start without a strong
// LEADFWD_SECRET whatever NODE_ENV says, every secret follows one rule, and a previous secret keeps links in mail
// already sent working after a rotation.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SugarSim, startSugarSim } from '../../scripts/sugar-sim/server.js';
import { type RunningService, startService } from '../../service/src/composition.js';
import { type ConfigError, loadConfig, secretBytes } from '../../service/src/config.js';
import { signToken, verifyToken } from '../../service/src/domain/tokens.js';
import { parseVerp, verpAddress } from '../../service/src/domain/verp.js';
import { createLogger } from '../../service/src/logger.js';
import { routeFor } from '../../service/src/mail/inbound/addresses.js';
import { startSmtpSink } from '../../service/src/mail/sink.js';
import { campaignBody } from '../support/campaigns.js';
import { randomSecret } from '../support/secrets.js';
import { loopbackEnv } from '../support/service-env.js';
import { apiClient, waitFor } from '../support/stack.js';
import { adminClient, createContactList } from '../support/sugar-seed.js';

const OLD_DEFAULT = 'dev-only-secret-change-me';
const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

describe('the signing secret', () => {
  it('is required whatever NODE_ENV says, and the old public default no longer signs anything', () => {
    for (const NODE_ENV of [undefined, 'development', 'test', 'production']) {
      const env = NODE_ENV ? { NODE_ENV } : {};
      expect(problemsOf(env), String(NODE_ENV)).toEqual([
        'LEADFWD_SECRET is required: it signs tracking, unsubscribe and bounce addresses; give it at least 32 random bytes, e.g. `openssl rand -base64 32`',
      ]);
    }
    // The attack from the review: a token signed offline with the default.
    expect(problemsOf({ LEADFWD_SECRET: OLD_DEFAULT })[0]).toMatch(/^LEADFWD_SECRET is too short/);
  });

  it('must hold at least 32 bytes of key material and not be a pattern; the same rule holds for every secret', () => {
    expect(secretBytes('a'.repeat(64))).toBe(32); // hex counts decoded
    expect(secretBytes('ab'.repeat(16))).toBe(16); // `openssl rand -hex 16`: 32 characters, 16 bytes
    expect(secretBytes(randomSecret())).toBe(32);
    for (const name of ['LEADFWD_SECRET', 'LEADFWD_SECRET_PREVIOUS', 'LEADFWD_API_KEY', 'LEADFWD_WEBHOOK_SECRET']) {
      const base = name === 'LEADFWD_SECRET' ? {} : { LEADFWD_SECRET: randomSecret() };
      for (const weak of [
        '0123456789abcdef0123456789abcdef',
        'x'.repeat(80),
        'abcdefghij'.repeat(6),
        'ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1ab1',
      ]) {
        const problems = problemsOf({ ...base, [name]: weak });
        expect(problems.length, `${name}=${weak}`).toBe(1);
        expect(problems[0]).toMatch(new RegExp(`^${name} (is too short|looks like a placeholder)`));
        expect(problems[0]).not.toContain(weak);
      }
      expect(problemsOf({ ...base, [name]: randomSecret() })).toEqual([]);
    }
  });

  it('refuses one value in two roles', () => {
    const s = randomSecret();
    expect(problemsOf({ LEADFWD_SECRET: s, LEADFWD_API_KEY: s })).toEqual(['LEADFWD_SECRET and LEADFWD_API_KEY must differ']);
    expect(problemsOf({ LEADFWD_SECRET: s, LEADFWD_SECRET_PREVIOUS: s })).toEqual(['LEADFWD_SECRET and LEADFWD_SECRET_PREVIOUS must differ']);
  });

  it('npm start exits 78 with one clear message and no stack when LEADFWD_SECRET is missing', async () => {
    const env = { ...process.env, NODE_ENV: 'development', LEADFWD_PORT: '0', LEADFWD_DATA_DIR: ':memory:' } as Record<string, string | undefined>;
    delete env.LEADFWD_SECRET;
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => {
      out += String(c);
    });
    child.stderr!.on('data', (c) => {
      out += String(c);
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000); // a service that starts anyway must not outlive the test
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(guard);
    expect(code).toBe(78);
    expect(out.trim()).toBe(
      'Invalid configuration:\n  - LEADFWD_SECRET is required: it signs tracking, unsubscribe and bounce addresses; give it at least 32 random bytes, e.g. `openssl rand -base64 32`',
    );
  }, 30_000);
});

describe('rotation', () => {
  const current = randomSecret();
  const previous = randomSecret();
  const stranger = randomSecret();

  it("verifies with the current secret, then the previous one; a stranger's signature fails with both", () => {
    const keys = [current, previous];
    const before = signToken(previous, { k: 'u', r: 7 });
    expect(verifyToken(keys, before, 'u')).toEqual({ k: 'u', r: 7 });
    expect(verifyToken(keys, signToken(current, { k: 'o', r: 8 }), 'o')).toEqual({ k: 'o', r: 8 });
    expect(verifyToken(keys, signToken(stranger, { k: 'u', r: 7 }), 'u')).toBeNull();
    expect(verifyToken(current, before, 'u')).toBeNull();
    const verp = verpAddress(previous, 9, 'b.example');
    expect(parseVerp(keys, verp, 'b.example')).toBe(9);
    expect(parseVerp(current, verp, 'b.example')).toBeNull();
    expect(routeFor(`unsubscribe+${before}@b.example`, keys, 'b.example')).toEqual({ type: 'unsubscribe', rowId: 7 });
    expect(routeFor(verp, keys, 'b.example')).toEqual({ type: 'verp', rowId: 9 });
  });

  describe('a running service after a rotation', () => {
    let dir: string;
    let sim: SugarSim;
    let sink: Awaited<ReturnType<typeof startSmtpSink>>;
    let service: RunningService | undefined;
    const apiKey = randomSecret();
    const start = async (env: Record<string, string>) => {
      service = await startService(loadConfig({ ...loopbackEnv({ dir, sugarUrl: sim.url, smtpPort: sink.port, apiKey }), LEADFWD_SEND_THREADS: '0', ...env }), {
        logger: createLogger('silent'),
      });
      return service;
    };
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'leadfwd-rotation-'));
      sim = await startSugarSim({ port: 0, seed: 'empty', quiet: true });
      sink = await startSmtpSink({ port: 0 });
    });
    afterAll(async () => {
      await service?.stop();
      await sink?.close();
      await sim?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the unsubscribe link of mail sent before the rotation working, and drops it once the previous secret goes', async () => {
      const sugar = adminClient(sim.url);
      const list = await createContactList(sugar, 'Rotation', ['ann@example.com', 'bob@example.com']);
      const svc = await start({ LEADFWD_SECRET: previous });
      const api = apiClient(() => svc.url, apiKey);
      const created = await api('POST', '/campaigns', campaignBody([list], { name: 'Before rotation', sendAt: new Date().toISOString() }));
      expect(created.status).toBe(201);
      await waitFor(() => sink.messages.length === 2 || undefined, 'both messages');
      const unsubOf = (to: string) => {
        const m = sink.messages.find((x) => x.envelope.to[0] === to)!;
        return /^List-Unsubscribe: <([^>]+)>/m.exec(m.raw.toString())![1].replace(/^.*\/u\//, '/u/');
      };
      await svc.stop();

      const rotated = await start({ LEADFWD_SECRET: current, LEADFWD_SECRET_PREVIOUS: previous });
      const post = (path: string) =>
        fetch(`${rotated.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
      expect((await post(unsubOf('ann@example.com'))).status).toBe(200);
      expect((await rotated.store.suppressions.filterSuppressed(['ann@example.com'])).size).toBe(1);
      await rotated.stop();

      const after = await start({ LEADFWD_SECRET: current });
      const res = await fetch(`${after.url}${unsubOf('bob@example.com')}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(404);
      expect((await after.store.suppressions.filterSuppressed(['bob@example.com'])).size).toBe(0);
      await after.stop();
    }, 60_000);

    // An operator's trial found a process with another secret becoming ready, answering 404 to every link and
    // re-sealing the stored relay password with its key, so the rightly configured processes could not open it.
    it('refuses to start a process whose secret is not the one of its database, before it changes anything', async () => {
      const sealedSecrets = () => {
        const db = new Database(join(dir, 'data', 'leadfwd.sqlite'), { readonly: true });
        try {
          return JSON.stringify([db.prepare('SELECT * FROM sender_identities').all(), db.prepare('SELECT * FROM secret_check').all()]);
        } finally {
          db.close();
        }
      };
      const before = sealedSecrets();
      const others: Record<string, string>[] = [
        { LEADFWD_SECRET: stranger },
        { LEADFWD_SECRET: previous },
        { LEADFWD_SECRET: stranger, LEADFWD_SECRET_PREVIOUS: previous },
      ];
      for (const env of others) {
        service = undefined;
        const refused = await start(env).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(refused?.name, JSON.stringify(Object.keys(env))).toBe('StartupError');
        expect(refused?.message).toMatch(/^LEADFWD_SECRET is not the secret this database is used with/);
      }
      expect(sealedSecrets()).toBe(before);
      // The right one still starts.
      await (await start({ LEADFWD_SECRET: current })).stop();
    }, 60_000);

    // A database used before the check existed has no value kept yet: the first process started after the upgrade
    // made its secret the database's, even a misconfigured one, and then every rightly configured process was refused.
    it('refuses, on a database upgraded from before the check, a first process that cannot open what is sealed there', async () => {
      const upgraded = { LEADFWD_DATA_DIR: join(dir, 'upgraded'), LEADFWD_SMTP_URL: `smtp://relay-user:relay-pass@127.0.0.1:${sink.port}` };
      await (await start({ ...upgraded, LEADFWD_SECRET: current })).stop();
      const db = new Database(join(dir, 'upgraded', 'leadfwd.sqlite'));
      const sealed = db.prepare('SELECT relay_pass_sealed FROM sender_identities').pluck().all();
      db.prepare('DELETE FROM secret_check').run(); // as before migration 0018
      db.close();
      expect(sealed).toEqual([expect.any(String)]);
      service = undefined;
      const refused = await start({ ...upgraded, LEADFWD_SECRET: stranger }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(refused?.message).toMatch(/^LEADFWD_SECRET is not the secret this database is used with/);
      // The process with the database's secret still starts, and keeps it from then on.
      await (await start({ ...upgraded, LEADFWD_SECRET: current })).stop();
      service = undefined;
      expect(await start({ ...upgraded, LEADFWD_SECRET: stranger }).catch((e: Error) => e.name)).toBe('StartupError');
    }, 60_000);
  });
});
