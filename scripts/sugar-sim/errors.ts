// Sugar answers every failure with {"error": label, "error_message": text} (sugar-platform.md §2).
export class SugarError extends Error {
  constructor(
    readonly status: number,
    readonly label: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SugarError';
  }

  body(): Record<string, unknown> {
    return { error: this.label, error_message: this.message, ...this.extra };
  }
}

export const invalidParameter = (msg = 'A parameter in your request was invalid.') => new SugarError(422, 'invalid_parameter', msg);
export const missingParameter = (name: string) => new SugarError(422, 'missing_parameter', `Missing parameter: ${name}`);
export const notFound = (msg: string) => new SugarError(404, 'not_found', msg);
export const noMethod = (path: string) => new SugarError(404, 'no_method', `Could not find any route that accepted a path like: ${path}`);
