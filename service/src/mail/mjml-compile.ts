// MJML to HTML, strict: mjml's own validator is lenient about unclosed tags and silently
// drops mj-include, so a structural pass runs first and names the line of each problem.
import type { TemplateProblem } from './template-error.js';

// Loaded on first use: send threads receive HTML from the main thread and never need mjml (~58 MB each).
let mjml: Promise<typeof import('mjml').default> | undefined;
const loadMjml = () => (mjml ??= import('mjml').then((m) => m.default));

const MJ_TAG = /<(\/?)(mj[a-z0-9-]*)\b((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/gi;

function lineAt(src: string, index: number): number {
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < index; i = src.indexOf('\n', i + 1)) line++;
  return line;
}

export function checkMjmlStructure(src: string): TemplateProblem[] {
  // Comments are blanked (newlines kept) so tags inside them are ignored and lines stay right.
  const text = src.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const problems: TemplateProblem[] = [];
  const stack: Array<{ tag: string; line: number }> = [];
  if (!/^\s*<mjml[\s>]/i.test(text)) problems.push({ line: 1, message: 'the template must start with <mjml>' });
  for (const m of text.matchAll(MJ_TAG)) {
    const [, closing, rawName, , selfClosing] = m;
    const tag = rawName.toLowerCase();
    const line = lineAt(text, m.index ?? 0);
    if (tag === 'mj-include') {
      problems.push({ line, tagName: tag, message: 'mj-include is not allowed: templates cannot read files' });
      continue;
    }
    if (selfClosing) continue;
    if (!closing) {
      stack.push({ tag, line });
      continue;
    }
    const open = stack.pop();
    if (!open) problems.push({ line, tagName: tag, message: `</${tag}> has no matching opening tag` });
    else if (open.tag !== tag) {
      problems.push({ line, tagName: open.tag, message: `<${open.tag}> opened on line ${open.line} is closed by </${tag}>` });
      // Resynchronise on the matching opener, if any, so one typo does not cascade.
      const idx = stack.map((s) => s.tag).lastIndexOf(tag);
      if (idx >= 0) stack.length = idx;
    }
  }
  for (const open of stack) problems.push({ line: open.line, tagName: open.tag, message: `<${open.tag}> is never closed` });
  return problems;
}

export async function compileMjml(src: string): Promise<{ html?: string; problems: TemplateProblem[] }> {
  const structural = checkMjmlStructure(src);
  if (structural.length) return { problems: structural };
  try {
    const mjml2html = await loadMjml();
    const result = await mjml2html(src, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false, minify: false });
    if (result.errors?.length) return { problems: result.errors.map(toProblem) };
    return { html: result.html, problems: [] };
  } catch (err) {
    const e = err as { errors?: Array<{ line?: number; message: string; tagName?: string }>; message?: string };
    if (Array.isArray(e.errors) && e.errors.length) return { problems: e.errors.map(toProblem) };
    return { problems: [{ message: `MJML could not be parsed: ${String(e.message ?? err).trim()}` }] };
  }
}

function toProblem(e: { line?: number; message: string; tagName?: string }): TemplateProblem {
  return { ...(e.line !== undefined ? { line: e.line } : {}), message: e.message, ...(e.tagName ? { tagName: e.tagName } : {}) };
}
