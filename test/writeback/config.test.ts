// Write-back settings from the environment: defaults, overrides and one clear message for bad values.
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../service/src/config.js';
import { DEFAULT_WRITEBACK } from '../../service/src/writeback/settings.js';
import { randomSecret } from '../support/secrets.js';

describe('write-back configuration', () => {
  it('defaults to the documented settings and reads overrides', () => {
    expect(loadConfig({ LEADFWD_SECRET: randomSecret() }).writeback).toEqual(DEFAULT_WRITEBACK);
    const c = loadConfig({
      LEADFWD_SECRET: randomSecret(),
      LEADFWD_WRITEBACK_BATCH: '50',
      LEADFWD_WRITEBACK_BULK_MAX: '100',
      LEADFWD_WRITEBACK_IN_FLIGHT: '4',
      LEADFWD_WRITEBACK_RATE: '0',
      LEADFWD_WRITEBACK_MAX_ATTEMPTS: '5',
      LEADFWD_OPT_OUT_SCOPE: 'none',
    });
    expect(c.writeback).toMatchObject({ batchSize: 50, bulkMax: 100, inFlight: 4, ratePerSecond: 0, maxAttempts: 5, optOutScope: 'none' });
  });

  it('names every bad value at once', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ LEADFWD_SECRET: randomSecret(), LEADFWD_OPT_OUT_SCOPE: 'everyone', LEADFWD_WRITEBACK_IN_FLIGHT: '0', LEADFWD_WRITEBACK_BATCH: 'many' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems).toEqual([
      'LEADFWD_WRITEBACK_BATCH must be an integer from 1 to 5000, got "many"',
      'LEADFWD_WRITEBACK_IN_FLIGHT must be an integer from 1 to 16, got "0"',
      'LEADFWD_OPT_OUT_SCOPE must be address, all or none, got "everyone"',
    ]);
  });
});
