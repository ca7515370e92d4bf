// How the API refuses input it cannot use, as the tests check it: one 422 naming every problem at once.
import { expect } from 'vitest';

/** The answer is a 422 with `error` whose problems include every one of `problems` (others may come with them). */
export function expectProblems(answer: { status: number; body: any }, error: string, problems: string[]): void {
  expect(answer.status).toBe(422);
  expect(answer.body.error).toBe(error);
  expect(answer.body.details.problems).toEqual(expect.arrayContaining(problems));
}
