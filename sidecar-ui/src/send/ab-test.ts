// The send flow's A/B test: on the Content step 2 to 4 variants of subject and/or content, the test share, the metric
// and when the winner is chosen; on the Review the variants and how the audience splits. The Review still counts the
// audience with a held campaign (sent never); Confirm creates the A/B test with exactly what was reviewed (POST
// /ab-tests) and cancels that held one, so nothing goes that the person did not confirm.
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import { table } from '../shared/table.js';
import { looksLikeMjml } from './merge.js';

export interface AbVariantForm {
  /** Empty: the subject above. */
  subject: string;
  /** Empty: the content above. */
  content: string;
}
export interface AbForm {
  variants: AbVariantForm[];
  /** Percent of the audience the variants split, as typed. */
  sharePercent: string;
  metric: 'opens' | 'clicks';
  /** Hours after the send time, as typed. */
  decideAfterHours: string;
}

export const AB_MIN = 2;
export const AB_MAX = 4;
export const letter = (i: number) => String.fromCharCode(65 + i);

/** The A/B test as the form has it, or undefined when it is off. */
export function readAb(form: HTMLFormElement): AbForm | undefined {
  if (!form.querySelector<HTMLInputElement>('input[name="abOn"]')?.checked) return undefined;
  const val = (name: string) => (form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)?.value ?? '').trim();
  return {
    variants: Array.from(form.querySelectorAll<HTMLElement>('.leadfwd-ab-variant')).map((li) => ({
      subject: li.querySelector<HTMLInputElement>('[name="abSubject"]')?.value ?? '',
      content: li.querySelector<HTMLTextAreaElement>('[name="abContent"]')?.value ?? '',
    })),
    sharePercent: val('abShare'),
    metric: val('abMetric') === 'clicks' ? 'clicks' : 'opens',
    decideAfterHours: val('abHours'),
  };
}

/** The problems of the A/B settings (all at the A/B fieldset); `subject`, `content` and `format` are the main ones. */
export function abProblems(ab: AbForm | undefined, main: { subject: string; content: string; format: 'html' | 'mjml' }) {
  const out: Array<{ field: 'abTest'; label: string; vars?: Record<string, string | number> }> = [];
  if (!ab) return out;
  const at = (label: string, vars?: Record<string, string | number>) => out.push({ field: 'abTest', label, ...(vars ? { vars } : {}) });
  if (ab.variants.length < AB_MIN || ab.variants.length > AB_MAX) at('LBL_LEADFWD_AB_ERR_COUNT');
  const effective = ab.variants.map((v) => `${v.subject.trim() || main.subject}\n${v.content.trim() ? v.content : main.content}`);
  if (new Set(effective).size < effective.length) at('LBL_LEADFWD_AB_ERR_SAME');
  ab.variants.forEach((v, i) => {
    if (!v.content.trim()) return;
    if (main.format === 'html' && looksLikeMjml(v.content)) at('LBL_LEADFWD_AB_ERR_FORMAT', { variant: letter(i) });
    if (main.format === 'mjml' && !looksLikeMjml(v.content)) at('LBL_LEADFWD_AB_ERR_FORMAT', { variant: letter(i) });
  });
  const share = Number(ab.sharePercent);
  if (!/^\d+$/.test(ab.sharePercent) || share < 5 || share > 90) at('LBL_LEADFWD_AB_ERR_SHARE');
  const hours = Number(ab.decideAfterHours);
  if (!/^\d+$/.test(ab.decideAfterHours) || hours < 1 || hours > 720) at('LBL_LEADFWD_AB_ERR_HOURS');
  return out;
}

/** The `abTest` of POST /ab-tests: each variant's subject (the service wants every variant to name one), its own content if any. */
/** A version 4 UUID from the browser's random source (crypto.randomUUID needs a secure context; Sugar may be on http). */
export function newTestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toAbSettings(ab: AbForm, main: { subject: string; format: 'html' | 'mjml' }) {
  const format = main.format;
  return {
    variants: ab.variants.map((v) => ({
      subject: v.subject.trim() ? v.subject : main.subject,
      ...(v.content.trim() ? (format === 'mjml' ? { mjml: v.content } : { html: v.content }) : {}),
    })),
    testShare: Number(ab.sharePercent) / 100,
    metric: ab.metric,
    decideAfterHours: Number(ab.decideAfterHours),
  };
}

