// Per-recipient rendering without the template engine for the common case. Liquid costs
// ~10 µs per render call plus per-node overhead; most campaign templates are static text with
// {{ field }} or {{ field | default: "x" }} outputs, which are evaluated here directly, and
// static text is quoted-printable-encoded once per campaign. Templates with {% tags %} (or
// whitespace control) run through the sandboxed Liquid instance instead. Either way the
// output is identical (test/mail/render-program.test.ts compares both paths).
import type { Template } from 'liquidjs';
import { escapeHtml, type LiquidProblem, parseTemplate, renderSync, type SafeHtml, type Sandbox, SLOT_OUTPUT, tagTokens } from './liquid-sandbox.js';
import { qpEncode } from './mime.js';

export { escapeHtml, SafeHtml } from './liquid-sandbox.js';

/** What a program can see besides the target's fields. */
export interface Internals {
  s: string[]; // href slot values
  pixel: SafeHtml;
  footer: SafeHtml | string;
}

type Segment =
  | { k: 'text'; plain: string; qp: string }
  | { k: 'var'; name: string; def?: string }
  | { k: 'slot'; i: number }
  | { k: 'internal'; name: 'pixel' | 'footer' }
  | { k: 'liquid'; tpl: Template[] };

export interface RenderProgram {
  render(fields: Record<string, unknown>, lf: Internals): string;
  /** The same output, quoted-printable encoded (CRLF line ends). */
  renderQp(fields: Record<string, unknown>, lf: Internals): string;
}

const VAR = /^\s*([A-Za-z_]\w*)\s*$/;
// No backslash: Liquid reads one as an escape, which this path would keep as written.
const VAR_DEFAULT = /^\s*([A-Za-z_]\w*)\s*\|\s*default\s*:\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*$/;
const INTERNAL = /^\s*__lf\.(pixel|footer)\s*\|\s*lf_raw\s*$/;
const LITERAL_NAMES = new Set(['empty', 'blank', 'nil', 'null', 'true', 'false', 'forloop', 'tablerowloop']);

/** Each piece is encoded alone and ends on a line break, so pieces can be concatenated. */
function qpPiece(s: string): string {
  if (!s) return '';
  const q = qpEncode(s);
  return q.endsWith('\r\n') ? q : q + '=\r\n';
}

function scopeOf(fields: Record<string, unknown>, lf: Internals): object {
  return { ...fields, __lf: lf };
}

function textOf(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function compileProgram(source: string, sandbox: Sandbox, escaping: boolean, where: string): { program?: RenderProgram; problem?: LiquidProblem } {
  const whole = parseTemplate(sandbox, source, where);
  if (whole.problem) return { problem: whole.problem };
  if (/\{%|\{\{-|-\}\}/.test(source)) {
    const tpl = whole.tpl!;
    const render = (fields: Record<string, unknown>, lf: Internals) => renderSync(sandbox, tpl, scopeOf(fields, lf));
    return { program: { render, renderQp: (f, lf) => qpPiece(render(f, lf)) } };
  }
  const segments: Segment[] = [];
  let cursor = 0;
  const text = (s: string) => s && segments.push({ k: 'text', plain: s, qp: qpPiece(s) });
  // Outputs as the engine reads them (a "}}" inside a string ends none).
  for (const t of tagTokens(sandbox, source)) {
    if (!t.output) continue;
    text(source.slice(cursor, t.begin));
    cursor = t.end;
    const expr = t.content;
    let v: RegExpExecArray | null;
    if ((v = SLOT_OUTPUT.exec(expr))) segments.push({ k: 'slot', i: Number(v[1]) });
    else if ((v = INTERNAL.exec(expr))) segments.push({ k: 'internal', name: v[1] as 'pixel' | 'footer' });
    else if ((v = VAR.exec(expr)) && !LITERAL_NAMES.has(v[1])) segments.push({ k: 'var', name: v[1] });
    else if ((v = VAR_DEFAULT.exec(expr)) && !LITERAL_NAMES.has(v[1])) segments.push({ k: 'var', name: v[1], def: v[2] ?? v[3] });
    else segments.push({ k: 'liquid', tpl: parseTemplate(sandbox, source.slice(t.begin, t.end), where).tpl! });
  }
  text(source.slice(cursor));

  const dynamic = (seg: Exclude<Segment, { k: 'text' }>, fields: Record<string, unknown>, lf: Internals): string => {
    switch (seg.k) {
      case 'slot': {
        const value = lf.s[seg.i] ?? '';
        return escaping ? escapeHtml(value) : value;
      }
      case 'internal':
        return String(lf[seg.name]);
      case 'var': {
        const raw = Object.hasOwn(fields, seg.name) ? fields[seg.name] : undefined;
        // Liquid's default: applies to nil, false and empty strings.
        const value = seg.def !== undefined && (raw === null || raw === undefined || raw === false || raw === '') ? seg.def : textOf(raw);
        return escaping ? escapeHtml(value) : value;
      }
      case 'liquid':
        return renderSync(sandbox, seg.tpl, scopeOf(fields, lf));
    }
  };
  return {
    program: {
      render(fields, lf) {
        let out = '';
        for (const seg of segments) out += seg.k === 'text' ? seg.plain : dynamic(seg, fields, lf);
        return out;
      },
      renderQp(fields, lf) {
        let out = '';
        for (const seg of segments) out += seg.k === 'text' ? seg.qp : qpPiece(dynamic(seg, fields, lf));
        return out;
      },
    },
  };
}
