// Campaign content compiled once: MJML to HTML, links turned into slots, Liquid parsed in a
// sandbox, a text part derived. Per recipient only renderContent runs (see message.ts).

import { createHash, randomBytes } from 'node:crypto';
import { LiquidError } from 'liquidjs';
import { isSendableAddress } from '../domain/address.js';
import { extractLinks } from '../domain/links.js';
import { baseFieldsNamed } from '../domain/merge-fields.js';
import type { ClickSigning } from '../domain/tokens.js';
import type { ContentSpec } from '../domain/types.js';
import { compileHref, type HrefRenderer } from './href-merge.js';
import { createSandbox, escapeHtml, rawRanges, SafeHtml, SLOT_OUTPUT, type TagToken, tagTokens, variablesRead } from './liquid-sandbox.js';
import { formatMailbox, sanitizeHeaderText } from './mime.js';
import { compileMjml } from './mjml-compile.js';
import { compileProgram, type Internals, type RenderProgram } from './render-program.js';
import { ContentTooLargeError, TemplateError, type TemplateProblem } from './template-error.js';
import { buildTextSource } from './text-part.js';

export { ContentTooLargeError, TemplateError } from './template-error.js';

export type CampaignMessageSpec = ContentSpec;

type Slot = { link: number } | { href: HrefRenderer };

export interface CompiledCampaign {
  campaignId: string;
  /** Tracked links; a click token's link index points here. Store them for the redirect endpoint. */
  links: string[];
  /** The record fields every target carries that the compiled subject, content and links name (domain/merge-fields.ts). */
  baseFieldsRead: string[];
  /** Internal to mail/: compiled pieces used by renderContent and buildMessage. */
  readonly internal: {
    subject: RenderProgram;
    html: RenderProgram;
    text: RenderProgram;
    slots: Slot[];
    /** The author placed {{ unsubscribe_url }} themselves; the footer then only adds the address. */
    authorUnsubscribe: boolean;
    /** With Liquid tags a link may be in some messages only: each click token then checks its link index. */
    clicks: ClickSigning;
    fromHeader: string;
    replyToHeader?: string;
    boundary: string;
  };
}

export interface RenderTracking {
  /** URL for a tracked link slot; null keeps the original link. */
  clickUrl: (linkIndex: number) => string | null;
  pixelUrl: string; // '' = no pixel
  unsubscribeUrl: string;
  postalAddress: string;
}

const MAX_SOURCE = 1_000_000;
/** Liquid's own parse limit (liquid-sandbox.ts); HTML compiled from MJML beyond it is refused at once. */
const MAX_COMPILED_HTML = 2_000_000;
/**
 * Merge tags and links a body, or the subject, may hold: Liquid's parse of them grows faster than their number
 * (26,000 took 0.34 s, 104,000 3.5 s, on the main thread), and MJML's <mj-attributes> copied 1,000 tags of 11 KB of
 * source onto every element (305,000: 29 s). A long newsletter holds a few hundred.
 */
export const MAX_TAGS = 5_000;

function countTags(source: string): number {
  let n = 0;
  for (let i = source.indexOf('{'); i !== -1; i = source.indexOf('{', i + 1)) {
    const next = source.charCodeAt(i + 1);
    if (next === 123 || next === 37) n++; // '{{' or '{%'
  }
  return n;
}

function tagProblem(n: number, where: string): TemplateProblem[] {
  return n > MAX_TAGS ? [{ message: `the ${where} holds ${n} merge tags and links; at most ${MAX_TAGS} are taken` }] : [];
}
const htmlSandbox = createSandbox('html');
const textSandbox = createSandbox('text');
const cache = new Map<string, Promise<CompiledCampaign>>();
const CACHE_SIZE = 64;
const PIXEL_TAG = '{{ __lf.pixel | lf_raw }}';
const FOOTER_TAG = '{{ __lf.footer | lf_raw }}';
const NO_PIXEL = new SafeHtml('');

/** Leading indentation and blank lines are noise in mail (MJML emits plenty); <pre> content is left alone. */
function compactHtml(html: string): string {
  if (/<pre[\s>]|<textarea[\s>]|white-space\s*:\s*pre/i.test(html)) return html;
  return html
    .split('\n')
    .map((l) => l.trimStart())
    .filter((l) => l.length > 0)
    .join('\n');
}

/**
 * Index just after the first complete `<body ...>` tag, or -1. One pass: /<body\b[^>]*>/ rescanned the rest of
 * the input from every '<body' that has no '>' (quadratic on a hostile template).
 */
