// A message preview: the subject, the HTML part in a sandboxed frame at desktop or mobile width, and the text part.
// The frame runs no script and cannot navigate or open anything (sandbox="" and links aimed at a new window, which
// the sandbox refuses): nothing in a preview is followed from here (and a recipient's preview carries none of their
// tracking or unsubscribe tokens, so a link copied out of it records nothing either).
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';

export interface PreviewContent {
  subject: string;
  html: string;
  text: string;
  to?: string;
  name?: string;
}
export type PreviewWidth = 'desktop' | 'mobile';

/** Links open "in a new window", which a sandbox without allow-popups refuses: nothing in the preview is followed. */
export function inertHtml(html: string): string {
  const base = '<base target="_blank">';
  return /<head\b[^>]*>/i.test(html) ? html.replace(/<head\b[^>]*>/i, (m) => m + base) : base + html;
}

export function renderPreview(el: Element, p: PreviewContent, opts: { width: PreviewWidth; onWidth: (w: PreviewWidth) => void; note?: string }): void {
  const widthButton = (w: PreviewWidth, label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `btn btn-small leadfwd-width-${w}${opts.width === w ? ' active' : ''}`,
        'aria-pressed': opts.width === w ? 'true' : 'false',
        onclick: () => opts.onWidth(w),
      },
      t(label),
    );
  // Out of the Tab order: its links are inert on purpose, and the text part below reads the same message as text.
  const frame = h('iframe', { title: t('LBL_LEADFWD_PREVIEW_FRAME'), sandbox: '', class: 'leadfwd-preview-frame', tabindex: '-1' });
  frame.srcdoc = inertHtml(p.html);
  replaceChildren(
    el,
    h(
      'div',
      { class: 'leadfwd-preview-panel' },
      opts.note ? h('p', { class: 'help-block leadfwd-preview-note' }, opts.note) : null,
      h(
        'dl',
        { class: 'leadfwd-summary leadfwd-preview-head' },
        p.to ? [h('dt', {}, t('LBL_LEADFWD_PREVIEW_TO')), h('dd', { class: 'leadfwd-preview-to' }, p.name ? `${p.name} <${p.to}>` : p.to)] : null,
        h('dt', {}, t('LBL_LEADFWD_SUBJECT')),
        h('dd', { class: 'leadfwd-preview-subject' }, p.subject),
      ),
      h(
        'div',
        { class: 'btn-group leadfwd-preview-widths', role: 'group', 'aria-label': t('LBL_LEADFWD_PREVIEW_WIDTH') },
        widthButton('desktop', 'LBL_LEADFWD_PREVIEW_DESKTOP'),
        widthButton('mobile', 'LBL_LEADFWD_PREVIEW_MOBILE'),
      ),
      h('div', { class: `leadfwd-preview-viewport leadfwd-preview-${opts.width}` }, frame),
      h(
        'details',
        { class: 'leadfwd-preview-text' },
        h('summary', {}, t('LBL_LEADFWD_PREVIEW_TEXT')),
        h('pre', { class: 'leadfwd-preview-text-body' }, p.text),
      ),
    ),
  );
}
