// Runs the package's PHP with Debian's php-cli: evaluates metadata files to JSON and routes REST calls to
// the shipped *Api.php classes through php/run-api.php (stubs from the documented contract, no Sugar code).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RUN_API = join(here, 'php', 'run-api.php');

export function php(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // php -l and php -r never read stdin; a closed pipe must not become an uncaught EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/** Includes `file` after `prelude` (PHP code) and returns json_encode of `expr`; PHP notices fail the call. */
export async function phpEval<T = any>(file: string, expr: string, prelude = ''): Promise<T> {
  const code = `error_reporting(E_ALL); set_error_handler(function ($n, $s, $f, $l) { fwrite(STDERR, "$s at $f:$l"); exit(3); }); ${prelude}; include ${JSON.stringify(file)}; echo json_encode(${expr});`;
  const r = await php(['-r', code]);
  if (r.code !== 0) throw new Error(`php failed on ${file} (${r.code}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

export interface PhpApiCall {
  file: string;
  class: string;
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  args?: Record<string, unknown>;
  user?: { is_admin: boolean } | null;
  settings?: Record<string, string>;
}

export async function runPhpApi(call: PhpApiCall): Promise<{ status: number; body: any; settings: Record<string, string> }> {
  const r = await php([RUN_API], JSON.stringify(call));
  if (r.code !== 0 || !r.stdout) throw new Error(`php api runner failed (${r.code}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout);
}
