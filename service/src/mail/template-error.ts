export interface TemplateProblem { line?: number; message: string; tagName?: string }

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
