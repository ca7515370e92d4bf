import { defineConfig } from 'vitest/config';

/**
 * Tests that measure time on the machine itself (event-loop stalls, a checkpoint thread keeping pace with writes,
 * /healthz answering while an SMTP flood is refused, the order rows go out in while processes without a provider's
 * slot hold them for 2 s).
 * They run after all the others, one file at a time: on two cores a browser test beside them (Chromium, the
 * harness, PHP, a service) starves them and their thresholds fail for reasons that are not theirs (the slot test:
 * 0 to 8 rows late alone, 60 once beside the others, its three processes starved past their 2 s holds).
 */
const TIMING = [
  'test/security/event-loop.test.ts',
  'test/store/checkpointer.test.ts',
  'test/security/inbound-flood.test.ts',
  'test/e2e/provider-slots-elsewhere-pg.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: e2e tests spawn real servers, so keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMING, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
