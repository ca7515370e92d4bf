// What a part of the service logs through: pino's Logger fits it, and each part names only the levels it uses
// (Pick<Log, 'info' | 'warn'>), so a test hands in a plain object. One call shape (logger.ts): fields, then the event.
export type LogFn = (fields: object, event?: string) => void;

export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}
