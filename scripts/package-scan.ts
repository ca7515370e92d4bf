// A scan in the spirit of Module Loader's package scanner (sugar-platform.md §11), on PHP's own tokens. It refuses
// everything Sugar 8.0 (token scanner) and 12.0 (parser) refuse, as read in both trees on 2026-12-03, plus a few
// functions of our own caution. Sugar 8.0 quirks that matter to us:
// - a banned name followed by "(" is refused wherever it stands, so a METHOD DECLARATION named like a banned
//   function (`public function get(`) is refused too;
// - `$f(` (a variable function) and backticks are always refused; 12.0 adds `$o->$m(`, `$c::m(`, `new $c`.
// cURL, hashing, random_bytes, json_*, time and reading $_SERVER are not banned by either.
import { php } from './sugar-harness/php-bridge.js';

const EIO = [
  'busy',
  'chmod',
  'chown',
  'close',
  'custom',
  'dup2',
  'fallocate',
  'fchmod',
  'fchown',
  'fdatasync',
  'fstat',
  'fstatvfs',
  'fsync',
  'ftruncate',
  'futime',
  'grp',
  'link',
  'lstat',
  'mkdir',
  'mknod',
  'nop',
  'open',
  'read',
  'readahead',
  'readdir',
  'readlink',
  'realpath',
  'rename',
  'rmdir',
  'sendfile',
  'stat',
  'statvfs',
  'symlink',
  'sync_file_range',
  'sync',
  'syncfs',
  'truncate',
  'unlink',
  'utime',
  'write',
].map((n) => `eio_${n}`);

