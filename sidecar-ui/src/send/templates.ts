// Sugar Email Templates in the send flow's Content step, asked as the user through the relay: pick one (its subject
// and HTML fill the form; the variables LeadFWD cannot fill are listed, with why, before the user goes on), or save
// what is written as a Sugar Email Template of their own.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { describeError } from '../shared/errors.js';
import type { SidecarView } from '../sidecar.js';
import { formOf, state } from './state.js';

interface TemplateSummary {
  id: string;
  name: string;
}
interface Unmapped {
  variable: string;
  reason: string;
}

const reportOf = (form: HTMLFormElement) => form.querySelector<HTMLElement>('.leadfwd-tpl-report')!;

function say(form: HTMLFormElement, text: string, unmapped: Unmapped[] = []): void {
  const el = reportOf(form);
  replaceChildren(
    el,
    h('p', {}, text),
    unmapped.length
      ? h(
          'ul',
          { class: 'leadfwd-tpl-unmapped' },
          unmapped.map((u) => h('li', {}, h('code', {}, u.variable), ` — ${u.reason}`)),
        )
      : null,
  );
}

export async function loadTemplates(view: SidecarView): Promise<void> {
  const st = state(view);
  const form = formOf(view);
  if (!st.client || !form) return;
  const select = form.querySelector<HTMLSelectElement>('select[name="sugarTemplate"]');
  if (!select) return;
  const list = await st.client.get<{ emailTemplates: TemplateSummary[] }>('/sugar/email-templates').catch(() => ({ emailTemplates: [] }));
  replaceChildren(
    select,
    h('option', { value: '' }, t(list.emailTemplates.length ? 'LBL_LEADFWD_TPL_NONE' : 'LBL_LEADFWD_TPL_EMPTY')),
    list.emailTemplates.map((tpl) => h('option', { value: tpl.id }, tpl.name)),
  );
}

export async function useTemplate(view: SidecarView): Promise<void> {
  const st = state(view);
  const form = formOf(view);
  const id = (form?.elements.namedItem('sugarTemplate') as HTMLSelectElement | null)?.value;
  if (!st.client || !form || !id) return;
  try {
    const tpl = await st.client.get<{ name: string; subject: string; html: string; text: string; unmapped: Unmapped[] }>(
      `/sugar/email-templates/${encodeURIComponent(id)}`,
    );
    (form.elements.namedItem('subject') as HTMLInputElement).value = tpl.subject;
    form.querySelector<HTMLInputElement>('input[name="format"][value="html"]')!.checked = true;
    (form.elements.namedItem('content') as HTMLTextAreaElement).value = tpl.html || tpl.text;
    say(form, tpl.unmapped.length ? t('LBL_LEADFWD_TPL_USED_UNMAPPED', { name: tpl.name }) : t('LBL_LEADFWD_TPL_USED', { name: tpl.name }), tpl.unmapped);
  } catch (e) {
    say(form, describeError(e).text);
  }
  reportOf(form).focus();
}

export async function saveTemplate(view: SidecarView): Promise<void> {
  const st = state(view);
  const form = formOf(view);
  if (!st.client || !form) return;
  const val = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | null)?.value ?? '';
  const mjml = form.querySelector<HTMLInputElement>('input[name="format"][value="mjml"]')?.checked;
  const name = val('name').trim() || val('subject').trim();
  if (!name || !val('content').trim()) {
    say(form, t('LBL_LEADFWD_TPL_NOTHING'));
    reportOf(form).focus();
    return;
  }
  try {
    const saved = await st.client.post<{ id: string; name: string; unmapped: Unmapped[] }>('/sugar/email-templates', {
      name,
      subject: val('subject'),
      ...(mjml ? { mjml: val('content') } : { html: val('content') }),
    });
    say(form, t(saved.unmapped.length ? 'LBL_LEADFWD_TPL_SAVED_UNMAPPED' : 'LBL_LEADFWD_TPL_SAVED', { name: saved.name }), saved.unmapped);
    await loadTemplates(view);
  } catch (e) {
    say(form, describeError(e).text);
  }
  reportOf(form).focus();
}
