// The send flow's form in the DOM: reading it, and showing each problem ONCE, next to the field it is about (Sugar's
// control-group "error" state, aria-invalid, the message in the field's own error line), cleared as soon as that
// field changes. A problem that is about no field (the service is down, the session expired) is one message in the
// form's alert line. Never touches what the user typed.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { readAb } from './ab-test.js';
import type { SendForm } from './validate.js';

/** A problem at a field: a label (with vars) to translate, or a text already translated, and optional detail lines. */
export interface Problem {
  field: string;
  label: string;
  vars?: Record<string, string | number>;
  text?: string;
  details?: string[];
}

const checked = (root: ParentNode, selector: string) =>
  Array.from(root.querySelectorAll<HTMLInputElement>(selector))
    .filter((i) => i.checked)
    .map((i) => i.value);

export function readForm(form: HTMLFormElement, extra: { customFields: string[]; timeZone: string }): SendForm {
  const val = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';
  const radio = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '';
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
    savedFilterIds: checked(form, 'input[name="savedFilter"]'),
    reportIds: checked(form, 'input[name="savedReport"]'),
    customFields: extra.customFields,
    schedule: radio('schedule') === 'later' ? 'later' : 'now',
    sendAtLocal: val('sendAtLocal'),
    timeZone: extra.timeZone,
    senderIdentityId: val('senderIdentityId'),
    sendAsAssignedUser: Boolean((form.elements.namedItem('sendAsAssignedUser') as HTMLInputElement | null)?.checked),
    ...(form.querySelector<HTMLInputElement>('input[name="localTime"]')?.checked
      ? { localTime: { at: val('localAt') || '09:00', timeZone: val('localZone').trim() || extra.timeZone } }
      : {}),
    ...(readAb(form) ? { abTest: readAb(form) } : {}),
  };
}

/** The controls a field's problem marks invalid (the list checkboxes for 'lists', the radios for 'format'). */
export function controlsOf(form: HTMLFormElement, cid: string, field: string): HTMLElement[] {
  if (field === 'lists')
    return Array.from(
      form.querySelectorAll<HTMLElement>('input[name="targetList"], input[name="leadfwdList"], input[name="savedFilter"], input[name="savedReport"]'),
    );
  if (field === 'format') return Array.from(form.querySelectorAll<HTMLElement>('input[name="format"]'));
  const el = form.querySelector<HTMLElement>(`#${cid}-${field}`);
  return el ? [el] : [];
}

const groupOf = (form: HTMLFormElement, field: string) => form.querySelector<HTMLElement>(`.control-group[data-field="${field}"]`);

export function clearFieldError(form: HTMLFormElement, cid: string, field: string): void {
  const slot = form.querySelector(`#${cid}-${field}-error`);
  if (slot) replaceChildren(slot);
  groupOf(form, field)?.classList.remove('error');
  for (const c of controlsOf(form, cid, field)) {
    c.removeAttribute('aria-invalid');
    if (field === 'lists' || field === 'format') c.removeAttribute('aria-describedby');
  }
}

export function clearProblems(form: HTMLFormElement, cid: string): void {
  form.querySelectorAll<HTMLElement>('.control-group.error[data-field]').forEach((g) => clearFieldError(form, cid, g.dataset.field!));
}

/** Shows each problem at its field; returns the first control to focus. */
export function showFieldProblems(form: HTMLFormElement, cid: string, problems: Problem[]): HTMLElement | undefined {
  let first: HTMLElement | undefined;
  for (const p of problems) {
    const text = p.text ?? t(p.label, p.vars);
    const slot = form.querySelector(`#${cid}-${p.field}-error`);
    if (slot)
      replaceChildren(
        slot,
        text,
        p.details?.length
          ? h(
              'ul',
              { class: 'leadfwd-details' },
              p.details.map((d) => h('li', {}, d)),
            )
          : null,
      );
    groupOf(form, p.field)?.classList.add('error');
    for (const c of controlsOf(form, cid, p.field)) {
      c.setAttribute('aria-invalid', 'true');
      if (p.field === 'lists' || p.field === 'format') c.setAttribute('aria-describedby', `${cid}-${p.field}-error`);
      first ??= c;
    }
  }
  return first;
}

/** The one line for a problem that is about no field. Empty text hides it. */
export function setMessage(form: HTMLFormElement, text: string, focus = false): void {
  const el = form.querySelector<HTMLElement>('.leadfwd-message');
  if (!el) return;
  replaceChildren(el, text);
  el.hidden = !text;
  if (text && focus) el.focus();
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
    if (lost && before?.isConnected && !before.closest('[hidden]')) before.focus();
  }
}

export function setStatus(form: HTMLFormElement, text: string): void {
  const status = form.querySelector('.leadfwd-status');
  if (status) replaceChildren(status, text);
}
