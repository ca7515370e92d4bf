// Automation definitions: validation of the create body (every problem listed, nothing half-accepted) and
// compilation of the step tree into a flat program of instructions the per-target step machine walks.
// Jumps only go forward, so a program always ends; a `goto` back to an earlier step is reported as a cycle.

import type { WinnerMetric } from './ab-test.js';
import { isSendableAddress } from './address.js';
import { isTimeZone, minutesOf, parseDuration, type TimeWindow, WEEKDAYS, type Weekday } from './automation-time.js';
import { ID } from './input.js';
import type { CampaignContent } from './types.js';

export interface EmailContent extends CampaignContent {
  name: string;
  /** The sender identity the step's emails go out as (absent: the default); resolved when the automation is saved. */
  senderIdentityId?: string;
}

/** One instruction; `key` is stable across edits when the step carries an `id`, and names progress rows. */
export type Instruction =
  | { op: 'send'; key: string; email: EmailContent }
  | { op: 'wait'; key: string; seconds?: number; window?: TimeWindow }
  | { op: 'branch'; key: string; on: 'opened' | 'clicked'; elseAt: number }
  /**
   * An A/B split: each target takes one of the paths (starting at `at[i]`), an even hash split of its address; with
   * `winner`, once `afterHours` have passed since the split's first send the path whose first email has the best
   * people's rate wins, and targets reaching the split from then on take that path only.
   */
  | { op: 'split'; key: string; at: number[]; winner?: SplitWinnerRule }
  | { op: 'jump'; key: string; to: number };

/** How a split's winner is chosen automatically (absent: it splits for good, unless a person chooses). */
export interface SplitWinnerRule {
  metric: WinnerMetric;
  afterHours: number;
}
export const MAX_SPLIT_HOURS = 24 * 30;

export interface AutomationDefinition {
  name: string;
  targetListIds: string[];
  steps: unknown[];
}
export interface CompiledAutomation {
  name: string;
  targetListIds: string[];
  program: Instruction[];
}

export class AutomationInvalid extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'AutomationInvalid';
  }
}

const MAX_STEPS = 500;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Ctx {
  problems: string[];
  program: Instruction[];
  ids: Map<string, string>;
  gotos: Array<{ at: number; target: string; path: string }>;
  branches: Map<number, string>;
}

