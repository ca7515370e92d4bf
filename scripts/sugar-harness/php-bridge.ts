// Runs the package's PHP with Debian's php-cli: evaluates metadata files to JSON and routes REST calls to
// the shipped *Api.php classes through php/run-api.php (stubs from the documented contract, no Sugar code).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RUN_API = join(here, 'php', 'run-api.php');

export function php(args: string[], stdin = '', cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', args, { stdio: ['pipe', 'pipe', 'pipe'], cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // php -l and php -r never read stdin; a closed pipe must not become an uncaught EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/**
 * Includes `file` after `prelude` (PHP code) and returns json_encode of `expr`; PHP notices fail the call. Runs in the
 * package's root, as Sugar runs in its own: a file's `require 'custom/…'` finds the package's file.
 */
export async function phpEval<T = any>(file: string, expr: string, prelude = ''): Promise<T> {
  const code = `error_reporting(E_ALL); set_error_handler(function ($n, $s, $f, $l) { fwrite(STDERR, "$s at $f:$l"); exit(3); }); ${prelude}; include ${JSON.stringify(file)}; echo json_encode(${expr});`;
  const r = await php(['-r', code], '', MODULE_ROOT);
  if (r.code !== 0) throw new Error(`php failed on ${file} (${r.code}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** One REST request to Sugar's PHP side, as Sugar's REST service would hand it to the package's *Api.php classes. */
export interface SugarRestCall {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Without the version: 'leadfwd/config', 'leadfwd/api/campaigns'. */
  path: string;
  query?: Record<string, unknown>;
  /** The raw request body (JSON text), as the browser sent it. */
  body?: string;
  /** The caller's access token: the session Sugar authenticated, and the OAuth-Token header unless `headerToken` says otherwise. */
  token?: string;
  /** An OAuth-Token header other than the authenticated token (an item of POST /bulk may carry any). */
  headerToken?: string;
  user?: { id?: string; user_name?: string; is_admin: boolean } | null;
  settings?: Record<string, string>;
  sugarConfig?: Record<string, unknown>;
  /** The tree holding custom/…; sugar-module/ unless a test gives a copy. */
  root?: string;
}

export interface SugarRestAnswer {
  status: number;
  body: any;
  /** Settings the call saved (saveSetting), key "leadfwd_<name>". */
  writes: Record<string, string>;
  /** Lines written to $GLOBALS['log'], as [level, message]. */
  log: Array<[string, string]>;
}

export const MODULE_ROOT = join(here, '..', '..', 'sugar-module');

export async function runSugarRest(call: SugarRestCall): Promise<SugarRestAnswer> {
  const input = {
    root: call.root ?? MODULE_ROOT,
    method: call.method,
    path: call.path,
    query: call.query ?? {},
    body: call.body ?? '',
    headers: (call.headerToken ?? call.token) ? { OAUTH_TOKEN: call.headerToken ?? call.token } : {},
    session: call.token ?? '',
    user: call.user === null ? null : { id: call.user?.id ?? '1', user_name: call.user?.user_name ?? 'someone', is_admin: call.user?.is_admin ?? false },
    settings: call.settings ?? {},
    sugar_config: call.sugarConfig ?? {},
  };
  const r = await php([RUN_API], JSON.stringify(input));
  if (r.code !== 0 || !r.stdout) throw new Error(`php api runner failed (${r.code}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout);
}
