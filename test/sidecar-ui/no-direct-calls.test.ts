// Issue 11: no browser call leaves Sugar. The shipped bundles contain no way to call another origin (fetch, XHR,
// beacons, sockets) nor the service's own API path; every alert goes through the escaping helper (Sugar's alerts
// render HTML); every drawer the UI opens has fetch: false. The browser tests check the same at run time.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSidecarUi, GENERATED } from '../../sidecar-ui/bundle.mjs';

let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'leadfwd-bundles-'));
  await buildSidecarUi({ outDir: out });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.ts') ? [p] : [];
  });

describe('the built UI', () => {
  it('has no network call of its own: everything goes through app.api to Sugar', () => {
    expect(GENERATED.length).toBe(6);
    for (const f of GENERATED) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text.length, f).toBeGreaterThan(1000);
      for (const banned of [
        /\bfetch\s*\(/,
        /XMLHttpRequest/,
        /sendBeacon/,
        /WebSocket/,
        /EventSource/,
        /importScripts/,
        /\/api\/v1/,
        /\$\.(ajax|get|post|getJSON)\s*\(/,
      ]) {
        expect(banned.test(text), `${f} matches ${banned}`).toBe(false);
      }
    }
    expect(readFileSync(join(out, 'custom/clients/base/views/leadfwd-campaigns/leadfwd-campaigns.js'), 'utf8')).toContain('leadfwd/api/');
  });

  it('shows every alert through showAlert (escaped) and opens every drawer with fetch: false', () => {
    let drawers = 0;
    for (const f of sources('sidecar-ui/src')) {
      const text = readFileSync(f, 'utf8');
      if (!f.endsWith('shared/alert.ts')) expect(/alert\.show\s*\(/.test(text), `${f} calls app.alert.show directly`).toBe(false);
      for (const m of text.matchAll(/drawer\.open\(\s*\{[\s\S]{0,400}?\}\s*(,|\))/g)) {
        drawers++;
        expect(m[0], f).toMatch(/fetch:\s*false/);
      }
    }
    expect(drawers).toBeGreaterThan(0);
  });
});
