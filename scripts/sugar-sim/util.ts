import { randomUUID } from 'node:crypto';
import { SugarError } from './errors.js';

export const newId = (): string => randomUUID();

// Sugar's API datetime shape: seconds precision, explicit offset (users here are all UTC).
export function toSugarDateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function parseDateTimeInput(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw badValue(field, v);
  const s = v.trim();
  // A bare 'YYYY-MM-DD HH:MM:SS' is Sugar's DB form and means UTC.
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(s) ? `${s.replace(' ', 'T')}Z` : s;
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) throw badValue(field, v);
  return toSugarDateTime(d);
}

export function parseDateInput(field: string, v: unknown): string {
  if (typeof v !== 'string') throw badValue(field, v);
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v.trim());
  if (!m || Number.isNaN(new Date(`${m[1]}T00:00:00Z`).getTime())) throw badValue(field, v);
  return m[1];
}

export function parseBoolInput(field: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true' || v === 'on' || v === 'yes') return true;
  if (v === 0 || v === '0' || v === 'false' || v === '' || v === 'off' || v === 'no' || v === null) return false;
  throw badValue(field, v);
}

export function badValue(field: string, v: unknown): SugarError {
  const shown = typeof v === 'string' ? v : JSON.stringify(v);
  return new SugarError(422, 'invalid_parameter', `Invalid value for field ${field}: ${String(shown).slice(0, 80)}`);
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
