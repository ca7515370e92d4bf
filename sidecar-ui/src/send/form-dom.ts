// Reads the send form from the DOM and shows problems next to their fields and in one summary at the top,
// never touching what the user typed.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import type { SendForm } from './validate.js';

/** A problem at a field: a label (with vars) to translate, or a text already translated. */
export interface Problem { field: string; label: string; vars?: Record<string, string | number>; text?: string }

const checked = (root: ParentNode, selector: string) =>
  Array.from(root.querySelectorAll<HTMLInputElement>(selector)).filter((i) => i.checked).map((i) => i.value);

export function readForm(form: HTMLFormElement, customFields: Set<string>): SendForm {
  const val = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';
  const radio = (name: string) => (form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '');
  return {
    name: val('name'),
    subject: val('subject'),
    fromName: val('fromName'),
    fromEmail: val('fromEmail'),
    replyTo: val('replyTo'),
    format: radio('format') === 'mjml' ? 'mjml' : 'html',
    content: val('content'),
    targetListIds: checked(form, 'input[name="targetList"]'),
    leadfwdListIds: checked(form, 'input[name="leadfwdList"]'),
    customFields: Array.from(customFields),
    schedule: radio('schedule') === 'later' ? 'later' : 'now',
    sendAtLocal: val('sendAtLocal'),
  };
}

/** The control a problem is about, so the summary can link to it and focus can land on it. */
function controlFor(form: HTMLFormElement, cid: string, field: string): HTMLElement | null {
  if (field === 'lists') return form.querySelector<HTMLElement>('input[name="targetList"], input[name="leadfwdList"]');
  return form.querySelector<HTMLElement>(`#${cid}-${field}`);
}

export function clearProblems(form: HTMLFormElement): void {
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.leadfwd-field-error').forEach((el) => replaceChildren(el));
  const summary = form.querySelector<HTMLElement>('.leadfwd-error-summary');
  if (summary) { replaceChildren(summary); summary.hidden = true; }
}

/** Shows a summary (with links to fields, or free detail lines) and moves focus to it. */
export function showProblems(form: HTMLFormElement, cid: string, problems: Problem[], opts: { headline?: string; details?: string[] } = {}): void {
  clearProblems(form);
  const summary = form.querySelector<HTMLElement>('.leadfwd-error-summary');
  if (!summary) return;
  const items = problems.map((p) => {
    const text = p.text ?? t(p.label, p.vars);
    const control = controlFor(form, cid, p.field);
    if (control) control.setAttribute('aria-invalid', 'true');
    const slot = form.querySelector(`#${cid}-${p.field === 'lists' ? 'lists' : p.field}-error`);
    if (slot) replaceChildren(slot, text);
    const target = control?.id ? control.id : '';
    return h('li', {}, target
      ? h('a', { href: `#${target}`, onclick: (e: Event) => { e.preventDefault(); control!.focus(); } }, text)
      : text);
  });
  const details = (opts.details ?? []).map((d) => h('li', {}, d));
  replaceChildren(summary,
    h('strong', {}, opts.headline ?? t('LBL_LEADFWD_ERR_SUMMARY')),
    items.length || details.length ? h('ul', {}, items, details) : null);
  summary.hidden = false;
  summary.focus();
}

const focusBeforeBusy = new WeakMap<HTMLFormElement, HTMLElement>();

/** Disables the buttons while a request runs; focus returns to the button that started it. */
export function setBusy(form: HTMLFormElement, busy: boolean): void {
  form.setAttribute('aria-busy', busy ? 'true' : 'false');
  const active = document.activeElement as HTMLElement | null;
  if (busy && active && form.contains(active)) focusBeforeBusy.set(form, active);
  form.querySelectorAll<HTMLButtonElement>('button').forEach((b) => {
    if (b.classList.contains('leadfwd-close')) return;
    b.disabled = busy;
  });
  if (!busy) {
    const before = focusBeforeBusy.get(form);
    focusBeforeBusy.delete(form);
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && before && before.isConnected && !before.closest('[hidden]')) before.focus();
  }
}

export function setStatus(form: HTMLFormElement, text: string): void {
  const status = form.querySelector('.leadfwd-status');
  if (status) replaceChildren(status, text);
}
