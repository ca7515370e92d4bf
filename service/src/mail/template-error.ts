import { AppError } from '../domain/errors.js';

export interface TemplateProblem {
  line?: number;
  message: string;
  tagName?: string;
}

/** An MJML or HTML body over the size the service takes (LEADFWD_CONTENT_MAX_BYTES). */
export class ContentTooLargeError extends AppError {
  constructor(
    readonly field: 'mjml' | 'html',
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      'content_too_large',
      `${field} is ${bytes} bytes; the service takes at most ${maxBytes} bytes of ${field === 'mjml' ? 'MJML' : 'HTML'} (LEADFWD_CONTENT_MAX_BYTES)`,
    );
    this.name = 'ContentTooLargeError';
  }
}

/** A campaign's content cannot be sent as written; `errors` (also the details) lists every problem. */
export class TemplateError extends AppError {
  readonly errors: TemplateProblem[];
  constructor(errors: TemplateProblem[]) {
    const first = errors[0];
    const where = first?.line !== undefined ? ` (line ${first.line})` : '';
    super(
      'invalid_template',
      `Invalid template: ${first?.message ?? 'unknown problem'}${where}${errors.length > 1 ? ` and ${errors.length - 1} more` : ''}`,
      errors,
    );
    this.name = 'TemplateError';
    this.errors = errors;
  }
}