function afterBodyTag(s: string): number {
  const re = /<body\b/gi;
  const m = re.exec(s);
  if (!m) return -1;
  const close = s.indexOf('>', m.index);
  return close < 0 ? -1 : close + 1; // no '>' after the first '<body': none after a later one either
}

/** The pixel goes right after <body> (survives Gmail's clipping), the footer right before </body>. */
function insertPixelAndFooter(parts: string[]): string[] {
  const out = [...parts];
  let bodyAt = -1;
  let at = -1;
  for (let i = 0; i < out.length && bodyAt < 0; i++) if ((at = afterBodyTag(out[i])) >= 0) bodyAt = i;
  if (bodyAt >= 0) out[bodyAt] = out[bodyAt].slice(0, at) + PIXEL_TAG + out[bodyAt].slice(at);
  else out[0] = PIXEL_TAG + out[0];
  let closeAt = -1;
  for (let i = out.length - 1; i >= 0 && closeAt < 0; i--) if (/<\/body>/i.test(out[i])) closeAt = i;
  if (closeAt >= 0) {
    const p = out[closeAt];
    const at = p.toLowerCase().lastIndexOf('</body>');
    out[closeAt] = p.slice(0, at) + FOOTER_TAG + p.slice(at);
  } else out[out.length - 1] += FOOTER_TAG;
  return out;
}

/**
 * The author's own unsubscribe link is in every message: a link whose href is exactly {{ unsubscribe_url }}, outside
 * Liquid blocks, with nothing changing the name. Anything looser let the footer drop its link from messages that had
 * none working (the word in prose, a comment or a branch, a filter on the URL, an assign: two reviews).
 */
function authorPlacesUnsubscribe(tokens: readonly TagToken[], slotHrefs: readonly string[]): boolean {
  if (tokens.some((t) => !t.output && /\bunsubscribe_url\b/.test(t.content))) return false;
  return tokens.some((t) => t.topLevel && t.output && AUTHOR_LINK.test(slotHrefs[Number(SLOT_OUTPUT.exec(t.content)?.[1] ?? -1)]?.trim() ?? ''));
}
const AUTHOR_LINK = /^\{\{-?\s*unsubscribe_url\s*-?\}\}$/;

function footerHtml(addr: string, unsubscribeUrl: string | null): SafeHtml {
  return new SafeHtml(
    '<div style="padding:24px 16px;text-align:center;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:18px;color:#666666;">' +
      (addr ? escapeHtml(addr) + (unsubscribeUrl ? '<br>' : '') : '') +
      (unsubscribeUrl ? `<a href="${escapeHtml(unsubscribeUrl)}" style="color:#666666;text-decoration:underline;">Unsubscribe</a>` : '') +
      '</div>',
  );
}

function footerText(addr: string, unsubscribeUrl: string | null): string {
  return '\n\n--\n' + (addr ? addr + '\n' : '') + (unsubscribeUrl ? `Unsubscribe: ${unsubscribeUrl}\n` : '');
}

function validateSpec(spec: CampaignMessageSpec): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  if (!spec.campaignId?.trim()) problems.push({ message: 'campaignId is required' });
  if (!sanitizeHeaderText(spec.subject ?? '')) problems.push({ message: 'subject is required' });
  if (!isSendableAddress(spec.fromEmail ?? '')) problems.push({ message: `fromEmail "${spec.fromEmail ?? ''}" is not a valid address` });
  if (spec.replyTo && !isSendableAddress(spec.replyTo)) problems.push({ message: `replyTo "${spec.replyTo}" is not a valid address` });
  const bodies = [spec.mjml, spec.html].filter((b) => typeof b === 'string' && b.trim() !== '');
  if (bodies.length !== 1) problems.push({ message: 'exactly one of mjml or html is required' });
  else if (bodies[0]!.length > MAX_SOURCE) problems.push({ message: `the template is larger than ${MAX_SOURCE} characters` });
  return problems;
}

