import { pino, type Logger } from 'pino';

// Secrets must never reach a log line, whichever object they travel in.
const REDACT = [
  'password', '*.password', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
  'headers["oauth-token"]', '*.headers["oauth-token"]', 'headers.authorization', '*.headers.authorization',
  'apiKey', '*.apiKey', 'secret', '*.secret',
];

export function createLogger(level = 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined });
}

export type { Logger };