/** Draws the variant rows (keeping what was typed) with their add and remove buttons. */
export function renderVariants(form: HTMLFormElement, cid: string, keep: AbVariantForm[]): void {
  const ol = form.querySelector<HTMLOListElement>('.leadfwd-ab-variants')!;
  const rows = keep.length >= AB_MIN ? keep : [...keep, ...Array.from({ length: AB_MIN - keep.length }, () => ({ subject: '', content: '' }))];
  replaceChildren(
    ol,
    rows.map((v, i) => {
      const id = (f: string) => `${cid}-ab-${i}-${f}`;
      const content = h('textarea', { id: id('content'), name: 'abContent', rows: 4, spellcheck: 'false', 'aria-describedby': `${id('content')}-hint` });
      content.value = v.content;
      return h(
        'li',
        { class: 'leadfwd-ab-variant', 'data-variant': i },
        h('h4', { id: id('title') }, t('LBL_LEADFWD_AB_VARIANT', { variant: letter(i) })),
        h(
          'div',
          { class: 'control-group' },
          h('label', { class: 'control-label', for: id('subject') }, t('LBL_LEADFWD_AB_SUBJECT')),
          h('input', { type: 'text', id: id('subject'), name: 'abSubject', maxlength: 998, autocomplete: 'off', value: v.subject }),
        ),
        h(
          'div',
          { class: 'control-group' },
          h('label', { class: 'control-label', for: id('content') }, t('LBL_LEADFWD_AB_CONTENT')),
          content,
          h('p', { class: 'help-block', id: `${id('content')}-hint` }, t('LBL_LEADFWD_AB_CONTENT_HINT')),
        ),
        rows.length > AB_MIN
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn btn-small leadfwd-ab-remove',
                onclick: () => {
                  const now = readRows(form);
                  now.splice(i, 1);
                  renderVariants(form, cid, now);
                  form.querySelector<HTMLElement>('.leadfwd-ab-add:not([hidden])')?.focus();
                },
              },
              t('LBL_LEADFWD_AB_REMOVE', { variant: letter(i) }),
            )
          : null,
      );
    }),
  );
  const add = form.querySelector<HTMLButtonElement>('.leadfwd-ab-add')!;
  add.hidden = rows.length >= AB_MAX;
}

const readRows = (form: HTMLFormElement): AbVariantForm[] =>
  Array.from(form.querySelectorAll<HTMLElement>('.leadfwd-ab-variant')).map((li) => ({
    subject: li.querySelector<HTMLInputElement>('[name="abSubject"]')!.value,
    content: li.querySelector<HTMLTextAreaElement>('[name="abContent"]')!.value,
  }));

/** The A/B fieldset: the settings show while it is on; a variant is added at the end. */
export function bindAb(form: HTMLFormElement, cid: string): void {
  const on = form.querySelector<HTMLInputElement>('input[name="abOn"]');
  const settings = form.querySelector<HTMLElement>('.leadfwd-ab-settings');
  if (!on || !settings) return;
  renderVariants(form, cid, []);
  on.addEventListener('change', () => {
    settings.hidden = !on.checked;
  });
  form.querySelector('.leadfwd-ab-add')?.addEventListener('click', () => {
    const rows = readRows(form);
    renderVariants(form, cid, [...rows, { subject: '', content: '' }]);
    form.querySelector<HTMLElement>(`#${CSS.escape(`${cid}-ab-${rows.length}-subject`)}`)?.focus();
  });
}

/** The Review's rows for the A/B test: each variant, and how the audience splits (counted once known). */
export function abSummary(ab: AbForm, main: { subject: string }, audience?: number): HTMLElement {
  const share = Number(ab.sharePercent);
  const n = ab.variants.length;
  const perVariant = audience === undefined ? undefined : Math.floor((audience * share) / 100 / n);
  return h(
    'div',
    { class: 'leadfwd-ab-review' },
    table(
      'table table-condensed leadfwd-ab-review-variants',
      h('caption', { class: 'help-block' }, t('LBL_LEADFWD_AB_REVIEW_TITLE')),
      [t('LBL_LEADFWD_AB_COL_VARIANT'), t('LBL_LEADFWD_AB_COL_SUBJECT'), t('LBL_LEADFWD_AB_COL_CONTENT')],
      ab.variants.map((v, i) =>
        h(
          'tr',
          { 'data-variant': i },
          h('th', { scope: 'row' }, letter(i)),
          h('td', {}, v.subject.trim() || main.subject),
          h('td', {}, t(v.content.trim() ? 'LBL_LEADFWD_AB_OWN_CONTENT' : 'LBL_LEADFWD_AB_SAME_CONTENT')),
        ),
      ),
    ),
    h(
      'p',
      { class: 'leadfwd-ab-split' },
      t(ab.metric === 'clicks' ? 'LBL_LEADFWD_AB_SPLIT_CLICKS' : 'LBL_LEADFWD_AB_SPLIT_OPENS', { share, n, rest: 100 - share, hours: ab.decideAfterHours }),
      perVariant === undefined || audience === undefined
        ? null
        : ` ${t('LBL_LEADFWD_AB_SPLIT_COUNTS', { each: perVariant, rest: audience - perVariant * n, total: audience })}`,
    ),
    h('p', { class: 'help-block' }, t('LBL_LEADFWD_AB_REVIEW_NOTE')),
  );
}
