export interface TemplateProblem { line?: number; message: string; tagName?: string }

/** An MJML or HTML body over the size the service takes (LEADFWD_CONTENT_MAX_BYTES): the HTTP layer answers 413. */
export class ContentTooLargeError extends Error {
  readonly status = 413;
  readonly code = 'content_too_large';
  constructor(readonly field: 'mjml' | 'html', readonly bytes: number, readonly maxBytes: number) {
    super(`${field} is ${bytes} bytes; the service takes at most ${maxBytes} bytes of ${field === 'mjml' ? 'MJML' : 'HTML'} (LEADFWD_CONTENT_MAX_BYTES)`);
    this.name = 'ContentTooLargeError';
  }
}

/** A campaign's content cannot be sent as written; the HTTP layer answers 422 with `errors`. */
export class TemplateError extends Error {
  readonly errors: TemplateProblem[];
  constructor(errors: TemplateProblem[]) {
    const first = errors[0];
    const where = first?.line !== undefined ? ` (line ${first.line})` : '';
    super(`Invalid template: ${first?.message ?? 'unknown problem'}${where}${errors.length > 1 ? ` and ${errors.length - 1} more` : ''}`);
    this.name = 'TemplateError';
    this.errors = errors;
  }
}
