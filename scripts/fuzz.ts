// The long fuzz run, outside CI: `npx tsx scripts/fuzz.ts [runs=2000] [seed]` runs test/security/fuzz.test.ts
// with that many cases per property (CI runs 40). A failure prints fast-check's seed and path; pass the seed
// back (FUZZ_SEED) to replay it.
import { spawnSync } from 'node:child_process';

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? '2000';
const seed = process.argv[3] ?? process.env.FUZZ_SEED;
const started = Date.now();
const r = spawnSync('npx', ['vitest', 'run', 'test/security/fuzz.test.ts', '--testTimeout', '3600000'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs, ...(seed ? { FUZZ_SEED: seed } : {}) },
});
console.log(
  `fuzz: ${runs} runs per property${seed ? `, seed ${seed}` : ''}, ${Math.round((Date.now() - started) / 1000)} s, ${r.status === 0 ? 'no failure' : 'FAILED'}`,
);
process.exit(r.status ?? 1);
