// docs/api.md is generated from the schemas the service validates with: it must say what the code does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiDoc } from '../../scripts/api-doc.js';

describe('docs/api.md', () => {
  it('matches the request schemas and error table in the code (npx tsx scripts/api-doc.ts rewrites it)', () => {
    expect(readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')).toBe(renderApiDoc());
  });
});
