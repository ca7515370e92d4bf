// How a failed start ends, for `npm start` (main.ts) and `npm run demo`: outside ops/, as it reads config's error.
import { ConfigError } from './config.js';
import { StartupError } from './ops/startup.js';
import { StoreMigrationError, StoreUnavailableError } from './ports/index.js';

/**
 * How `npm start` and `npm run demo` end on a failed start: a bad setting in one message (exit 78, EX_CONFIG); a store
 * or start-up refusal in one sentence the operator can act on (exit 1); anything else is a bug and keeps its stack.
 */
export function exitOnStartupFailure(e: unknown): never {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  if (e instanceof StartupError || e instanceof StoreMigrationError || e instanceof StoreUnavailableError) {
    console.error(`LeadFWD cannot start: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
