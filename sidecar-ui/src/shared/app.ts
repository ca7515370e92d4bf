// Access to Sugar's running app and its labels. Controllers are evaluated by Sidecar, so `app` is
// reached through the page's SUGAR.App rather than a module import.
import type { SidecarApp } from '../sidecar.js';
import { callSugar } from './service-client.js';

export function getApp(): SidecarApp {
  const app = (window as unknown as { SUGAR?: { App?: SidecarApp } }).SUGAR?.App;
  if (!app) throw new Error('LeadFWD: SUGAR.App is not available on this page');
  return app;
}

export type LabelVars = Record<string, string | number>;

/** A translated label with {{name}} placeholders filled; Sugar answers the key itself for a missing label. */
export function t(key: string, vars?: LabelVars): string {
  const text = getApp().lang.get(key);
  const label = typeof text === 'string' && text !== '' ? text : key;
  if (!vars) return label;
  return label.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A label about `n` things, `one` when n is 1, so no screen says "1 messages" (both keys written out, as labels are checked). */
export function tn(n: number, [one, many]: readonly [string, string], vars?: LabelVars): string {
  return t(n === 1 ? one : many, { ...vars, n });
}

/** app.api.call as a promise; rejects with ventana's error object (marked `sugar: true`). */
export function sugarCall<T>(method: 'read' | 'create' | 'update' | 'delete', url: string, data?: unknown): Promise<T> {
  return callSugar<T>(getApp().api, method, url, data);
}
