// `npm run build`: bundles the service for `node dist/service.mjs` (dependencies stay external,
// native better-sqlite3 cannot be bundled) and, once it exists, the Sidecar UI into sugar-module/.

import { cpSync, existsSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', sourcemap: true, logLevel: 'info' };
await build({ ...common, entryPoints: ['service/src/main.ts'], outfile: 'dist/service.mjs' });
// Send threads load their own module beside the bundle (service/src/mail/send-threads/pool.ts).
await build({ ...common, entryPoints: ['service/src/mail/send-threads/thread.ts'], outfile: 'dist/send-thread.mjs' });

// Each store reads its numbered migrations at run time beside its module: SQLite's ./migrations, PostgreSQL's ./pg-migrations.
cpSync('service/src/store/migrations', 'dist/migrations', { recursive: true });
cpSync('service/src/store/pg/migrations', 'dist/pg-migrations', { recursive: true });

if (existsSync('sidecar-ui/build.mjs')) await import('../sidecar-ui/build.mjs');
