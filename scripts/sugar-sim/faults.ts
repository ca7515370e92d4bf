// Fault injection for resilience tests. Applies to /rest/... HTTP requests only, never to /__sim/ or bulk items.
import { SugarError } from './errors.js';

export interface SimFaults {
  latencyMs: number;
  failNext(count: number, status?: number, label?: string): void;
  maintenanceFor(ms: number): void;
  expireTokensNow(): void;
  rejectRefresh: boolean;
  rateLimitNext(count: number, retryAfterSeconds: number): void;
  dropNext(count: number): void;
  reset(): void;
}

export type FaultOutcome = { kind: 'none' } | { kind: 'drop' } | { kind: 'error'; error: SugarError; headers?: Record<string, string> };

const MESSAGES: Record<string, string> = {
  service_unavailable: 'The service is temporarily unavailable.',
  maintenance: 'The server is in maintenance mode. Please try again later.',
};

const nonNegativeInt = (n: unknown, name: string): number => {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new TypeError(`${name} must be a non-negative integer`);
  return n;
};

export class Faults implements SimFaults {
  latencyMs = 0;
  rejectRefresh = false;
  private fail = { count: 0, status: 503, label: 'service_unavailable' };
  private maintenanceUntil = 0;
  private rateLimit = { count: 0, retryAfter: 1 };
  private drops = 0;

  constructor(private expireAll: () => void) {}

  failNext(count: number, status = 503, label = 'service_unavailable'): void {
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new TypeError('status must be an HTTP error status (400-599)');
    this.fail = { count: nonNegativeInt(count, 'count'), status, label };
  }

  maintenanceFor(ms: number): void {
    this.maintenanceUntil = Date.now() + nonNegativeInt(ms, 'ms');
  }

  expireTokensNow(): void {
    this.expireAll();
  }

  rateLimitNext(count: number, retryAfterSeconds: number): void {
    this.rateLimit = { count: nonNegativeInt(count, 'count'), retryAfter: nonNegativeInt(retryAfterSeconds, 'retryAfterSeconds') };
  }

  dropNext(count: number): void {
    this.drops = nonNegativeInt(count, 'count');
  }

  reset(): void {
    this.latencyMs = 0;
    this.rejectRefresh = false;
    this.fail = { count: 0, status: 503, label: 'service_unavailable' };
    this.maintenanceUntil = 0;
    this.rateLimit = { count: 0, retryAfter: 1 };
    this.drops = 0;
  }

  // Consumes one unit of whichever fault is armed, most disruptive first.
  next(): FaultOutcome {
    if (this.drops > 0) {
      this.drops--;
      return { kind: 'drop' };
    }
    if (Date.now() < this.maintenanceUntil) {
      return { kind: 'error', error: new SugarError(503, 'maintenance', MESSAGES.maintenance) };
    }
    if (this.rateLimit.count > 0) {
      this.rateLimit.count--;
      const error = new SugarError(429, 'too_many_requests', 'Too many requests (simulator-only fault; Sugar itself has no 429).');
      return { kind: 'error', error, headers: { 'Retry-After': String(this.rateLimit.retryAfter) } };
    }
    if (this.fail.count > 0) {
      this.fail.count--;
      const msg = MESSAGES[this.fail.label] ?? `Simulated failure (${this.fail.status} ${this.fail.label}).`;
      return { kind: 'error', error: new SugarError(this.fail.status, this.fail.label, msg) };
    }
    return { kind: 'none' };
  }

  state(): Record<string, unknown> {
    return {
      latencyMs: this.latencyMs,
      rejectRefresh: this.rejectRefresh,
      failNext: { ...this.fail },
      maintenanceMsLeft: Math.max(0, this.maintenanceUntil - Date.now()),
      rateLimit: { ...this.rateLimit },
      dropNext: this.drops,
    };
  }
}
