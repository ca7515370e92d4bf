// RSA-2048 signing is the single most expensive step per message (~0.5 ms on this class of
// CPU), so it can run on worker threads while the main thread builds and sends. Only the
// canonical header block (< 1 KB) crosses threads; requests made in the same tick travel as
// one batch. Each worker parses the key once.
import { Worker } from 'node:worker_threads';
import { parseDkimKey } from './dkim.js';

// Inline CommonJS so the worker runs the same under tsx, vitest and compiled builds.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
parentPort.on('message', (batch) => {
  const out = batch.map(([id, data]) => {
    try { return [id, sign('sha256', Buffer.from(data), key).toString('base64')]; }
    catch (e) { return [id, null, String(e && e.message || e)]; }
  });
  parentPort.postMessage(out);
});
`;

interface Pending {
  resolve(b: string): void;
  reject(e: Error): void;
}

export interface DkimSigners {
  sign(data: string): Promise<string>;
  close(): Promise<void>;
}

export function createDkimSigners(privateKeyPem: string, size: number): DkimSigners {
  parseDkimKey(privateKeyPem); // fail fast, on the caller's thread, with a readable message
  const pending = new Map<number, Pending>();
  const load: number[] = [];
  let nextId = 1;
  let queued: Array<[number, string]> = [];
  let flushScheduled = false;
  let closed = false;

  const workers = Array.from({ length: Math.max(1, size) }, (_, index) => {
    // It holds a key and a few header blocks at a time; V8's default nursery would hold far more.
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { pem: privateKeyPem }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    load[index] = 0;
    w.on('message', (results: Array<[number, string | null, string?]>) => {
      load[index] -= results.length;
      for (const [id, b, error] of results) {
        const p = pending.get(id);
        pending.delete(id);
        if (!p) continue;
        if (b) p.resolve(b);
        else p.reject(new Error(`DKIM signing failed: ${error}`));
      }
      if (load[index] === 0) w.unref();
    });
    w.on('error', (err) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(err);
      }
    });
    w.unref();
    return w;
  });

  const flush = () => {
    flushScheduled = false;
    const batch = queued;
    queued = [];
    if (!batch.length) return;
    // Spread the batch over the least-loaded workers.
    const per = Math.ceil(batch.length / workers.length);
    for (let i = 0; i < batch.length; i += per) {
      const idx = load.indexOf(Math.min(...load));
      const slice = batch.slice(i, i + per);
      load[idx] += slice.length;
      workers[idx].ref(); // keep the process alive while signatures are owed
      workers[idx].postMessage(slice);
    }
  };

  return {
    sign(data: string): Promise<string> {
      if (closed) return Promise.reject(new Error('DKIM signer pool is closed'));
      const id = nextId++;
      const promise = new Promise<string>((resolve, reject) => pending.set(id, { resolve, reject }));
      queued.push([id, data]);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
      return promise;
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((w) => w.terminate()));
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error('DKIM signer pool closed'));
      }
    },
  };
}