async function compileUncached(spec: CampaignMessageSpec): Promise<CompiledCampaign> {
  const problems = validateSpec(spec);
  if (problems.length) throw new TemplateError(problems);
  let html = spec.html ?? '';
  if (spec.mjml?.trim()) {
    const result = await compileMjml(spec.mjml);
    if (!result.html) throw new TemplateError(result.problems);
    // MJML expands its source 5-15 times; what comes out is held to what Liquid would parse anyway, before any
    // more work on the main thread.
    if (result.html.length > MAX_COMPILED_HTML) {
      throw new TemplateError([{ message: `this MJML compiles to ${result.html.length} characters of HTML; at most ${MAX_COMPILED_HTML} are sent` }]);
    }
    html = result.html;
  }
  const tags = countTags(html);
  const tooMany = [...tagProblem(countTags(spec.subject), 'subject'), ...tagProblem(tags, 'content')];
  if (tooMany.length) throw new TemplateError(tooMany);
  const compact = compactHtml(html);
  const raw = rawRanges(textSandbox, compact);
  // Content that does not tokenize as written (a stray '{{' in a link, which becomes a slot) cannot say where its raw
  // blocks are: a link in one, made a slot, would go out as the slot's tag.
  if (raw === undefined && /\{%-?\s*raw\b/.test(compact))
    throw new TemplateError([{ message: 'the content has {% raw %} blocks and an unclosed {{ or {% elsewhere (in a link?): close it' }]);
  const t = extractLinks(compact, raw ?? []);
  const htmlSource = insertPixelAndFooter(t.parts).reduce((acc, p, i) => acc + (i === 0 ? '' : `{{ __lf.s[${i - 1}] }}`) + p, '');
  const textSource = textSourceOf(t.parts) + FOOTER_TAG;

  const slots: Slot[] = [];
  for (const [i, linkIndex] of t.slotLinkIndex.entries()) {
    if (linkIndex >= 0) slots.push({ link: linkIndex });
    else {
      const { render, problem } = compileHref(t.slotHrefs[i], textSandbox);
      if (problem) problems.push(problem);
      else slots.push({ href: render! });
    }
  }
  // Each link becomes a tag of its own.
  problems.push(...tagProblem(tags + t.slotLinkIndex.length, 'content'));
  if (problems.length) throw new TemplateError(problems);
  const subject = compileProgram(spec.subject, textSandbox, false, 'subject');
  const htmlProgram = compileProgram(htmlSource, htmlSandbox, true, 'html');
  const textProgram = compileProgram(textSource, textSandbox, false, 'text part');
  for (const r of [subject, htmlProgram, textProgram]) if (r.problem) problems.push(r.problem);
  if (problems.length) throw new TemplateError(problems);
  const htmlTokens = tagTokens(htmlSandbox, htmlSource);
  // Every link's slot is a tag the engine renders: one a raw block swallowed would go out as written.
  if (htmlTokens.filter((tk) => tk.output && SLOT_OUTPUT.test(tk.content)).length !== t.slotLinkIndex.length)
    throw new TemplateError([{ message: 'a link runs across the edge of a {% raw %} block: keep each link wholly inside or outside it' }]);

  return {
    campaignId: spec.campaignId,
    links: t.links,
    baseFieldsRead: baseFieldsNamed([
      variablesRead(htmlSandbox, htmlSource, htmlTokens),
      ...[spec.subject, textSource, ...t.slotHrefs].map((source) => variablesRead(textSandbox, source)),
    ]),
    internal: {
      subject: subject.program!,
      html: htmlProgram.program!,
      text: textProgram.program!,
      slots,
      authorUnsubscribe: authorPlacesUnsubscribe(htmlTokens, t.slotHrefs),
      clicks: { eachLink: html.includes('{%') },
      fromHeader: formatMailbox(spec.fromName, spec.fromEmail),
      replyToHeader: spec.replyTo ? formatMailbox(undefined, spec.replyTo) : undefined,
      boundary: `=_lf_${randomBytes(12).toString('hex')}`, // "=_" never occurs in quoted-printable
    },
  };
}

/**
 * Compiles (or returns the cached compilation of) a campaign's content; throws TemplateError. `maxBytes` bounds
 * the MJML or HTML body of content offered now (LEADFWD_CONTENT_MAX_BYTES): over it, ContentTooLargeError (413)
 * before any work. Campaigns already stored are compiled with the built-in ceiling, so lowering the setting never
 * stops a campaign already accepted.
 */
export function compileCampaign(spec: CampaignMessageSpec, opts: { maxBytes?: number } = {}): Promise<CompiledCampaign> {
  const maxBytes = opts.maxBytes ?? MAX_SOURCE;
  for (const field of ['mjml', 'html'] as const) {
    const body = spec[field];
    // length first: a string is at most 3 bytes per UTF-16 unit, so only a long one needs counting.
    if (typeof body === 'string' && body.length * 3 > maxBytes) {
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > maxBytes) return Promise.reject(new ContentTooLargeError(field, bytes, maxBytes));
    }
  }
  const key = createHash('sha256')
    .update(JSON.stringify([spec.campaignId, spec.subject, spec.fromName, spec.fromEmail, spec.replyTo ?? null, spec.mjml ?? null, spec.html ?? null]))
    .digest('base64');
  const hit = cache.get(key);
  if (hit) return hit;
  const pending = compileUncached(spec);
  cache.set(key, pending);
  pending.catch(() => cache.delete(key));
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  // Content offered now that fails without any merge value (a filter failing on a constant, output past the memory
  // limit) would fail every recipient's message: refused where it is written. A campaign already stored is not held
  // to it here: its rows fail one by one as before, instead of its sending stopping at every start.
  return opts.maxBytes === undefined ? pending : pending.then((c) => renderOrRefuse(() => (renderContent(c, {}, UNTRACKED), c), 'even without merge values'));
}

