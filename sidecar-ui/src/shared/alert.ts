// Sugar's app.alert.show renders its messages and title as HTML (Handlebars.SafeString, sugar-platform.md §13), so
// every text LeadFWD shows there — campaign and list names, subjects, error messages of Sugar or the service — is
// escaped here first. Every alert of the UI goes through showAlert; a test keeps it that way.

import type { AlertOptions } from '../sidecar.js';
import { getApp } from './app.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

/** The same escaping as Handlebars.Utils.escapeExpression (which Sugar's own templates use). */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"'`=]/g, (c) => HTML[c]);
}

export type AlertLevel = AlertOptions['level'];

export function showAlert(
  key: string,
  level: AlertLevel,
  text: string,
  o: { title?: string; autoClose?: boolean; onConfirm?: () => void; onCancel?: () => void } = {},
): void {
  getApp().alert.show(key, {
    level,
    messages: escapeHtml(text),
    ...(o.title !== undefined ? { title: escapeHtml(o.title) } : {}),
    ...(o.autoClose !== undefined ? { autoClose: o.autoClose } : {}),
    ...(o.onConfirm ? { onConfirm: o.onConfirm } : {}),
    ...(o.onCancel ? { onCancel: o.onCancel } : {}),
  });
}
