// A scan in the spirit of Module Loader's package scanner (sugar-platform.md §11), on PHP's own tokens:
// banned functions and classes, backticks, eval and variable-function calls.
import { php } from '../support/sidecar-harness/php-bridge.js';

export const BANNED_FUNCTIONS = [
  // file and stream I/O
  'fopen', 'fwrite', 'fputs', 'fread', 'file', 'file_get_contents', 'file_put_contents', 'file_exists', 'readfile', 'fsockopen',
  'mkdir', 'rmdir', 'unlink', 'copy', 'rename', 'touch', 'chmod', 'chown', 'symlink', 'link', 'tempnam', 'tmpfile', 'parse_ini_file',
  'highlight_file', 'show_source', 'move_uploaded_file', 'curl_exec', 'curl_multi_exec',
  // processes
  'exec', 'system', 'shell_exec', 'passthru', 'popen', 'proc_open', 'pcntl_exec', 'pcntl_fork',
  // code and runtime
  'eval', 'assert', 'create_function', 'ini_set', 'ini_alter', 'set_time_limit', 'set_include_path', 'putenv', 'dl', 'get',
  'extract', 'parse_str', 'unserialize',
  // callbacks (a scanner cannot follow them)
  'array_map', 'array_filter', 'array_walk', 'array_walk_recursive', 'array_reduce', 'usort', 'uasort', 'uksort',
  'preg_replace_callback', 'preg_replace_callback_array', 'call_user_func', 'call_user_func_array', 'is_callable',
  'ob_start', 'spl_autoload_register', 'register_shutdown_function', 'register_tick_function', 'set_error_handler', 'set_exception_handler',
  'iterator_apply', 'forward_static_call', 'forward_static_call_array', 'func_get_args',
];
export const BANNED_METHODS = ['setlevel', 'put', 'unlink', 'get', 'copy', 'rename', 'exec', 'system', 'eval'];
const BANNED_CLASS = /^\\?(reflection\w*|ziparchive|splfileobject|splfileinfo|spltempfileobject|pclzip|sugarautoloader|directoryiterator|recursivedirectoryiterator)$/i;

type Tok = [string, string, number] | string;
const SKIP = new Set(['T_WHITESPACE', 'T_COMMENT', 'T_DOC_COMMENT', 'T_OPEN_TAG']);
const NAME = new Set(['T_STRING', 'T_NAME_QUALIFIED', 'T_NAME_FULLY_QUALIFIED']);

export async function phpTokens(file: string): Promise<Tok[]> {
  const code = '$t = token_get_all(file_get_contents($argv[1])); $o = array(); foreach ($t as $x) { $o[] = is_array($x) ? array(token_name($x[0]), $x[1], $x[2]) : $x; } echo json_encode($o);';
  const r = await php(['-r', code, file]);
  if (r.code !== 0) throw new Error(`tokenizer failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Tok[];
}

/** Problems found in one PHP file, each naming the line. */
export async function scanPhp(file: string): Promise<string[]> {
  const toks = (await phpTokens(file)).filter((t) => typeof t === 'string' || !SKIP.has(t[0]));
  const kind = (t: Tok | undefined) => (t === undefined ? '' : typeof t === 'string' ? t : t[0]);
  const text = (t: Tok) => (typeof t === 'string' ? t : t[1]);
  const line = (i: number) => { for (let j = i; j >= 0; j--) { const t = toks[j]; if (typeof t !== 'string') return t[2]; } return 0; };
  const problems: string[] = [];
  toks.forEach((t, i) => {
    const k = kind(t);
    const prev = kind(toks[i - 1]);
    const next = kind(toks[i + 1]);
    if (k === '`') problems.push(`line ${line(i)}: backtick shell execution`);
    if (k === 'T_EVAL') problems.push(`line ${line(i)}: eval`);
    if (k === 'T_VARIABLE' && next === '(' && prev !== 'T_OBJECT_OPERATOR' && prev !== 'T_DOUBLE_COLON') problems.push(`line ${line(i)}: variable function call ${text(t)}()`);
    if (k === 'T_OBJECT_OPERATOR' || k === 'T_NULLSAFE_OBJECT_OPERATOR') {
      const m = toks[i + 1];
      if (m && kind(m) === 'T_VARIABLE' && kind(toks[i + 2]) === '(') problems.push(`line ${line(i)}: variable method call`);
    }
    if (!NAME.has(k)) return;
    const name = text(t).toLowerCase();
    if (prev === 'T_NEW' || next === 'T_DOUBLE_COLON' || prev === 'T_EXTENDS' || prev === 'T_INSTANCEOF') {
      if (BANNED_CLASS.test(name)) problems.push(`line ${line(i)}: class ${text(t)}`);
      return;
    }
    if (next !== '(' || prev === 'T_FUNCTION') return;
    if (prev === 'T_OBJECT_OPERATOR' || prev === 'T_NULLSAFE_OBJECT_OPERATOR' || prev === 'T_DOUBLE_COLON') {
      if (BANNED_METHODS.includes(name)) problems.push(`line ${line(i)}: method ${text(t)}()`);
      return;
    }
    if (BANNED_FUNCTIONS.includes(name.replace(/^\\/, ''))) problems.push(`line ${line(i)}: function ${text(t)}()`);
  });
  return problems;
}