/** Module Loader's function blacklist of Sugar 8.0 and 12.0 (their union; lower case). */
export const SUGAR_BANNED_FUNCTIONS = [
  // processes and the shell
  'popen',
  'pclose',
  'proc_open',
  'proc_close',
  'proc_get_status',
  'proc_nice',
  'passthru',
  'escapeshellarg',
  'escapeshellcmd',
  'exec',
  'system',
  'shell_exec',
  'pcntl_signal',
  'create_function',
  // runtime and logging
  'ini_set',
  'set_time_limit',
  'error_log',
  'set_error_handler',
  'set_exception_handler',
  // files and directories
  'clearstatcache',
  'disk_free_space',
  'disk_total_space',
  'diskfreespace',
  'dir',
  'opendir',
  'readdir',
  'glob',
  'fnmatch',
  'fopen',
  'fclose',
  'feof',
  'fflush',
  'fgetc',
  'fgetcsv',
  'fgets',
  'fgetss',
  'fpassthru',
  'fputcsv',
  'fputs',
  'fread',
  'fscanf',
  'fseek',
  'fstat',
  'ftell',
  'ftruncate',
  'fwrite',
  'flock',
  'rewind',
  'set_file_buffer',
  'tmpfile',
  'tempnam',
  'umask',
  'file',
  'file_exists',
  'file_get_contents',
  'file_put_contents',
  'filesize',
  'filetype',
  'fileatime',
  'filectime',
  'filegroup',
  'fileinode',
  'filemtime',
  'fileowner',
  'fileperms',
  'is_dir',
  'is_file',
  'is_link',
  'is_readable',
  'is_executable',
  'is_writable',
  'is_writeable',
  'is_uploaded_file',
  'move_uploaded_file',
  'pathinfo',
  'realpath',
  'realpath_cache_get',
  'realpath_cache_size',
  'readfile',
  'readlink',
  'linkinfo',
  'lstat',
  'stat',
  'touch',
  'chgrp',
  'chmod',
  'chown',
  'chwown',
  'lchgrp',
  'lchown',
  'mkdir',
  'mkdir_recursive',
  'rmdir',
  'rmdir_recursive',
  'unlink',
  'copy',
  'copy_recursive',
  'link',
  'symlink',
  'rename',
  'chdir',
  'chroot',
  'parse_ini_file',
  'parse_ini_string',
  'getimagesize',
  'simplexml_load_file',
  'simplexml_load_string',
  'unzip',
  'unzip_file',
  // Sugar's own file helpers
  'create_cache_directory',
  'mk_temp_dir',
  'write_array_to_file',
  'write_array_to_file_as_key_value_pair',
  'write_encoded_file',
  'create_custom_directory',
  'sugar_rename',
  'sugar_chown',
  'sugar_fopen',
  'sugar_mkdir',
  'sugar_file_put_contents',
  'sugar_file_put_contents_atomic',
  'sugar_chgrp',
  'sugar_chmod',
  'sugar_touch',
  'getfunctionvalue',
  // anything that takes a callback (a scanner cannot follow one)
  'call_user_func',
  'call_user_func_array',
  'forward_static_call',
  'forward_static_call_array',
  'is_callable',
  'register_shutdown_function',
  'register_tick_function',
  'spl_autoload_register',
  'iterator_apply',
  'ob_start',
  'preg_replace_callback',
  'header_register_callback',
  'session_set_save_handler',
  'libxml_set_external_entity_loader',
  'array_map',
  'array_filter',
  'array_reduce',
  'array_walk',
  'array_walk_recursive',
  'usort',
  'uasort',
  'uksort',
  'array_diff_uassoc',
  'array_diff_ukey',
  'array_intersect_uassoc',
  'array_intersect_ukey',
  'array_udiff',
  'array_udiff_assoc',
  'array_udiff_uassoc',
  'array_uintersect',
  'array_uintersect_assoc',
  'array_uintersect_uassoc',
  'xml_set_character_data_handler',
  'xml_set_default_handler',
  'xml_set_element_handler',
  'xml_set_end_namespace_decl_handler',
  'xml_set_external_entity_ref_handler',
  'xml_set_notation_decl_handler',
  'xml_set_processing_instruction_handler',
  'xml_set_start_namespace_decl_handler',
  'xml_set_unparsed_entity_decl_handler',
  'sqlitecreateaggregate',
  'sqlitecreatefunction',
  'sqlite_create_aggregate',
  'sqlite_create_function',
  'readline_callback_handler_install',
  'readline_completion_function',
  'set_local_infile_handler',
  'ibase_set_event_handler',
  'ldap_set_rebind_proc',
  'sybase_set_message_handler',
  'fdf_enum_values',
  'newt_entry_set_filter',
  'newt_set_suspend_callback',
  'mailparse_msg_extract_part',
  'mailparse_msg_extract_part_file',
  'mailparse_msg_extract_whole_part_file',
  ...EIO,
  // extension methods Sugar lists by bare name (Gearman, Memcache, OAuth, AMQP, RarArchive, SPL): refused as
  // function calls and, in 8.0, as method declarations
  'setclientcallback',
  'setcompletecallback',
  'setdatacallback',
  'setexceptioncallback',
  'setfailcallback',
  'setstatuscallback',
  'setwarningcallback',
  'setworkloadcallback',
  'addfunction',
  'addserver',
  'setserverparams',
  'get',
  'getbykey',
  'getdelayed',
  'getdelayedbykey',
  'consumerhandler',
  'timestampnoncehandler',
  'tokenhandler',
  'consume',
  'open',
  'construct',
];

/** Refused here although Sugar lets them pass: nothing of ours needs them. */
export const EXTRA_BANNED_FUNCTIONS = [
  'fsockopen',
  'highlight_file',
  'show_source',
  'pcntl_exec',
  'pcntl_fork',
  'assert',
  'ini_alter',
  'set_include_path',
  'putenv',
  'dl',
  'extract',
  'parse_str',
  'unserialize',
  'preg_replace_callback_array',
  'func_get_args',
];

export const BANNED_FUNCTIONS = [...new Set([...SUGAR_BANNED_FUNCTIONS, ...EXTRA_BANNED_FUNCTIONS])];
/** Method calls: Sugar refuses ->setlevel() (and SugarAutoLoader::put/unlink); the rest is our own caution. */
export const BANNED_METHODS = ['setlevel', 'put', 'unlink', 'get', 'copy', 'rename', 'exec', 'system', 'eval'];
export const BANNED_CLASSES = [
  'reflection',
  'reflectionclass',
  'reflectionzendextension',
  'reflectionextension',
  'reflectionfunction',
  'reflectionfunctionabstract',
  'reflectionmethod',
  'reflectionobject',
  'reflectionparameter',
  'reflectionproperty',
  'reflector',
  'reflectionexception',
  'lua',
  'ziparchive',
  'splfileinfo',
  'splfileobject',
  'pclzip',
  'sugarautoloader',
  // ours
  'spltempfileobject',
  'directoryiterator',
  'recursivedirectoryiterator',
];
const bannedClass = (name: string) => BANNED_CLASSES.includes(name.replace(/^\\/, '').toLowerCase()) || /^\\?reflection\w*$/i.test(name);

