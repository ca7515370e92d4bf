// `npm run pairing-code`: a new one-time code an administrator types into Sugar (Administration → LeadFWD
// settings) to pair it with this service. Reads the same settings as the service (LEADFWD_DATABASE_URL, else
// LEADFWD_DATA_DIR; LEADFWD_SECRET); the running service accepts the code at once (the code lives in its database).
// Replaces any earlier code. A store that is not there is refused: a code written anywhere else is never accepted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../service/src/config.js';
import { createPairing } from '../service/src/relay/pairing.js';
import { openStore } from '../service/src/store/db.js';
import { openPgStore } from '../service/src/store/pg/db.js';
import { describeDatabase } from '../service/src/store-start.js';

async function openServiceStore(config: ReturnType<typeof loadConfig>) {
  if (config.database) {
    // A tool that prints a code must not migrate a shared database under the running processes (nor use an older one).
    const store = await openPgStore(config.database.url, { poolSize: 1, prepared: config.database.prepared, migrateLater: true });
    const mismatch = await store.schemaMismatch();
    if (mismatch) {
      await store.close();
      throw new Error(mismatch);
    }
    return store;
  }
  const file = join(config.dataDir, 'leadfwd.sqlite');
  if (config.dataDir === ':memory:' || !existsSync(file)) {
    throw new Error(
      `no database at ${file}: set LEADFWD_DATA_DIR (or LEADFWD_DATABASE_URL) as the service has it (npm run demo keeps its data in demo-data/service)`,
    );
  }
  return openStore(file);
}

try {
  const config = loadConfig();
  const pgAt = config.database && describeDatabase(config.database.url).where;
  let store: Awaited<ReturnType<typeof openServiceStore>>;
  try {
    store = await openServiceStore(config);
  } catch (e) {
    throw new Error(`${(e as Error).message}${pgAt ? ` (${pgAt})` : ''}`);
  }
  try {
    const { code, expiresAt } = await createPairing({
      relay: store.relay,
      serviceSecrets: config.secretPrevious ? [config.secret, config.secretPrevious] : [config.secret],
    }).newCode();
    const where = pgAt ? `PostgreSQL at ${pgAt}` : join(config.dataDir, 'leadfwd.sqlite');
    console.log(
      `Pairing code: ${code}\nValid until ${expiresAt} (15 minutes), once, for the service on ${where}. Enter it in Sugar: Administration → LeadFWD settings.`,
    );
  } finally {
    await store.close();
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `No pairing code: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 78 : 1);
}
