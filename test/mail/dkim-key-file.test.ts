// The DKIM key file as the service reads it at start: a missing file, one that holds no key, an EC key and a
// passphrase-protected one are each named in one line (main exits 78 with it), never with the file's content; the
// settings alone load without reading it (npm run backup and the other scripts load them as users that may not read it).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startService } from '../../service/src/composition.js';
import { ConfigError, loadConfig } from '../../service/src/config.js';
import { readDkimKeyFile } from '../../service/src/mail/dkim.js';
import { randomSecret } from '../support/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'leadfwd-dkim-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

it('reads a usable key, and names each unusable file without its content', () => {
  const good = file('good.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  expect(readDkimKeyFile(good)).toEqual({ pem: expect.stringContaining('BEGIN PRIVATE KEY') });
  expect(readDkimKeyFile(join(dir, 'missing.pem'))).toEqual({ problem: `cannot be read: ${JSON.stringify(join(dir, 'missing.pem'))} (no such file)` });
  const junk = file('junk.pem', 'not-a-key-but-a-secret-value');
  expect(readDkimKeyFile(junk)).toEqual({ problem: `${JSON.stringify(junk)} holds no usable key: not an unencrypted PEM private key` });
  const locked = file('locked.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'a-passphrase' }) as string);
  expect(readDkimKeyFile(locked)).toEqual({ problem: `${JSON.stringify(locked)} holds no usable key: not an unencrypted PEM private key` });
  const ec = file('ec.pem', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  expect(readDkimKeyFile(ec)).toEqual({ problem: expect.stringMatching(/holds no usable key: it must be RSA of at least 1024 bits .*got ec/) });
  expect(JSON.stringify(readDkimKeyFile(junk))).not.toContain('secret-value');
});

it('loads the settings without reading the file, and stops the service at start with a configuration error', async () => {
  const config = loadConfig({
    LEADFWD_SECRET: randomSecret(),
    LEADFWD_PORT: '0',
    LEADFWD_DATA_DIR: join(dir, 'data'),
    LEADFWD_DKIM_DOMAIN: 'a.example',
    LEADFWD_DKIM_SELECTOR: 's1',
    LEADFWD_DKIM_PRIVATE_KEY_FILE: join(dir, 'nokey.pem'),
  });
  const err = await startService(config).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([`LEADFWD_DKIM_PRIVATE_KEY_FILE cannot be read: ${JSON.stringify(join(dir, 'nokey.pem'))} (no such file)`]);
});