function text(o: Obj, field: string, path: string, ctx: Ctx, max: number, required = true): string | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') {
    if (required) ctx.problems.push(`${path}.${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    ctx.problems.push(`${path}.${field} must be a string`);
    return undefined;
  }
  if (v.length > max) {
    ctx.problems.push(`${path}.${field} must be at most ${max} characters`);
    return undefined;
  }
  return v;
}

function body(o: Obj, path: string, ctx: Ctx): { mjml?: string; html?: string } {
  const mjml = text(o, 'mjml', path, ctx, 2_000_000, false);
  const html = text(o, 'html', path, ctx, 2_000_000, false);
  if (!mjml && !html) ctx.problems.push(`${path}: one of mjml or html is required`);
  if (mjml && html) ctx.problems.push(`${path}: give either mjml or html, not both`);
  return { ...(mjml ? { mjml } : {}), ...(html ? { html } : {}) };
}

function sender(o: Obj, path: string, ctx: Ctx) {
  const fromName = text(o, 'fromName', path, ctx, 200);
  const fromEmail = text(o, 'fromEmail', path, ctx, 254);
  const replyTo = text(o, 'replyTo', path, ctx, 254, false);
  const senderIdentityId = text(o, 'senderIdentityId', path, ctx, 64, false);
  if (fromEmail && !isSendableAddress(fromEmail)) ctx.problems.push(`${path}.fromEmail is not a valid address`);
  if (replyTo && !isSendableAddress(replyTo)) ctx.problems.push(`${path}.replyTo is not a valid address`);
  return { fromName: fromName ?? '', fromEmail: fromEmail ?? '', ...(replyTo ? { replyTo } : {}), ...(senderIdentityId ? { senderIdentityId } : {}) };
}

function window(v: unknown, path: string, ctx: Ctx): TimeWindow | undefined {
  if (!isObj(v)) {
    ctx.problems.push(`${path} must be an object {weekdays, from, to, timeZone}`);
    return undefined;
  }
  const before = ctx.problems.length;
  const days = v.weekdays;
  if (!Array.isArray(days) || days.length === 0 || days.some((d) => !WEEKDAYS.includes(d as Weekday))) {
    ctx.problems.push(`${path}.weekdays must be a non-empty array of ${WEEKDAYS.join(', ')}`);
  }
  const from = typeof v.from === 'string' ? minutesOf(v.from) : undefined;
  const to = typeof v.to === 'string' ? minutesOf(v.to) : undefined;
  if (from === undefined) ctx.problems.push(`${path}.from must be a time "HH:MM"`);
  if (to === undefined) ctx.problems.push(`${path}.to must be a time "HH:MM"`);
  if (from !== undefined && to !== undefined && from >= to) ctx.problems.push(`${path}.from must be before ${path}.to`);
  if (!isTimeZone(v.timeZone)) ctx.problems.push(`${path}.timeZone "${String(v.timeZone).slice(0, 64)}" is not a known IANA time zone`);
  if (ctx.problems.length > before) return undefined;
  return { weekdays: [...new Set(days as Weekday[])], from: v.from as string, to: v.to as string, timeZone: v.timeZone as string };
}

function steps(list: unknown, path: string, ctx: Ctx, allowEmpty: boolean): void {
  if (!Array.isArray(list)) {
    ctx.problems.push(`${path} must be an array of steps`);
    return;
  }
  if (list.length === 0 && !allowEmpty) ctx.problems.push(`${path} must have at least one step`);
  list.forEach((raw, i) => step(raw, `${path}[${i}]`, ctx));
}

function step(raw: unknown, path: string, ctx: Ctx): void {
  if (ctx.program.length > MAX_STEPS) {
    if (!ctx.problems.at(-1)?.startsWith('too many')) ctx.problems.push(`too many steps (at most ${MAX_STEPS})`);
    return;
  }
  if (!isObj(raw)) {
    ctx.problems.push(`${path} must be an object`);
    return;
  }
  let key = path;
  if (raw.id !== undefined) {
    if (typeof raw.id !== 'string' || !ID.test(raw.id)) ctx.problems.push(`${path}.id must be 1-64 letters, digits, _ or -`);
    else if (ctx.ids.has(raw.id)) ctx.problems.push(`${path}.id "${raw.id}" is already used by ${ctx.ids.get(raw.id)}`);
    else {
      ctx.ids.set(raw.id, path);
      key = `#${raw.id}`;
    }
  }
  const at = ctx.program.length;
  switch (raw.type) {
    case 'send_email': {
      const name = text(raw, 'name', path, ctx, 200) ?? '';
      const subject = text(raw, 'subject', path, ctx, 998) ?? '';
      ctx.program.push({ op: 'send', key, email: { name, subject, ...sender(raw, path, ctx), ...body(raw, path, ctx) } });
      return;
    }
    case 'wait': {
      if ((raw.duration === undefined) === (raw.until === undefined)) {
        ctx.problems.push(`${path} needs either duration or until`);
        return;
      }
      if (raw.duration !== undefined) {
        const d = parseDuration(raw.duration);
        if ('error' in d) ctx.problems.push(`${path}.duration ${d.error}`);
        else ctx.program.push({ op: 'wait', key, seconds: d.seconds });
      } else {
        const w = window(raw.until, `${path}.until`, ctx);
        if (w) ctx.program.push({ op: 'wait', key, window: w });
      }
      return;
    }
    case 'content_stream': {
      const name = text(raw, 'name', path, ctx, 200) ?? '';
      const from = sender(raw, path, ctx);
      const d = parseDuration(raw.interval);
      if ('error' in d) ctx.problems.push(`${path}.interval ${d.error}`);
      const contents = raw.contents;
      if (!Array.isArray(contents) || contents.length === 0) {
        ctx.problems.push(`${path}.contents must be a non-empty array (an empty stream sends nothing)`);
        return;
      }
      contents.forEach((c, i) => {
        const cp = `${path}.contents[${i}]`;
        if (!isObj(c)) {
          ctx.problems.push(`${cp} must be an object`);
          return;
        }
        if (i > 0 && 'seconds' in d) ctx.program.push({ op: 'wait', key: `${key}/${i}/wait`, seconds: d.seconds });
        const cname = text(c, 'name', cp, ctx, 200) ?? '';
        const subject = text(c, 'subject', cp, ctx, 998) ?? '';
        ctx.program.push({ op: 'send', key: `${key}/${i}`, email: { name: name && cname ? `${name} – ${cname}` : '', subject, ...from, ...body(c, cp, ctx) } });
      });
      return;
    }
    case 'branch': {
      if (raw.on !== 'opened' && raw.on !== 'clicked') ctx.problems.push(`${path}.on must be "opened" or "clicked"`);
      const branch: Instruction = { op: 'branch', key, on: raw.on === 'clicked' ? 'clicked' : 'opened', elseAt: -1 };
      ctx.branches.set(at, path);
      ctx.program.push(branch);
      steps(raw.then ?? [], `${path}.then`, ctx, true);
      const jump: Instruction = { op: 'jump', key: `${key}/end`, to: -1 };
      ctx.program.push(jump);
      branch.elseAt = ctx.program.length;
      steps(raw.else ?? [], `${path}.else`, ctx, true);
      jump.to = ctx.program.length;
      return;
    }
    case 'split': {
      const paths = raw.paths;
      if (!Array.isArray(paths) || paths.length < 2 || paths.length > 4) {
        ctx.problems.push(`${path}.paths must be 2 to 4 lists of steps`);
        return;
      }
      const split: Extract<Instruction, { op: 'split' }> = { op: 'split', key, at: [] };
      if (raw.winner !== undefined) {
        const w = raw.winner;
        const before = ctx.problems.length;
        if (!isObj(w)) ctx.problems.push(`${path}.winner must be an object {metric, afterHours}`);
        else {
          if (w.metric !== 'opens' && w.metric !== 'clicks') ctx.problems.push(`${path}.winner.metric must be "opens" or "clicks"`);
          if (typeof w.afterHours !== 'number' || !Number.isFinite(w.afterHours) || w.afterHours <= 0 || w.afterHours > MAX_SPLIT_HOURS)
            ctx.problems.push(`${path}.winner.afterHours must be a number of hours above 0 and at most ${MAX_SPLIT_HOURS}`);
          if (ctx.problems.length === before) split.winner = { metric: w.metric as WinnerMetric, afterHours: w.afterHours as number };
        }
      }
      ctx.program.push(split);
      const ends: Array<{ op: 'jump'; key: string; to: number }> = [];
      paths.forEach((p, i) => {
        split.at.push(ctx.program.length);
        steps(Array.isArray(p) ? p : [], `${path}.paths[${i}]`, ctx, true);
        if (!Array.isArray(p) || !p.length) ctx.problems.push(`${path}.paths[${i}] must list at least one step`);
        if (i < paths.length - 1) {
          const end = { op: 'jump' as const, key: `${key}/end${i}`, to: -1 };
          ends.push(end);
          ctx.program.push(end);
        }
      });
      for (const e of ends) e.to = ctx.program.length;
      if (raw.winner !== undefined && splitPathSends(ctx.program, at).some((k) => k === undefined))
        ctx.problems.push(`${path}: every path must send an email for a winner to be chosen on its results`);
      return;
    }
    case 'goto': {
      if (typeof raw.step !== 'string') ctx.problems.push(`${path}.step must name the id of a later step`);
      else ctx.gotos.push({ at, target: raw.step, path });
      ctx.program.push({ op: 'jump', key, to: -1 });
      return;
    }
    default:
      ctx.problems.push(`${path}.type must be one of send_email, wait, content_stream, branch, split, goto`);
      return;
  }
}

