// MJML to HTML, strict: mjml's own validator is lenient about unclosed tags and silently
// drops mj-include, so a structural pass runs first and names the line of each problem.
//
// Both halves are bounded (issue 12): the structural pass is one linear scan (it used regular expressions
// that rescanned the rest of the input from every '<mj' or '<!--', so 120 KB of '<mj-a ' took 7 s on the
// main thread), and mjml itself runs on a worker thread of its own, one template at a time with a deadline,
// so a big template never holds up the open pixel or /healthz.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { TemplateProblem } from './template-error.js';

/** At most this many problems are listed; a template with more is broken beyond listing. */
const MAX_PROBLEMS = 50;

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45; // a-z A-Z 0-9 -
}
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Comments blanked (newlines kept) so tags inside them are ignored and lines stay right. One pass. */
function blankComments(src: string): string {
  let out = '';
  let cursor = 0;
  for (;;) {
    const open = src.indexOf('<!--', cursor);
    if (open < 0) break;
    const close = src.indexOf('-->', open + 4);
    if (close < 0) break; // an unclosed comment is left as text, as before; no later one can close either
    out += src.slice(cursor, open) + src.slice(open, close + 3).replace(/[^\n]/g, ' ');
    cursor = close + 3;
  }
  return cursor === 0 ? src : out + src.slice(cursor);
}

export function checkMjmlStructure(src: string): TemplateProblem[] {
  const text = blankComments(src);
  const problems: TemplateProblem[] = [];
  const add = (p: TemplateProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  if (!/^\s*<mjml[\s>]/i.test(text)) add({ line: 1, message: 'the template must start with <mjml>' });
  // The open tags, and for each name the stack positions holding it: resynchronising on a matching opener is
  // then a look-up instead of a search of the whole stack.
  const stack: Array<{ tag: string; line: number }> = [];
  const at = new Map<string, number[]>();
  const push = (tag: string, line: number) => {
    stack.push({ tag, line });
    let list = at.get(tag);
    if (!list) at.set(tag, (list = []));
    list.push(stack.length - 1);
  };
  const pop = () => {
    const top = stack.pop();
    if (top) at.get(top.tag)!.pop();
    return top;
  };
  let line = 1;
  let lineCursor = 0;
  const lineAt = (index: number) => {
    // positions only grow: count the newlines since the last call
    for (let i = text.indexOf('\n', lineCursor); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
    lineCursor = Math.max(lineCursor, index);
    return line;
  };

  const n = text.length;
  let i = text.indexOf('<');
  while (i >= 0 && i < n && problems.length < MAX_PROBLEMS) {
    let j = i + 1;
    const closing = text.charCodeAt(j) === 47; // '/'
    if (closing) j++;
    const c0 = text.charCodeAt(j) | 32;
    const c1 = text.charCodeAt(j + 1) | 32;
    if (c0 !== 109 || c1 !== 106) {
      i = text.indexOf('<', i + 1);
      continue;
    } // not '<mj' or '</mj'
    let k = j + 2;
    while (k < n && isNameChar(text.charCodeAt(k))) k++;
    // The name ends on a word boundary (as /mj[a-z0-9-]*\b/ did): trailing '-' before a non-word character is not part of it.
    while (k > j + 2 && text.charCodeAt(k - 1) === 45 && !(k < n && isWordChar(text.charCodeAt(k)))) k--;
    const tag = text.slice(j, k).toLowerCase();
    // Attributes up to the first '>' outside quotes.
    let end = -1;
    let p = k;
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === 62) {
        end = p;
        break;
      } // '>'
      if (c === 34 || c === 39) {
        // a quoted value runs to its closing quote
        const q = text.indexOf(c === 34 ? '"' : "'", p + 1);
        if (q < 0) break;
        p = q + 1;
        continue;
      }
      p++;
    }
    const tagLine = lineAt(i);
    if (end < 0) {
      // Every later tag would run into the same end of input: one problem, and the scan stops (linear).
      add({ line: tagLine, tagName: tag, message: `<${closing ? '/' : ''}${tag}> is never closed with '>'` });
      break;
    }
    const selfClosing = text.charCodeAt(end - 1) === 47 && end - 1 >= k;
    i = text.indexOf('<', end + 1);
    if (tag === 'mj-include') {
      add({ line: tagLine, tagName: tag, message: 'mj-include is not allowed: templates cannot read files' });
      continue;
    }
    if (selfClosing) continue;
    if (!closing) {
      push(tag, tagLine);
      continue;
    }
    const open = pop();
    if (!open) add({ line: tagLine, tagName: tag, message: `</${tag}> has no matching opening tag` });
    else if (open.tag !== tag) {
      add({ line: tagLine, tagName: open.tag, message: `<${open.tag}> opened on line ${open.line} is closed by </${tag}>` });
      // Resynchronise on the matching opener, if any, so one typo does not cascade.
      const positions = at.get(tag);
      const idx = positions?.length ? positions[positions.length - 1] : -1;
      if (idx >= 0) while (stack.length > idx) pop();
    }
  }
  for (const open of stack) {
    if (problems.length >= MAX_PROBLEMS) break;
    add({ line: open.line, tagName: open.tag, message: `<${open.tag}> is never closed` });
  }
  return problems;
}

