import { type DestinationStream, type LogFn, type Logger, pino } from 'pino';

// Secrets must never reach a log line, whichever object they travel in.
const REDACT = [
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'headers["oauth-token"]',
  '*.headers["oauth-token"]',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
];

/**
 * One call shape everywhere: `log.info({ ...fields of this event }, 'area.event_name')`. The message is a stable dotted
 * event name, never a sentence (test/logging.test.ts checks every call); every line also carries it as `event`.
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: undefined,
    hooks: {
      logMethod(args: Parameters<LogFn>, method: LogFn) {
        const [fields, name] = args as unknown[];
        const plain = typeof fields === 'object' && fields !== null && Object.getPrototypeOf(fields) === Object.prototype;
        if (plain && typeof name === 'string' && !('event' in fields)) args[0] = { event: name, ...fields };
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
