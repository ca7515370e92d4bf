// The choices of the send flow: Sugar target lists and LeadFWD lists as labelled checkboxes, the test lists, and the
// merge fields the insert helper offers (Sugar's field labels, custom fields first).
import { getApp, t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import type { LeadfwdList, MergeField, SavedAudience, TargetList } from '../shared/service-types.js';
import { fieldLabel } from './merge.js';

/** Sugar sends to every linked list except test and exempt ones (sugar-platform.md §7); so do we. */
export const SENDABLE_TYPES = ['default', 'seed'];
export const isSendable = (l: TargetList) => SENDABLE_TYPES.includes(l.list_type || 'default');
export const isExempt = (l: TargetList) => /^exempt/.test(l.list_type);

function count(n: number | null): string {
  return n === null ? t('LBL_LEADFWD_MEMBERS_UNKNOWN') : t('LBL_LEADFWD_MEMBERS', { n });
}

/** A list deleted in Sugar since the flow opened stays on screen (ticked) and says so in its label. */
function checkbox(cid: string, name: string, id: string, label: string, checked: boolean, gone: boolean): HTMLLIElement {
  const inputId = `${cid}-${name}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return h(
    'li',
    { class: 'leadfwd-choice' },
    h('input', { type: 'checkbox', id: inputId, name, value: id, checked }),
    h('label', { for: inputId }, gone ? `${label} (${t('LBL_LEADFWD_LIST_GONE')})` : label),
  );
}

export function renderSugarLists(ul: Element, cid: string, lists: TargetList[], selected: Set<string>, gone: Set<string>, names: (id: string) => string): void {
  const sendable = lists.filter(isSendable);
  const goneChosen = Array.from(gone).filter((id) => selected.has(id) && !sendable.some((l) => l.id === id));
  if (!sendable.length && !goneChosen.length) {
    replaceChildren(ul, h('li', { class: 'help-block' }, t('LBL_LEADFWD_NO_SUGAR_LISTS')));
    return;
  }
  replaceChildren(
    ul,
    sendable.map((l) => checkbox(cid, 'targetList', l.id, `${l.name} (${count(l.memberCount)})`, selected.has(l.id), gone.has(l.id))),
    goneChosen.map((id) => checkbox(cid, 'targetList', id, names(id), true, true)),
  );
}

/** Sugar saved filters and reports as audiences: read again when the campaign goes, with the user's rights. */
export function renderSavedAudiences(ul: Element, cid: string, filters: SavedAudience[], reports: SavedAudience[], selected: Set<string>): void {
  if (!filters.length && !reports.length) {
    replaceChildren(ul, h('li', { class: 'help-block' }, t('LBL_LEADFWD_NO_SAVED_AUDIENCES')));
    return;
  }
  replaceChildren(
    ul,
    filters.map((f) =>
      checkbox(cid, 'savedFilter', f.id, t('LBL_LEADFWD_SAVED_FILTER_ITEM', { name: f.name, module: f.module }), selected.has(`f:${f.id}`), false),
    ),
    reports.map((r) => checkbox(cid, 'savedReport', r.id, t('LBL_LEADFWD_REPORT_ITEM', { name: r.name, module: r.module }), selected.has(`r:${r.id}`), false)),
  );
}

export function renderLeadfwdLists(ul: Element, cid: string, lists: LeadfwdList[], selected: Set<string>, gone: Set<string>): void {
  if (!lists.length) {
    replaceChildren(ul, h('li', { class: 'help-block' }, t('LBL_LEADFWD_NO_LEADFWD_LISTS')));
    return;
  }
  replaceChildren(
    ul,
    lists.map((l) => checkbox(cid, 'leadfwdList', l.id, `${l.name} (${count(l.memberCount)})`, selected.has(l.id), gone.has(l.id))),
  );
}

/** Sugar's label of a field in `module` (Sidecar's app.lang.get(vname, module)). */
export const labelOf = (f: Pick<MergeField, 'name' | 'label'>, module: string) => fieldLabel(f, (key) => getApp().lang.get(key, module));

/** The insert helper's field choice: labels people know, custom fields first, the tag name as a hint. */
export function renderInsertFields(select: HTMLSelectElement, module: string, fields: MergeField[] | undefined): void {
  const keep = select.value;
  if (!fields) {
    replaceChildren(select, h('option', { value: '' }, t('LBL_LEADFWD_LOADING_FIELDS')));
    return;
  }
  if (!fields.length) {
    replaceChildren(select, h('option', { value: '' }, t('LBL_LEADFWD_NO_FIELDS')));
    return;
  }
  const option = (f: MergeField) => h('option', { value: f.name }, `${labelOf(f, module)} (${f.name})`);
  const custom = fields.filter((f) => f.custom);
  const other = fields.filter((f) => !f.custom);
  replaceChildren(
    select,
    custom.length ? h('optgroup', { label: t('LBL_LEADFWD_CUSTOM_FIELDS') }, custom.map(option)) : null,
    other.length ? h('optgroup', { label: t('LBL_LEADFWD_STANDARD_FIELDS') }, other.map(option)) : null,
  );
  if (keep && fields.some((f) => f.name === keep)) select.value = keep;
}

export function exemptNote(el: Element, linked: TargetList[]): void {
  const exempt = linked.filter(isExempt);
  replaceChildren(el, exempt.length ? t('LBL_LEADFWD_EXEMPT_NOTE', { lists: exempt.map((l) => l.name).join(', ') }) : '');
}

export function renderTestLists(select: HTMLSelectElement, lists: TargetList[]): void {
  const tests = lists.filter((l) => l.list_type === 'test');
  replaceChildren(
    select,
    h('option', { value: '' }, t('LBL_LEADFWD_TEST_LIST_NONE')),
    tests.map((l) => h('option', { value: l.id }, `${l.name} (${count(l.memberCount)})`)),
  );
}
