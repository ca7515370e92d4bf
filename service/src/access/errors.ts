// Refusals of the access rules: 403 when Sugar would refuse the user, 422 when the request asks for something
// nobody may have (a secret field, a module LeadFWD lists never hold).
import { UseCaseError } from '../services/use-case-error.js';

export const denied = (code: string, message: string, details?: unknown) => new UseCaseError(403, code, message, details);
export const notAllowed = (code: string, message: string, details?: unknown) => new UseCaseError(422, code, message, details);
