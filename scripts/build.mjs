// `npm run build`: bundles the service for `node dist/service.mjs` (dependencies stay external,
// native better-sqlite3 cannot be bundled) and, once it exists, the Sidecar UI into sugar-module/.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

await build({
  entryPoints: ['service/src/main.ts'],
  outfile: 'dist/service.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'info',
});

if (existsSync('sidecar-ui/build.mjs')) await import('../sidecar-ui/build.mjs');
