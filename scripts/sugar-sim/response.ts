import { STATUS_CODES } from 'node:http';
import type { SimCore } from './core.js';
import { SugarError } from './errors.js';

export interface SimResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  cookies: string[];
}

// Every failure is {"error","error_message"} with Cache-Control: no-store; anything unexpected is 500 unknown_error.
export function errorResponse(err: unknown, core?: SimCore, extraHeaders: Record<string, string> = {}): SimResponse {
  let e: SugarError;
  if (err instanceof SugarError) e = err;
  else {
    if (core && !core.opts.quiet) console.error('[sugar-sim] unexpected error', err);
    e = new SugarError(500, 'unknown_error', 'An unknown error occurred.');
  }
  return { status: e.status, body: e.body(), headers: { 'Cache-Control': 'no-store', ...extraHeaders }, cookies: [] };
}

const RESPONSE = Symbol('sim-response');

export const respond = (status: number, body: unknown, cookies: string[] = []): SimResponse =>
  Object.assign({ status, body, headers: {}, cookies }, { [RESPONSE]: true });

export const isSimResponse = (v: unknown): v is SimResponse => typeof v === 'object' && v !== null && RESPONSE in v;

export const statusText = (status: number) => STATUS_CODES[status] ?? '';
