// Access to Sugar's running app and its labels. Controllers are evaluated by Sidecar, so `app` is
// reached through the page's SUGAR.App rather than a module import.
import type { ApiError, SidecarApp } from '../sidecar.js';

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

/** app.api.call as a promise; rejects with ventana's error object. */
export function sugarCall<T>(method: 'read' | 'create' | 'update' | 'delete', url: string, data?: unknown): Promise<T> {
  const app = getApp();
  return new Promise<T>((resolve, reject) => {
    app.api.call<T>(method, url, data ?? null, {
      success: (d) => resolve(d),
      error: (e: ApiError) => reject(Object.assign(new Error(e?.message || e?.code || 'Sugar request failed'), { status: e?.status, code: e?.code, sugar: true })),
    });
  });
}