// ---- mjml on a worker thread -------------------------------------------------------------------------------

/** A template mjml has not turned into HTML after this long is refused (and the thread replaced). */
const COMPILE_DEADLINE_MS = 20_000;

// CommonJS on purpose: an eval'd worker needs no module file next to the bundle. mjml (~25 MB) is loaded
// there on first use only; send threads receive HTML and never load it.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const mjml = require(workerData.mjml);
const mjml2html = mjml.default || mjml;
parentPort.on('message', async ({ id, src }) => {
  try {
    const r = await mjml2html(src, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false, minify: false });
    parentPort.postMessage({ id, html: r.html, errors: (r.errors || []).map((e) => ({ line: e.line, message: e.message, tagName: e.tagName })) });
  } catch (err) {
    const errors = Array.isArray(err && err.errors) ? err.errors.map((e) => ({ line: e.line, message: e.message, tagName: e.tagName })) : undefined;
    parentPort.postMessage({ id, failed: String((err && err.message) || err).trim(), errors });
  }
});
`;

type Reply = { id: number; html?: string; errors?: Array<{ line?: number; message: string; tagName?: string }>; failed?: string };
let thread: { worker: Worker; pending: Map<number, (r: Reply) => void> } | undefined;
let nextId = 0;

function compileThread() {
  if (thread) return thread;
  const worker = new Worker(THREAD, { eval: true, workerData: { mjml: createRequire(import.meta.url).resolve('mjml') } });
  worker.unref(); // an idle compiler never keeps the process alive
  const pending = new Map<number, (r: Reply) => void>();
  const t = { worker, pending };
  const fail = (message: string) => {
    if (thread === t) thread = undefined;
    for (const [id, done] of pending) done({ id, failed: message });
    pending.clear();
  };
  worker.on('message', (r: Reply) => {
    pending.get(r.id)?.(r);
    pending.delete(r.id);
    if (!pending.size) worker.unref();
  });
  worker.on('error', (err) => fail(`the MJML compiler stopped (${err.message})`));
  worker.on('exit', () => fail('the MJML compiler stopped'));
  thread = t;
  return t;
}

function mjmlOnThread(src: string): Promise<Reply> {
  const t = compileThread();
  const id = ++nextId;
  return new Promise<Reply>((resolve) => {
    const timer = setTimeout(() => {
      t.pending.delete(id);
      if (thread === t) thread = undefined;
      void t.worker.terminate(); // whatever else it held is answered by its 'exit'
      resolve({ id, failed: `MJML took longer than ${COMPILE_DEADLINE_MS / 1000} s to compile` });
    }, COMPILE_DEADLINE_MS);
    timer.unref();
    t.pending.set(id, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
    t.worker.ref();
    t.worker.postMessage({ id, src });
  });
}

export async function compileMjml(src: string): Promise<{ html?: string; problems: TemplateProblem[] }> {
  const structural = checkMjmlStructure(src);
  if (structural.length) return { problems: structural };
  const r = await mjmlOnThread(src);
  if (r.errors?.length) return { problems: r.errors.map(toProblem) };
  if (r.failed !== undefined || r.html === undefined) return { problems: [{ message: `MJML could not be parsed: ${r.failed ?? 'no output'}` }] };
  return { html: r.html, problems: [] };
}

function toProblem(e: { line?: number; message: string; tagName?: string }): TemplateProblem {
  return { ...(e.line !== undefined ? { line: e.line } : {}), message: e.message, ...(e.tagName ? { tagName: e.tagName } : {}) };
}