/** Validates and compiles; throws AutomationInvalid with every problem found. */
export function compileAutomation(input: unknown): CompiledAutomation {
  const ctx: Ctx = { problems: [], program: [], ids: new Map(), gotos: [], branches: new Map() };
  if (!isObj(input)) throw new AutomationInvalid(['the body must be a JSON object {name, targetListIds, steps}']);
  const name = text(input, 'name', 'automation', ctx, 150);
  const lists = input.targetListIds ?? [];
  if (!Array.isArray(lists) || lists.some((x) => typeof x !== 'string' || !ID.test(x))) ctx.problems.push('targetListIds must be an array of ids');
  for (const field of ['savedFilterIds', 'reportIds'] as const) {
    const ids = input[field];
    if (ids != null && (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string' || !ID.test(x)))) ctx.problems.push(`${field} must be an array of ids`);
  }
  steps(input.steps, 'steps', ctx, false);
  // A content stream adds a send (and a wait) per content, past the check made at each step.
  if (ctx.program.length > MAX_STEPS && !ctx.problems.some((p) => p.startsWith('too many'))) ctx.problems.push(`too many steps (at most ${MAX_STEPS})`);
  resolveGotos(ctx);
  const emailBefore = emailOnEveryPath(ctx.program);
  for (const [at, path] of ctx.branches) {
    if (!emailBefore[at]) ctx.problems.push(`${path} branches on the previous email, but not every path to it sends an email first`);
  }
  if (ctx.problems.length) throw new AutomationInvalid(ctx.problems);
  if (!ctx.program.some((i) => i.op === 'send')) throw new AutomationInvalid(['steps must send at least one email']);
  return { name: name!, targetListIds: [...new Set(lists as string[])], program: ctx.program };
}

function resolveGotos(ctx: Ctx) {
  const indexOfKey = new Map(ctx.program.map((ins, i) => [ins.key, i]));
  for (const g of ctx.gotos) {
    const to = indexOfKey.get(`#${g.target}`);
    if (to === undefined) {
      ctx.problems.push(`${g.path}.step "${g.target}" is not the id of any step`);
      continue;
    }
    if (to <= g.at) {
      ctx.problems.push(`${g.path} goes back to "${g.target}", which makes a cycle; a goto may only skip ahead`);
      continue;
    }
    (ctx.program[g.at] as { to: number }).to = to;
  }
}

/** Forward data flow (jumps only go forward): per instruction, was an email sent on every path into it? Unreachable: true. */
function emailOnEveryPath(program: Instruction[]): boolean[] {
  const state: Array<boolean | undefined> = new Array(program.length + 1);
  state[0] = false;
  const meet = (i: number, v: boolean) => {
    state[i] = state[i] === undefined ? v : state[i]! && v;
  };
  for (let i = 0; i < program.length; i++) {
    const v = state[i];
    if (v === undefined) continue;
    const ins = program[i];
    const out = v || ins.op === 'send';
    if (ins.op === 'jump') {
      if (ins.to >= 0) meet(ins.to, out);
      continue;
    }
    if (ins.op === 'branch') meet(ins.elseAt, out);
    if (ins.op === 'split') {
      for (const at of ins.at) meet(at, out);
      continue;
    }
    meet(i + 1, out);
  }
  return program.map((_, i) => state[i] ?? true);
}

/**
 * The first send step of each path of the split at `splitAt` (undefined for a path that sends nothing): the email
 * whose people's rate decides the split's winner.
 */
export function splitPathSends(program: Instruction[], splitAt: number): Array<string | undefined> {
  const split = program[splitAt];
  if (split?.op !== 'split') return [];
  // Every path but the last ends with a jump to the step after the split.
  const last = split.at.length - 1;
  const endJump = program[split.at[last] - 1];
  const end = endJump?.op === 'jump' && endJump.to >= 0 ? endJump.to : program.length;
  return split.at.map((from, i) => {
    const to = i < last ? split.at[i + 1] : end;
    for (let pc = from; pc < to; pc++) {
      const ins = program[pc];
      if (ins.op === 'send') return ins.key;
    }
    return undefined;
  });
}
