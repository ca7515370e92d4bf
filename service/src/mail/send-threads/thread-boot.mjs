// Source-mode bootstrap for send threads (tsx, vitest): a worker thread does not inherit the
// parent's TypeScript loader reliably, so register it here, then load the thread module.
// Bundled builds start dist/send-thread.mjs directly and never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
