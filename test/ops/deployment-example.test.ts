// The example deployment of "Running on several machines" (docs/deploy): each process's settings, the shared env file
// filled in plus the Compose file's own, load as a real process would load them, with the roles the README describes;
// and no setting in either file is one the service does not read (a typo or a renamed setting would be ignored).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../service/src/config.js';
import { randomSecret } from '../support/secrets.js';

const compose = parse(readFileSync('docs/deploy/docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, { env_file?: string; environment?: Record<string, string>; volumes?: string[]; hostname?: string }>;
};
const exampleText = readFileSync('docs/deploy/leadfwd.env.example', 'utf8');
const example = Object.fromEntries(
  exampleText
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
// What the operator fills in, and Compose's interpolation of the database password.
const filledIn = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => {
      const value = String(v).replace(/\$\{POSTGRES_PASSWORD[^}]*\}/, 'pw');
      if (value !== '') return [k, value];
      return [k, k === 'LEADFWD_API_KEY' ? randomSecret('example-api-key-') : k === 'LEADFWD_SECRET' ? randomSecret() : 'filled-in'];
    }),
  );

describe('the example deployment (docs/deploy)', () => {
  const leadfwd = Object.entries(compose.services).filter(([, s]) => s.env_file === 'leadfwd.env');

  it('gives every LeadFWD process settings that load, with the roles the README describes', () => {
    expect(leadfwd.map(([name]) => name).sort()).toEqual(['send', 'tracking-a', 'tracking-b']);
    const roles: Record<string, string[]> = {};
    for (const [name, service] of leadfwd) {
      const config = loadConfig(filledIn({ ...example, ...service.environment }));
      expect(config.database, name).toMatchObject({ url: 'postgres://leadfwd:pw@postgres:5432/leadfwd', poolSize: 10 });
      expect(config.publicUrl, name).toBe('https://t.example.com');
      roles[name] = [...config.roles].sort();
    }
    expect(roles).toEqual({ send: ['api', 'automations', 'send', 'writeback'], 'tracking-a': ['tracking'], 'tracking-b': ['tracking'] });
    // Two tracking processes never share a spool: each has a data folder of its own.
    const folders = ['tracking-a', 'tracking-b'].map((n) => compose.services[n].volumes?.find((v) => v.endsWith(':/app/data')));
    expect(folders.every(Boolean) && new Set(folders).size === 2, String(folders)).toBe(true);
    // And a host name that outlives the container, so a recreated one takes its spool's lock over at once.
    const hosts = ['tracking-a', 'tracking-b'].map((n) => compose.services[n].hostname);
    expect(hosts).toEqual(['tracking-a', 'tracking-b']);
  });

  it('names no setting the service does not read', () => {
    const source = readFileSync('service/src/config.ts', 'utf8');
    const names = new Set<string>();
    for (const [, service] of leadfwd) for (const k of Object.keys(service.environment ?? {})) names.add(k);
    for (const k of Object.keys(example)) names.add(k);
    expect(names.size).toBeGreaterThan(10);
    const read = (n: string) => source.includes(`'${n.slice('LEADFWD_'.length)}'`) || new RegExp(`\\b${n}\\b`).test(source);
    const unknown = [...names].filter((n) => !n.startsWith('LEADFWD_') || !read(n));
    expect(unknown).toEqual([]);
  });
});
