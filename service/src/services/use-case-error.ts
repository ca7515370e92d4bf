// A use case's refusal with a stable code (and the HTTP status it answers with, until one error model replaces it).
export class UseCaseError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'UseCaseError';
  }
}
