// `npm run package`: builds dist/leadfwd-sugar-<version>.zip for Sugar's Module Loader — manifest.php at the
// root (version and date from package.json), every file of sugar-module/custom/ under Files/, the install scripts of
// sugar-module/scripts/ at scripts/ (run by post_execute/post_uninstall, never copied), and nothing Module
// Loader would refuse (sugar-platform.md §0.6, §11): allowed extensions only, no "<?" in JS/HBS, PHP that lints and
// passes the banned-function scan (when php-cli is installed). Fails with a clear message instead of a bad zip.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { buildSidecarUi, MODULE_DIR, ROOT } from '../sidecar-ui/bundle.mjs';
import { scanPhp } from './package-scan.js';
import { php } from './sugar-harness/php-bridge.js';

export const ALLOWED_EXTENSIONS = ['png', 'gif', 'jpg', 'css', 'js', 'php', 'txt', 'html', 'htm', 'tpl', 'pdf', 'md5', 'xml', 'hbs', 'less', 'wsdl'];
export const FILES_PREFIX = 'Files/';
/** Files Module Loader includes after install or uninstall: at the zip's root, outside Files/, never copied into Sugar. */
export const SCRIPTS_PREFIX = 'scripts/';

export class PackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Module Loader package:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PackageError';
  }
}

export const extensionAllowed = (path: string) => {
  const base = path.split('/').pop() ?? '';
  if (base === 'LICENSE') return true;
  const dot = base.lastIndexOf('.');
  return dot > 0 && ALLOWED_EXTENSIONS.includes(base.slice(dot + 1).toLowerCase());
};

/** Files under sugar-module/ that belong in the package (dot files such as .gitignore stay out). */
export function moduleFiles(dir = MODULE_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name.endsWith('.tmp')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** The `from` paths of manifest.php's copy list, relative to Files/ (read as text: no PHP needed to build). */
export function manifestCopies(manifest: string): Array<{ from: string; to: string }> {
  const re = /array\(\s*'from'\s*=>\s*'<basepath>\/([^']+)'\s*,\s*'to'\s*=>\s*'([^']+)'\s*\)/g;
  return Array.from(manifest.matchAll(re), (m) => ({ from: m[1], to: m[2] }));
}

/** The scripts post_execute and post_uninstall name, relative to the zip's root (read as text, like the copy list). */
export function manifestScripts(manifest: string): string[] {
  return [...new Set(Array.from(manifest.matchAll(/'<basepath>\/(scripts\/[^']+)'/g), (m) => m[1]))];
}

export function stampManifest(manifest: string, version: string, date: Date): string {
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) throw new PackageError([`package.json version "${version}" is not a plain semantic version`]);
  const published = date.toISOString().slice(0, 19).replace('T', ' ');
  const out = manifest.replace(/('version'\s*=>\s*)'[^']*'/, `$1'${version}'`).replace(/('published_date'\s*=>\s*)'[^']*'/, `$1'${published}'`);
  if (!out.includes(`'version' => '${version}'`)) throw new PackageError(["manifest.php has no 'version' => '...' entry to stamp"]);
  return out;
}

export interface BuiltPackage {
  zipPath: string;
  version: string;
  entries: string[];
  phpChecked: boolean;
}

/** php -l and the banned-function scan on every PHP file; false when php-cli is not installed. */
async function checkPhp(files: string[], problems: string[]): Promise<boolean> {
  const available = await php(['-v']).then(
    (r) => r.code === 0,
    () => false,
  );
  if (!available) return false;
  for (const f of files.filter((x) => x.endsWith('.php'))) {
    const path = join(MODULE_DIR, f);
    const lint = await php(['-l', path]);
    if (lint.code !== 0) problems.push(`sugar-module/${f}: ${(lint.stderr || lint.stdout).trim()}`);
    else for (const p of await scanPhp(path)) problems.push(`sugar-module/${f}: Module Loader would refuse ${p}`);
  }
  return true;
}

export async function buildPackage(opts: { outDir?: string; now?: Date; skipUiBuild?: boolean } = {}): Promise<BuiltPackage> {
  if (!opts.skipUiBuild) await buildSidecarUi();
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const manifest = stampManifest(readFileSync(join(ROOT, 'manifest.php'), 'utf8'), pkg.version, opts.now ?? new Date());
  const files = moduleFiles();
  const copies = manifestCopies(manifest);
  const scripts = manifestScripts(manifest);
  const problems: string[] = [];
  const listed = new Set(copies.map((c) => c.from));
  for (const f of files) {
    if (f.startsWith(SCRIPTS_PREFIX)) {
      if (!scripts.includes(f)) problems.push(`sugar-module/${f} is not run by manifest.php's post_execute or post_uninstall`);
    } else if (!listed.has(`${FILES_PREFIX}${f}`)) problems.push(`sugar-module/${f} is not in manifest.php's copy list`);
  }
  for (const f of scripts) if (!files.includes(f)) problems.push(`manifest.php runs ${f}, which is not a file under sugar-module/`);
  for (const c of copies) {
    if (!c.from.startsWith(FILES_PREFIX) || !files.includes(c.from.slice(FILES_PREFIX.length)))
      problems.push(`manifest.php copies ${c.from}, which is not a file under sugar-module/`);
    if (`${FILES_PREFIX}${c.to}` !== c.from) problems.push(`manifest.php copies ${c.from} to a different path (${c.to})`);
    if (c.to.includes('..') || !c.to.startsWith('custom/')) problems.push(`manifest.php copies to ${c.to}, outside custom/`);
  }
  const entries: Record<string, Uint8Array> = { 'manifest.php': Buffer.from(manifest) };
  for (const f of files) {
    if (!extensionAllowed(f)) problems.push(`sugar-module/${f}: Module Loader does not accept this file type`);
    const data = readFileSync(join(MODULE_DIR, f));
    if (/\.(js|hbs)$/.test(f) && data.includes('<?')) problems.push(`sugar-module/${f} contains "<?", which Sugar would parse as PHP`);
    entries[f.startsWith(SCRIPTS_PREFIX) ? f : `${FILES_PREFIX}${f}`] = data;
  }
  const phpChecked = await checkPhp(files, problems);
  if (problems.length) throw new PackageError(problems);
  const outDir = opts.outDir ?? join(ROOT, 'dist');
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `leadfwd-sugar-${pkg.version}.zip`);
  const mtime = opts.now ?? new Date();
  writeFileSync(zipPath, zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { mtime }]])), { level: 9 }));
  return { zipPath, version: pkg.version, entries: Object.keys(entries), phpChecked };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  buildPackage().then(
    (p) => {
      console.log(`${relative(process.cwd(), p.zipPath)}: ${p.entries.length} files, version ${p.version}`);
      if (!p.phpChecked) console.warn('php-cli not found: PHP files were not linted or scanned (install php-cli, or run the package tests where it is).');
    },
    (e: Error) => {
      console.error(e instanceof PackageError ? e.message : `Packaging failed: ${e.message}`);
      process.exit(1);
    },
  );
}
