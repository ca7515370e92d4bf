// The data tables of the LeadFWD views, drawn one way: a caption saying what the table holds (shown, or for screen
// readers only), one row of column headers, then the rows.
import { type Child, h } from './dom.js';

/** `columns`: the header row's cells, a string standing for a column header (`th scope="col"`); `after`: a tfoot. */
export function table(cls: string, caption: HTMLElement, columns: Child[], rows: Child[], ...after: Child[]): HTMLTableElement {
  const head = columns.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : c));
  return h('table', { class: cls }, caption, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows), after);
}