type Tok = [string, string, number] | string;
const SKIP = new Set(['T_WHITESPACE', 'T_COMMENT', 'T_DOC_COMMENT', 'T_OPEN_TAG']);
const NAME = new Set(['T_STRING', 'T_NAME_QUALIFIED', 'T_NAME_FULLY_QUALIFIED']);
const ARROW = new Set(['T_OBJECT_OPERATOR', 'T_NULLSAFE_OBJECT_OPERATOR', 'T_DOUBLE_COLON']);

export async function phpTokens(file: string): Promise<Tok[]> {
  const code =
    '$t = token_get_all(file_get_contents($argv[1])); $o = array(); foreach ($t as $x) { $o[] = is_array($x) ? array(token_name($x[0]), $x[1], $x[2]) : $x; } echo json_encode($o);';
  const r = await php(['-r', code, file]);
  if (r.code !== 0) throw new Error(`tokenizer failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Tok[];
}

/** Problems found in one PHP file, each naming the line. */
export async function scanPhp(file: string): Promise<string[]> {
  const toks = (await phpTokens(file)).filter((t) => typeof t === 'string' || !SKIP.has(t[0]));
  const kind = (t: Tok | undefined) => (t === undefined ? '' : typeof t === 'string' ? t : t[0]);
  const text = (t: Tok) => (typeof t === 'string' ? t : t[1]);
  const line = (i: number) => {
    for (let j = i; j >= 0; j--) {
      const t = toks[j];
      if (typeof t !== 'string') return t[2];
    }
    return 0;
  };
  const problems: string[] = [];
  toks.forEach((t, i) => {
    const k = kind(t);
    const prev = kind(toks[i - 1]);
    const next = kind(toks[i + 1]);
    if (k === '`') problems.push(`line ${line(i)}: backtick shell execution`);
    if (k === 'T_EVAL') problems.push(`line ${line(i)}: eval`);
    if (k === 'T_HALT_COMPILER') problems.push(`line ${line(i)}: __halt_compiler`);
    if (k === 'T_VARIABLE') {
      if (next === '(' && !ARROW.has(prev)) problems.push(`line ${line(i)}: variable function call ${text(t)}()`);
      if (next === '(' && ARROW.has(prev)) problems.push(`line ${line(i)}: variable method call`);
      if (prev === 'T_NEW') problems.push(`line ${line(i)}: class instantiated by variable (new ${text(t)})`);
      if (next === 'T_DOUBLE_COLON' && text(t) !== '$this') problems.push(`line ${line(i)}: class named by variable (${text(t)}::)`);
    }
    if (!NAME.has(k)) return;
    const name = text(t).toLowerCase().replace(/^\\/, '');
    if (prev === 'T_NEW' || prev === 'T_EXTENDS' || prev === 'T_INSTANCEOF' || next === 'T_DOUBLE_COLON') {
      if (bannedClass(text(t))) problems.push(`line ${line(i)}: class ${text(t)}`);
      if (next === 'T_DOUBLE_COLON' && name === 'sugarautoloader' && ['put', 'unlink'].includes(text(toks[i + 2] ?? '').toLowerCase())) {
        problems.push(`line ${line(i)}: method SugarAutoLoader::${text(toks[i + 2])}()`);
      }
      return;
    }
    if (next !== '(') return;
    if (ARROW.has(prev)) {
      if (BANNED_METHODS.includes(name)) problems.push(`line ${line(i)}: method ${text(t)}()`);
      return;
    }
    if (!BANNED_FUNCTIONS.includes(name)) return;
    // Sugar 8.0 reads `function get(` like a call of get(): declarations are refused by the same rule.
    problems.push(
      prev === 'T_FUNCTION'
        ? `line ${line(i)}: function ${text(t)}() declared (Sugar 8.0 refuses a declaration named like a banned function)`
        : `line ${line(i)}: function ${text(t)}()`,
    );
  });
  return problems;
}
