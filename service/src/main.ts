// `npm start`: configuration from the environment, then the composition root.

import { startService } from './composition.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { exitOnStartupFailure } from './startup-exit.js';

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const starting = startService(config, { logger });
  let service: Awaited<typeof starting> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    logger.info({ signal }, 'service.stopping');
    const started = Date.now();
    // Still starting (most often waiting for PostgreSQL, which a container's dependency may still be): nothing is taken
    // yet that another process would have to wait for; a start that completes within moments is stopped properly.
    service ??= await Promise.race([starting.catch(() => undefined), new Promise<undefined>((r) => setTimeout(r, 2_000))]);
    await service?.stop();
    // The last line, so an operator reading the log knows the stop finished (pino writes stdout synchronously).
    logger.info({ event: 'service.stopped', signal, ms: Date.now() - started }, 'service.stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const running = await starting;
  service = running;
  // Started from its data folder while PostgreSQL was down: its start-up checks ran once the database answered. If
  // they fail, the same one sentence as at start; its spool keeps what it took, for a start with the right settings.
  running.startupChecks?.catch(async (e: unknown) => {
    if (stopping) return; // a stop under way ends the process
    console.error(`LeadFWD cannot start: ${(e as Error).message}`);
    stopping = true;
    await Promise.race([running.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
    process.exit(1);
  });
  if (stopping) await new Promise(() => undefined); // the stop above ends the process
  // Until Sugar is paired, the operator needs a code to type into Sugar's LeadFWD settings (docs/relay.md).
  const pairing = await running.pairingCodeIfUnpaired();
  if (pairing && 'code' in pairing)
    console.error(
      `LeadFWD is not paired with Sugar yet. Pairing code: ${pairing.code} (valid until ${pairing.expiresAt}; npm run pairing-code makes a new one)`,
    );
  else if (pairing)
    console.error(
      `LeadFWD is not paired with Sugar yet. A pairing code shown earlier (by this service or another process on its database) is valid until ${pairing.liveUntil}; npm run pairing-code or POST /api/v1/relay/pairing-code (API key) makes a new one, replacing it`,
    );
} catch (e) {
  exitOnStartupFailure(e);
}
