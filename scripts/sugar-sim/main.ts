// `npm run sugar-sim`: the simulator as a stand-alone process (for e2e tests and the demo).
import { startSugarSim } from './server.js';
import { SEED_USERS } from './users.js';

function envPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8089;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`SUGAR_SIM_PORT must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return n;
}

function envSeed(raw: string | undefined): 'demo' | 'empty' | 'none' {
  if (raw === undefined || raw === '') return 'demo';
  if (raw === 'demo' || raw === 'empty' || raw === 'none') return raw;
  console.error(`SUGAR_SIM_SEED must be demo, empty or none, got "${raw}"`);
  process.exit(2);
}

const seed = envSeed(process.env.SUGAR_SIM_SEED);
const sim = await startSugarSim({
  port: envPort(process.env.SUGAR_SIM_PORT),
  host: process.env.SUGAR_SIM_HOST || '127.0.0.1',
  dbPath: process.env.SUGAR_SIM_DB || ':memory:',
  seed,
});

console.log(`Sugar simulator listening on ${sim.url} (REST base ${sim.url}/rest/v11_1, seed: ${seed})`);
if (seed !== 'none') {
  console.log('Users (password = user name):');
  for (const u of SEED_USERS) console.log(`  ${u.user_name.padEnd(6)} ${u.isAdmin ? 'admin' : 'user '} password: ${u.password}`);
}
console.log('Simulator-only controls under /__sim/ (faults, requests, campaign-log-counts, seed-bulk).');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`Received ${signal}, stopping Sugar simulator.`);
  sim.close().then(
    () => process.exit(0),
    (err) => {
      console.error('Failed to stop cleanly:', err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
