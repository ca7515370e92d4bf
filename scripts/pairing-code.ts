// `npm run pairing-code`: a new one-time code an administrator types into Sugar (Administration → LeadFWD
// settings) to pair it with this service. Reads the same LEADFWD_DATA_DIR and LEADFWD_SECRET as the service;
// the running service accepts the code at once (the code lives in its database). Replaces any earlier code.
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../service/src/config.js';
import { createPairing } from '../service/src/relay/pairing.js';
import { openStore } from '../service/src/store/db.js';

try {
  const config = loadConfig();
  const store = openStore(join(config.dataDir, 'leadfwd.sqlite'));
  const { code, expiresAt } = await createPairing({
    relay: store.relay,
    serviceSecrets: config.secretPrevious ? [config.secret, config.secretPrevious] : [config.secret],
  }).newCode();
  store.close();
  console.log(`Pairing code: ${code}\nValid until ${expiresAt} (15 minutes), once. Enter it in Sugar: Administration → LeadFWD settings.`);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `No pairing code: ${(e as Error).message}`);
  process.exit(e instanceof ConfigError ? 78 : 1);
}
