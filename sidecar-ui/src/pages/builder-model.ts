// The automation builder's model, without DOM or Sugar: an automation as people edit it (steps with plain fields,
// waits as an amount and a unit, branches holding their own step lists), read from the definition the service keeps
// and written back to it. Every step carries an id, kept through edits and given to new steps, because the service
// keys progress by step id: a target never gets a step twice, whatever moved. Problems are found here first (each at
// its field, as a label to translate); the service's own are placed by the step they name.
import { looksLikeMjml } from '../send/merge.js';

export type Format = 'html' | 'mjml';
export type Unit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks';
export const UNITS: readonly Unit[] = ['minutes', 'hours', 'days', 'weeks', 'seconds'];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type StepKind = 'send_email' | 'wait' | 'content_stream' | 'branch' | 'split' | 'goto';
export const STEP_KINDS: readonly StepKind[] = ['send_email', 'wait', 'content_stream', 'branch', 'split', 'goto'];
/** A split has 2 to 4 paths, as the service takes (service/src/domain/automation.ts). */
export const SPLIT_MIN = 2;
export const SPLIT_MAX = 4;
/** The longest a split may test before its winner is chosen, in hours (as the service takes). */
export const SPLIT_MAX_HOURS = 720;

export interface EmailFields {
  name: string;
  subject: string;
  format: Format;
  content: string;
}
export interface EmailStep extends EmailFields {
  kind: 'send_email';
  id: string;
  fromName: string;
  fromEmail: string;
  replyTo: string;
}
export interface WaitStep {
  kind: 'wait';
  id: string;
  mode: 'duration' | 'until';
  amount: string;
  unit: Unit;
  weekdays: string[];
  from: string;
  to: string;
  timeZone: string;
}
export interface StreamStep {
  kind: 'content_stream';
  id: string;
  name: string;
  fromName: string;
  fromEmail: string;
  replyTo: string;
  amount: string;
  unit: Unit;
  contents: EmailFields[];
}
export interface BranchStep {
  kind: 'branch';
  id: string;
  on: 'opened' | 'clicked';
  then: Step[];
  else: Step[];
}
/** An A/B split: each target takes one of the paths, an even hash split of its address (kept through edits). */
export interface SplitStep {
  kind: 'split';
  id: string;
  paths: Step[][];
  /** Choose the winner automatically after `winnerHours` on people's opens or clicks (the rest then get it). */
  winnerAuto: boolean;
  winnerMetric: 'opens' | 'clicks';
  winnerHours: string;
}
export interface GotoStep {
  kind: 'goto';
  id: string;
  step: string;
}
export type Step = EmailStep | WaitStep | StreamStep | BranchStep | SplitStep | GotoStep;

/** The step lists a step holds: a branch's then and else, a split's paths; none for the others. */
export function innerLists(s: Step): Step[][] {
  if (s.kind === 'branch') return [s.then, s.else];
  if (s.kind === 'split') return s.paths;
  return [];
}

export interface Draft {
  name: string;
  targetListIds: string[];
  steps: Step[];
}

/** Where a new email's sender comes from: the user's own name and address, as in the send flow. */
export interface Defaults {
  fromName: string;
  fromEmail: string;
  timeZone: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const ID = /^[A-Za-z0-9_-]{1,64}$/;

const SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 };

/** An ISO 8601 duration as an amount of its largest whole unit ("P2D" → 2 days, "PT90M" → 90 minutes). */
export function durationToAmount(iso: unknown): { amount: string; unit: Unit } {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(str(iso));
  if (!m) return { amount: '', unit: 'days' };
  const [w, d, h, mi, s] = m.slice(1).map((x) => (x ? Number(x) : 0));
  const total = w * 604_800 + d * 86_400 + h * 3600 + mi * 60 + s;
  for (const unit of ['weeks', 'days', 'hours', 'minutes'] as const) {
    if (total > 0 && total % SECONDS[unit] === 0) return { amount: String(total / SECONDS[unit]), unit };
  }
  return { amount: String(total), unit: 'seconds' };
}

