// The settings of a service on loopback, for the tests that start the service themselves (to read its log lines,
// or to start it again with other secrets) rather than through startStack.
import { join } from 'node:path';
import { TEST_SENDER_DOMAINS } from './stack.js';

/** LEADFWD_* for a service on port 0 with its data below `dir`, the simulator at `sugarUrl` and the sink's SMTP port. */
export function loopbackEnv(o: { dir: string; sugarUrl: string; smtpPort: number; apiKey: string }): Record<string, string> {
  return {
    LEADFWD_PORT: '0',
    LEADFWD_DATA_DIR: join(o.dir, 'data'),
    LEADFWD_SUGAR_URL: o.sugarUrl,
    LEADFWD_SMTP_URL: `smtp://127.0.0.1:${o.smtpPort}`,
    LEADFWD_SMTP_RATE: '100000',
    LEADFWD_API_KEY: o.apiKey,
    LEADFWD_SENDER_DOMAINS: TEST_SENDER_DOMAINS,
  };
}