/** Field values plus what the programs need for one recipient. */
function prepare(c: CompiledCampaign, fields: Record<string, string>, t: RenderTracking) {
  const { internal } = c;
  const merged: Record<string, unknown> = { ...fields, unsubscribe_url: t.unsubscribeUrl };
  const s = internal.slots.map((slot) => ('link' in slot ? (t.clickUrl(slot.link) ?? c.links[slot.link]) : slot.href(merged)));
  const footerLink = internal.authorUnsubscribe ? null : t.unsubscribeUrl;
  const pixel = t.pixelUrl
    ? new SafeHtml(`<img src="${escapeHtml(t.pixelUrl)}" width="1" height="1" alt="" style="border:0;width:1px;height:1px;">`)
    : NO_PIXEL;
  const html: Internals = { s, pixel, footer: footerHtml(t.postalAddress, footerLink) };
  const text: Internals = { s, pixel: NO_PIXEL, footer: footerText(t.postalAddress, footerLink) };
  return { merged, html, text };
}

export function renderSubject(c: CompiledCampaign, fields: Record<string, unknown>): string {
  return sanitizeHeaderText(c.internal.subject.render(fields, { s: [], pixel: NO_PIXEL, footer: '' }), 998);
}

export function renderContent(c: CompiledCampaign, fields: Record<string, string>, t: RenderTracking): { subject: string; html: string; text: string } {
  const p = prepare(c, fields, t);
  return { subject: renderSubject(c, p.merged), html: c.internal.html.render(p.merged, p.html), text: c.internal.text.render(p.merged, p.text) };
}

/** Same as renderContent, with the bodies quoted-printable encoded for the MIME writer. */
export function renderContentQp(c: CompiledCampaign, fields: Record<string, string>, t: RenderTracking): { subject: string; htmlQp: string; textQp: string } {
  const p = prepare(c, fields, t);
  return { subject: renderSubject(c, p.merged), htmlQp: c.internal.html.renderQp(p.merged, p.html), textQp: c.internal.text.renderQp(p.merged, p.text) };
}

/** The message as the recipient would see it, without tracking, for the campaign editor; a template error is a 422. */
export function renderPreview(c: CompiledCampaign, fields: Record<string, string>, opts: { senderPostalAddress?: string } = {}) {
  return renderOrRefuse(() => renderContent(c, fields, { ...UNTRACKED, postalAddress: opts.senderPostalAddress ?? '' }), 'with these merge values');
}

const UNTRACKED: RenderTracking = { clickUrl: () => null, pixelUrl: '', unsubscribeUrl: '#unsubscribe', postalAddress: '' };

/** Liquid's own failures (a filter, a limit) and what JavaScript throws for what a template builds become a 422. */
function renderOrRefuse<T>(render: () => T, when: string): T {
  try {
    return render();
  } catch (err) {
    if (!(err instanceof LiquidError || err instanceof RangeError || err instanceof URIError)) throw err;
    throw new TemplateError([{ message: `the content cannot be rendered ${when}: ${err.message}` }]);
  }
}

/** The text part's source; HTML nested past what the converter's recursion takes is refused, not a crash. */
function textSourceOf(parts: string[]): string {
  try {
    return buildTextSource(parts);
  } catch (err) {
    if (!(err instanceof RangeError && /call stack/i.test(err.message))) throw err;
    throw new TemplateError([{ message: 'the HTML nests its elements too deeply to make its text part; flatten it' }]);
  }
}

/** MJML → HTML for a switch of the content format: held to the size limit, every MJML problem reported. */
export async function mjmlToHtml(mjml: string, maxBytes: number): Promise<string> {
  const bytes = Buffer.byteLength(mjml, 'utf8');
  if (bytes > maxBytes) throw new ContentTooLargeError('mjml', bytes, maxBytes);
  const r = await compileMjml(mjml);
  if (!r.html) throw new TemplateError(r.problems);
  return r.html;
}