export function amountToDuration(amount: string, unit: Unit): string {
  const n = Number(amount);
  if (unit === 'weeks') return `P${n}W`;
  if (unit === 'days') return `P${n}D`;
  if (unit === 'hours') return `PT${n}H`;
  if (unit === 'minutes') return `PT${n}M`;
  return `PT${n}S`;
}

/** Ids the draft uses, at any depth. */
export function idsOf(steps: Step[], out: Set<string> = new Set()): Set<string> {
  for (const s of steps) {
    out.add(s.id);
    for (const inner of innerLists(s)) idsOf(inner, out);
  }
  return out;
}

/** A fresh id ("s1", "s2", …) not used in `taken`. */
export function freshId(taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const id = `s${n}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

function emailFields(o: Obj): EmailFields {
  const mjml = str(o.mjml);
  return { name: str(o.name), subject: str(o.subject), format: mjml ? 'mjml' : 'html', content: mjml || str(o.html) };
}

/** The draft of a stored definition; steps without an id (created through the API) get one. */
export function fromDefinition(def: unknown, defaults: Defaults): Draft {
  const d = isObj(def) ? def : {};
  const taken = new Set<string>();
  // Ids first, so a generated one never takes an id a later step already has.
  const collect = (list: unknown) => {
    for (const raw of Array.isArray(list) ? list : []) {
      if (!isObj(raw)) continue;
      if (typeof raw.id === 'string' && ID.test(raw.id)) taken.add(raw.id);
      collect(raw.then);
      collect(raw.else);
      if (Array.isArray(raw.paths)) for (const p of raw.paths) collect(p);
    }
  };
  collect(d.steps);
  const idOf = (raw: Obj) => (typeof raw.id === 'string' && ID.test(raw.id) ? raw.id : freshId(taken));
  const steps = (list: unknown): Step[] =>
    (Array.isArray(list) ? list : []).filter(isObj).map((raw): Step => {
      const id = idOf(raw);
      switch (raw.type) {
        case 'wait': {
          const until = isObj(raw.until) ? raw.until : undefined;
          return {
            kind: 'wait',
            id,
            mode: until ? 'until' : 'duration',
            ...durationToAmount(raw.duration),
            weekdays: Array.isArray(until?.weekdays) ? (until.weekdays as unknown[]).map(String) : ['mon', 'tue', 'wed', 'thu', 'fri'],
            from: str(until?.from) || '09:00',
            to: str(until?.to) || '17:00',
            timeZone: str(until?.timeZone) || defaults.timeZone,
          };
        }
        case 'content_stream':
          return {
            kind: 'content_stream',
            id,
            name: str(raw.name),
            fromName: str(raw.fromName),
            fromEmail: str(raw.fromEmail),
            replyTo: str(raw.replyTo),
            ...durationToAmount(raw.interval),
            contents: (Array.isArray(raw.contents) ? raw.contents : []).filter(isObj).map(emailFields),
          };
        case 'branch':
          return { kind: 'branch', id, on: raw.on === 'clicked' ? 'clicked' : 'opened', then: steps(raw.then), else: steps(raw.else) };
        case 'split': {
          const w = isObj(raw.winner) ? raw.winner : undefined;
          return {
            kind: 'split',
            id,
            paths: (Array.isArray(raw.paths) ? raw.paths : []).map((p) => steps(p)),
            winnerAuto: !!w,
            winnerMetric: w?.metric === 'opens' ? 'opens' : 'clicks',
            winnerHours: typeof w?.afterHours === 'number' ? String(w.afterHours) : '24',
          };
        }
        case 'goto':
          return { kind: 'goto', id, step: str(raw.step) };
        default:
          return { kind: 'send_email', id, ...emailFields(raw), fromName: str(raw.fromName), fromEmail: str(raw.fromEmail), replyTo: str(raw.replyTo) };
      }
    });
  return {
    name: str(d.name),
    targetListIds: Array.isArray(d.targetListIds) ? d.targetListIds.filter((x): x is string => typeof x === 'string') : [],
    steps: steps(d.steps),
  };
}

const body = (e: EmailFields) => (e.format === 'mjml' ? { mjml: e.content } : { html: e.content });
const sender = (s: { fromName: string; fromEmail: string; replyTo: string }) => ({
  fromName: s.fromName.trim(),
  fromEmail: s.fromEmail.trim(),
  ...(s.replyTo.trim() ? { replyTo: s.replyTo.trim() } : {}),
});

/** The body POST and PUT /automations take. */
export function toDefinition(d: Draft): { name: string; targetListIds: string[]; steps: unknown[] } {
  const steps = (list: Step[]): unknown[] =>
    list.map((s) => {
      switch (s.kind) {
        case 'send_email':
          return { id: s.id, type: 'send_email', name: s.name.trim(), subject: s.subject, ...sender(s), ...body(s) };
        case 'wait':
          return s.mode === 'until'
            ? { id: s.id, type: 'wait', until: { weekdays: s.weekdays, from: s.from, to: s.to, timeZone: s.timeZone } }
            : { id: s.id, type: 'wait', duration: amountToDuration(s.amount, s.unit) };
        case 'content_stream':
          return {
            id: s.id,
            type: 'content_stream',
            name: s.name.trim(),
            interval: amountToDuration(s.amount, s.unit),
            ...sender(s),
            contents: s.contents.map((c) => ({ name: c.name.trim(), subject: c.subject, ...body(c) })),
          };
        case 'branch':
          return { id: s.id, type: 'branch', on: s.on, then: steps(s.then), else: steps(s.else) };
        case 'split':
          return {
            id: s.id,
            type: 'split',
            paths: s.paths.map(steps),
            ...(s.winnerAuto ? { winner: { metric: s.winnerMetric, afterHours: Number(s.winnerHours) } } : {}),
          };
        case 'goto':
          return { id: s.id, type: 'goto', step: s.step };
      }
    });
  return { name: d.name.trim(), targetListIds: d.targetListIds, steps: steps(d.steps) };
}

const STARTER = '<p>Hello {{ first_name | default: "there" }},</p>\n<p></p>';

export function newStep(kind: StepKind, taken: Set<string>, defaults: Defaults): Step {
  const id = freshId(taken);
  switch (kind) {
    case 'wait':
      return {
        kind,
        id,
        mode: 'duration',
        amount: '2',
        unit: 'days',
        weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
        from: '09:00',
        to: '17:00',
        timeZone: defaults.timeZone,
      };
    case 'content_stream':
      return {
        kind,
        id,
        name: '',
        fromName: defaults.fromName,
        fromEmail: defaults.fromEmail,
        replyTo: '',
        amount: '3',
        unit: 'days',
        contents: [{ name: '', subject: '', format: 'html', content: STARTER }],
      };
    case 'branch':
      return { kind, id, on: 'opened', then: [], else: [] };
    case 'split':
      return { kind, id, paths: [[], []], winnerAuto: false, winnerMetric: 'clicks', winnerHours: '24' };
    case 'goto':
      return { kind, id, step: '' };
    default:
      return {
        kind: 'send_email',
        id,
        name: '',
        subject: '',
        format: 'html',
        content: STARTER,
        fromName: defaults.fromName,
        fromEmail: defaults.fromEmail,
        replyTo: '',
      };
  }
}

/** Where a step sits: the list holding it and its index there. */
export interface Place {
  list: Step[];
  index: number;
}

export function find(steps: Step[], id: string): Place | undefined {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (s.id === id) return { list: steps, index: i };
    for (const list of innerLists(s)) {
      const inner = find(list, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The steps in the order the service runs them (a branch's then-steps, then its else-steps; a split's paths in order), each with its path. */
export function flatten(steps: Step[], path = 'steps'): Array<{ step: Step; path: string }> {
  return steps.flatMap((s, i) => {
    const p = `${path}[${i}]`;
    const inner =
      s.kind === 'branch'
        ? [...flatten(s.then, `${p}.then`), ...flatten(s.else, `${p}.else`)]
        : s.kind === 'split'
          ? s.paths.flatMap((list, k) => flatten(list, `${p}.paths[${k}]`))
          : [];
    return [{ step: s, path: p }, ...inner];
  });
}

/** A problem at a field: `step` is a step's id ('' for the automation itself), `field` the control it is about. */
export interface DraftProblem {
  step: string;
  field: string;
  label: string;
  vars?: Record<string, string | number>;
  /** Text already written (the service's own words), shown instead of the label. */
  text?: string;
}

/** A split's path as people call it: A, B, C, D. */
export const pathLetter = (k: number) => String.fromCharCode(65 + k);

const ADDRESS = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
}

/** The problems the builder can tell before asking the service, each at its field. */
export function validateDraft(d: Draft): DraftProblem[] {
  const out: DraftProblem[] = [];
  const at = (step: string, field: string, label: string, vars?: DraftProblem['vars']) => out.push({ step, field, label, ...(vars ? { vars } : {}) });
  if (!d.name.trim()) at('', 'name', 'LBL_LEADFWD_ERR_AUTOMATION_NAME');
  if (d.name.length > 150) at('', 'name', 'LBL_LEADFWD_ERR_TOO_LONG', { max: 150 });
  const flat = flatten(d.steps);
  if (!flat.some(({ step }) => step.kind === 'send_email' || step.kind === 'content_stream')) at('', 'steps', 'LBL_LEADFWD_ERR_NO_EMAIL_STEP');
  const email = (id: string, prefix: string, e: EmailFields, named = true) => {
    if (named && !e.name.trim()) at(id, `${prefix}name`, 'LBL_LEADFWD_ERR_STEP_NAME');
    if (!e.subject.trim()) at(id, `${prefix}subject`, 'LBL_LEADFWD_ERR_SUBJECT_REQUIRED');
    if (!e.content.trim()) at(id, `${prefix}content`, 'LBL_LEADFWD_ERR_CONTENT_REQUIRED');
    else if (e.format === 'html' && looksLikeMjml(e.content)) at(id, `${prefix}content`, 'LBL_LEADFWD_ERR_MJML_AS_HTML');
    else if (e.format === 'mjml' && !looksLikeMjml(e.content)) at(id, `${prefix}content`, 'LBL_LEADFWD_ERR_HTML_AS_MJML');
  };
  const from = (id: string, s: { fromName: string; fromEmail: string; replyTo: string }) => {
    if (!s.fromName.trim()) at(id, 'fromName', 'LBL_LEADFWD_ERR_FROM_NAME_REQUIRED');
    if (!s.fromEmail.trim()) at(id, 'fromEmail', 'LBL_LEADFWD_ERR_FROM_EMAIL_REQUIRED');
    else if (!ADDRESS.test(s.fromEmail.trim())) at(id, 'fromEmail', 'LBL_LEADFWD_ERR_BAD_ADDRESS', { address: s.fromEmail.trim() });
    if (s.replyTo.trim() && !ADDRESS.test(s.replyTo.trim())) at(id, 'replyTo', 'LBL_LEADFWD_ERR_BAD_ADDRESS', { address: s.replyTo.trim() });
  };
  const length = (id: string, amount: string, unit: Unit) => {
    const n = Number(amount);
    const seconds = n * SECONDS[unit];
    if (!/^\d+$/.test(amount.trim()) || seconds < 30 || seconds > 90 * 86_400) at(id, 'amount', 'LBL_LEADFWD_ERR_WAIT_LENGTH');
  };
  flat.forEach(({ step: s }, i) => {
    if (s.kind === 'send_email') {
      email(s.id, '', s);
      from(s.id, s);
    } else if (s.kind === 'content_stream') {
      if (!s.name.trim()) at(s.id, 'name', 'LBL_LEADFWD_ERR_STEP_NAME');
      from(s.id, s);
      length(s.id, s.amount, s.unit);
      if (!s.contents.length) at(s.id, 'contents', 'LBL_LEADFWD_ERR_STREAM_EMPTY');
      s.contents.forEach((c, k) => email(s.id, `contents.${k}.`, c));
    } else if (s.kind === 'wait') {
      if (s.mode === 'duration') length(s.id, s.amount, s.unit);
      else {
        if (!s.weekdays.length) at(s.id, 'weekdays', 'LBL_LEADFWD_ERR_WEEKDAYS');
        if (!HHMM.test(s.from) || !HHMM.test(s.to) || s.from >= s.to) at(s.id, 'window', 'LBL_LEADFWD_ERR_WINDOW');
        if (!validZone(s.timeZone)) at(s.id, 'timeZone', 'LBL_LEADFWD_ERR_TIME_ZONE');
      }
    } else if (s.kind === 'branch') {
      const before = flat.slice(0, i).some(({ step }) => step.kind === 'send_email' || step.kind === 'content_stream');
      if (!before) at(s.id, 'on', 'LBL_LEADFWD_ERR_BRANCH_FIRST');
    } else if (s.kind === 'split') {
      if (s.paths.length < SPLIT_MIN || s.paths.length > SPLIT_MAX) at(s.id, 'paths', 'LBL_LEADFWD_ERR_SPLIT_PATHS');
      s.paths.forEach((list, k) => {
        if (!list.length) at(s.id, `paths.${k}`, 'LBL_LEADFWD_ERR_SPLIT_PATH_EMPTY', { path: pathLetter(k) });
      });
      const hours = Number(s.winnerHours);
      if (s.winnerAuto && (!s.winnerHours.trim() || !Number.isFinite(hours) || hours <= 0 || hours > SPLIT_MAX_HOURS))
        at(s.id, 'winnerHours', 'LBL_LEADFWD_ERR_SPLIT_HOURS', { max: SPLIT_MAX_HOURS });
    } else if (s.kind === 'goto') {
      const target = flat.findIndex(({ step }) => step.id === s.step);
      if (target <= i) at(s.id, 'step', 'LBL_LEADFWD_ERR_GOTO');
    }
  });
  return out;
}

/**
 * The service's problems (details.problems of a 422 invalid_automation) placed at the step and field they name:
 * "steps[2].then[0].subject is required" is the subject of that step. Those it cannot place belong to the automation.
 */
export function placeServiceProblems(d: Draft, problems: string[]): DraftProblem[] {
  const paths = flatten(d.steps).sort((a, b) => b.path.length - a.path.length);
  return problems.map((text) => {
    for (const { step, path } of paths) {
      if (!text.startsWith(path)) continue;
      const rest = text.slice(path.length);
      if (!/^([.: ]|$)/.test(rest)) continue;
      const content = /^\.contents\[(\d+)\]\.(\w+)/.exec(rest);
      const splitPath = /^\.paths\[(\d+)\](?:[ :]|$)/.exec(rest);
      const field = content
        ? `contents.${content[1]}.${content[2] === 'mjml' || content[2] === 'html' ? 'content' : content[2]}`
        : splitPath
          ? `paths.${splitPath[1]}`
          : (/^\.(\w+)/.exec(rest)?.[1] ?? '');
      const named =
        field === 'duration' || field === 'interval'
          ? 'amount'
          : field === 'until'
            ? 'window'
            : field === 'mjml' || field === 'html'
              ? 'content'
              : field === 'winner'
                ? 'winnerHours'
                : field;
      return { step: step.id, field: named, label: '', text };
    }
    const top = /^automation\.name/.test(text) ? 'name' : /^targetListIds/.test(text) ? 'lists' : 'steps';
    return { step: '', field: top, label: '', text };
  });
}

/** A step key of the service's view ("#s2", "#s3/1", "#s3/1/wait") as the step id and stream content it is about. */
export function stepOfKey(key: string): { id: string; content?: number } | undefined {
  const m = /^#([A-Za-z0-9_-]{1,64})(?:\/(\d+))?/.exec(key);
  if (!m) return undefined;
  return m[2] === undefined ? { id: m[1] } : { id: m[1], content: Number(m[2]) };
}
