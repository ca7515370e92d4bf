// Starter content for a new campaign, so the first preview shows merge tags and a tracked link at work.
export const STARTER_HTML = `<h1>Hello {{ first_name | default: "there" }}</h1>
<p>Write your message here.</p>
<p><a href="https://example.com/">Read more</a></p>
`;

export const STARTER_MJML = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text font-size="20px">Hello {{ first_name | default: "there" }}</mj-text>
        <mj-text>Write your message here.</mj-text>
        <mj-button href="https://example.com/">Read more</mj-button>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>
`;

/**
 * Values for the content step's preview: a sample name, and nothing for any other field, so each tag shows its
 * default as a target without that value would get it. The review step previews a real target's message.
 */
export function sampleFields(): Record<string, string> {
  return { first_name: 'Sam', last_name: 'Example', full_name: 'Sam Example', name: 'Sam Example' };
}

/** A view's state that keeps what the user typed across Sidecar's re-renders. */
export interface KeepsTyped {
  values?: Record<string, string>;
}

/** Before Sidecar replaces the markup: keeps what the user typed in the form, when the form is on the page. */
export function keepTyped(form: HTMLFormElement | null, st: KeepsTyped): void {
  if (!form) return;
  const out: Record<string, string> = {};
  for (const el of Array.from(form.elements) as Array<HTMLInputElement>) {
    if (!el.name || el.type === 'checkbox' || el.type === 'button' || el.type === 'submit') continue;
    if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
      continue;
    }
    out[el.name] = el.value;
  }
  st.values = out;
}

/** After Sidecar rendered the template again: puts back what the user had typed. */
export function restoreTyped(form: HTMLFormElement, st: KeepsTyped): void {
  const values = st.values;
  if (!values) return;
  for (const el of Array.from(form.elements) as Array<HTMLInputElement>) {
    if (!el.name || !(el.name in values) || el.type === 'checkbox') continue;
    if (el.type === 'radio') el.checked = el.value === values[el.name];
    else el.value = values[el.name];
  }
}
