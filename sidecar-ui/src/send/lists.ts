// The choices of the send flow: Sugar target lists, LeadFWD lists and merge fields, as labelled checkboxes.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import type { LeadfwdList, MergeField, TargetList } from '../shared/service-types.js';

/** Sugar sends to every linked list except test and exempt ones (sugar-platform.md §7); so do we. */
export const SENDABLE_TYPES = ['default', 'seed'];
export const isSendable = (l: TargetList) => SENDABLE_TYPES.includes(l.list_type || 'default');
export const isExempt = (l: TargetList) => /^exempt/.test(l.list_type);

function count(n: number | null): string {
  return n === null ? t('LBL_LEADFWD_MEMBERS_UNKNOWN') : t('LBL_LEADFWD_MEMBERS', { n });
}

function checkbox(cid: string, name: string, id: string, label: string, checked: boolean, problem?: string): HTMLLIElement {
  const inputId = `${cid}-${name}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const errId = `${inputId}-error`;
  return h('li', { class: 'leadfwd-choice' },
    h('input', { type: 'checkbox', id: inputId, name, value: id, checked, 'aria-invalid': problem ? 'true' : null, 'aria-describedby': problem ? errId : null }),
    h('label', { for: inputId }, label),
    problem ? h('span', { class: 'leadfwd-field-error', id: errId }, problem) : null);
}

export function renderSugarLists(ul: Element, cid: string, lists: TargetList[], selected: Set<string>, gone: Set<string>): void {
  const sendable = lists.filter(isSendable);
  // A list chosen before it was deleted stays on screen (and ticked) so the user sees what changed.
  const goneChosen = Array.from(gone).filter((id) => selected.has(id) && !sendable.some((l) => l.id === id));
  if (!sendable.length && !goneChosen.length) { replaceChildren(ul, h('li', { class: 'leadfwd-hint' }, t('LBL_LEADFWD_NO_SUGAR_LISTS'))); return; }
  replaceChildren(ul,
    sendable.map((l) => checkbox(cid, 'targetList', l.id, `${l.name} (${count(l.memberCount)})`, selected.has(l.id), gone.has(l.id) ? t('LBL_LEADFWD_LIST_GONE') : undefined)),
    goneChosen.map((id) => checkbox(cid, 'targetList', id, id, true, t('LBL_LEADFWD_LIST_GONE'))));
}

export function renderLeadfwdLists(ul: Element, cid: string, lists: LeadfwdList[], selected: Set<string>, gone: Set<string>): void {
  if (!lists.length) { replaceChildren(ul, h('li', { class: 'leadfwd-hint' }, t('LBL_LEADFWD_NO_LEADFWD_LISTS'))); return; }
  replaceChildren(ul, lists.map((l) => checkbox(cid, 'leadfwdList', l.id, `${l.name} (${count(l.memberCount)})`, selected.has(l.id), gone.has(l.id) ? t('LBL_LEADFWD_LIST_GONE') : undefined)));
}

export function renderFieldOptions(ul: Element, cid: string, fields: MergeField[], chosen: Set<string>, onToggle: (name: string, on: boolean) => void): void {
  if (!fields.length) { replaceChildren(ul, h('li', { class: 'leadfwd-hint' }, t('LBL_LEADFWD_NO_FIELDS'))); return; }
  const item = (f: MergeField) => {
    const li = checkbox(cid, 'mergeField', f.name, `${f.name}${f.custom ? ` · ${t('LBL_LEADFWD_CUSTOM')}` : ''}`, chosen.has(f.name));
    li.querySelector('input')!.addEventListener('change', (e) => onToggle(f.name, (e.target as HTMLInputElement).checked));
    return li;
  };
  const custom = fields.filter((f) => f.custom);
  const other = fields.filter((f) => !f.custom);
  replaceChildren(ul,
    custom.map(item),
    other.length ? h('li', {}, h('details', {}, h('summary', {}, t('LBL_LEADFWD_OTHER_FIELDS', { n: other.length })), h('ul', { class: 'leadfwd-checklist' }, other.map(item)))) : null);
}

export function exemptNote(el: Element, linked: TargetList[]): void {
  const exempt = linked.filter(isExempt);
  replaceChildren(el, exempt.length ? t('LBL_LEADFWD_EXEMPT_NOTE', { lists: exempt.map((l) => l.name).join(', ') }) : '');
}

export function renderTestLists(select: HTMLSelectElement, lists: TargetList[]): void {
  const tests = lists.filter((l) => l.list_type === 'test');
  replaceChildren(select,
    h('option', { value: '' }, t('LBL_LEADFWD_TEST_LIST_NONE')),
    tests.map((l) => h('option', { value: l.id }, `${l.name} (${count(l.memberCount)})`)));
}
