export interface RequestLogEntry {
  method: string;
  path: string; // without host; bulk items as /rest/<their url>
  status: number; // 0 while in flight or when the socket was dropped
  ms: number;
  at: number; // epoch ms when the request arrived
  bulk: boolean; // true = a sub-request of POST /bulk, not an HTTP call the client made
}

// A long-running demo must not grow without bound; tests and benchmarks stay far below this.
const MAX_ENTRIES = 500_000;

// Entries are appended on arrival, so a bulk call precedes its items.
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  start(method: string, path: string, bulk: boolean): (status: number) => void {
    const entry: RequestLogEntry = { method, path, status: 0, ms: 0, at: Date.now(), bulk };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    const t0 = performance.now();
    return (status) => {
      entry.status = status;
      entry.ms = Math.round((performance.now() - t0) * 100) / 100;
    };
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
