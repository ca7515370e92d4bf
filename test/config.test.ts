import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../service/src/config.js';
import { randomSecret } from './support/secrets.js';

const SECRET = randomSecret();

describe('configuration', () => {
  it('runs on embedded defaults with nothing set but the signing secret', () => {
    const c = loadConfig({ LEADFWD_SECRET: SECRET });
    expect(c).toMatchObject({ port: 8080, sugar: { url: 'http://127.0.0.1:8089', platform: 'leadfwd' }, smtp: { url: 'smtp://127.0.0.1:2525' } });
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every bad value in one error', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({
        LEADFWD_SECRET: SECRET,
        LEADFWD_PORT: 'eighty',
        LEADFWD_SUGAR_URL: 'ftp://x',
        LEADFWD_SMTP_URL: 'http://x',
        LEADFWD_DKIM_DOMAIN: 'a.example',
        LEADFWD_API_KEY: 'short',
      });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual([
      'LEADFWD_PORT must be an integer from 0 to 65535, got "eighty"',
      'LEADFWD_SUGAR_URL must be an http(s) URL, got "ftp://x"',
      'LEADFWD_SMTP_URL must start with smtp:// or smtps://',
      'LEADFWD_DKIM_DOMAIN, LEADFWD_DKIM_SELECTOR and LEADFWD_DKIM_PRIVATE_KEY_FILE must be set together',
      'LEADFWD_API_KEY is too short: it must hold at least 32 random bytes, e.g. the output of `openssl rand -base64 32`',
    ]);
  });

  it('never puts a secret into its error message', () => {
    expect(() => loadConfig({ LEADFWD_API_KEY: 'tiny', LEADFWD_SUGAR_PASSWORD: 'hunter2', LEADFWD_PORT: 'x' })).toThrow(ConfigError);
    try {
      loadConfig({ LEADFWD_API_KEY: 'tiny', LEADFWD_SUGAR_PASSWORD: 'hunter2', LEADFWD_PORT: 'x' });
    } catch (e) {
      expect((e as Error).message).not.toMatch(/hunter2|tiny"/);
    }
  });
});
