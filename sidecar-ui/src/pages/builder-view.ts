// The automation builder in the DOM: the name, the lists it enrols, and its steps as cards — emails, waits, content
// streams, gotos — with a branch drawn as two columns (then / else) holding steps of their own, and an A/B split as
// 2 to 4 path columns side by side. Every control has a label, every button says which step it acts on, each problem
// shows once at its field (Sugar's control-group error state) and goes as soon as the field changes. Typing changes the
// draft in place; adding, moving or removing a step draws the steps again and puts focus where the person was working.
import { renderSugarLists } from '../send/lists.js';
import { t } from '../shared/app.js';
import { h, replaceChildren } from '../shared/dom.js';
import type { TargetList } from '../shared/service-types.js';
import { when } from '../shared/status-date.js';
import { userTimeZone } from '../shared/time.js';
import {
  type Defaults,
  type Draft,
  type DraftProblem,
  type EmailFields,
  find,
  flatten,
  idsOf,
  newStep,
  pathLetter,
  SPLIT_MAX,
  SPLIT_MIN,
  STEP_KINDS,
  type Step,
  type StepKind,
  UNITS,
  WEEKDAYS,
} from './builder-model.js';

/** A step's figures from the automation's view (only steps the saved automation has). */
export interface StepFigures {
  waiting: number;
  passed?: number;
  sent?: number;
  opened?: number;
  clicked?: number;
}

/** A split's decision from the automation's view: each path's people's rate, the winner or why there is none yet. */
export interface SplitFigures {
  metric: 'opens' | 'clicks';
  auto: boolean;
  decideAt: string | null;
  winner: number | null;
  decidedBy: string | null;
  undecidedReason: string | null;
  rates: number[];
}

export interface BuilderEnv {
  cid: string;
  draft: Draft;
  defaults: Defaults;
  editable: boolean;
  lists: TargetList[];
  /** Lists Sugar no longer has (a save was refused naming them). */
  goneLists: Set<string>;
  /** Figures by step id, and for a stream's contents by "id/index". */
  figures: Map<string, StepFigures>;
  /** Split decisions by step id (only splits the saved automation has). */
  splits?: Map<string, SplitFigures>;
  /** A person chooses a saved split's winning path (offered while it has none). */
  chooseWinner?: (splitId: string, path: number) => void;
  /** The draft changed (a field typed or chosen): keep it. */
  changed(): void;
  save(): void;
}

const KIND_LABEL: Record<StepKind, string> = {
  send_email: 'LBL_LEADFWD_STEP_KIND_EMAIL',
  wait: 'LBL_LEADFWD_STEP_KIND_WAIT',
  content_stream: 'LBL_LEADFWD_STEP_KIND_STREAM',
  branch: 'LBL_LEADFWD_STEP_KIND_BRANCH',
  split: 'LBL_LEADFWD_STEP_KIND_SPLIT',
  goto: 'LBL_LEADFWD_STEP_KIND_GOTO',
};
const UNIT_LABEL: Record<string, string> = {
  seconds: 'LBL_LEADFWD_UNIT_SECONDS',
  minutes: 'LBL_LEADFWD_UNIT_MINUTES',
  hours: 'LBL_LEADFWD_UNIT_HOURS',
  days: 'LBL_LEADFWD_UNIT_DAYS',
  weeks: 'LBL_LEADFWD_UNIT_WEEKS',
};
/** A length of one ("1 day", not "1 days"). */
const ONE_UNIT_LABEL: Record<string, string> = {
  seconds: 'LBL_LEADFWD_UNIT_ONE_SECOND',
  minutes: 'LBL_LEADFWD_UNIT_ONE_MINUTE',
  hours: 'LBL_LEADFWD_UNIT_ONE_HOUR',
  days: 'LBL_LEADFWD_UNIT_ONE_DAY',
  weeks: 'LBL_LEADFWD_UNIT_ONE_WEEK',
};
const DAY_LABEL: Record<string, string> = {
  mon: 'LBL_LEADFWD_DAY_MON',
  tue: 'LBL_LEADFWD_DAY_TUE',
  wed: 'LBL_LEADFWD_DAY_WED',
  thu: 'LBL_LEADFWD_DAY_THU',
  fri: 'LBL_LEADFWD_DAY_FRI',
  sat: 'LBL_LEADFWD_DAY_SAT',
  sun: 'LBL_LEADFWD_DAY_SUN',
};

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
export const controlId = (cid: string, step: string, field: string) => `${cid}-b-${slug(step || 'automation')}-${slug(field)}`;
const errorId = (cid: string, step: string, field: string) => `${controlId(cid, step, field)}-error`;

/** A step as a person calls it: its position and what it does ("2. Email: Welcome"). */
export function stepTitle(s: Step, position: number): string {
  const kind = t(KIND_LABEL[s.kind]);
  const detail =
    s.kind === 'send_email' || s.kind === 'content_stream'
      ? s.name.trim()
      : s.kind === 'wait'
        ? s.mode === 'until'
          ? t('LBL_LEADFWD_WAIT_WINDOW_SHORT', { from: s.from, to: s.to })
          : s.amount
            ? `${s.amount} ${t((Number(s.amount) === 1 ? ONE_UNIT_LABEL : UNIT_LABEL)[s.unit])}`
            : ''
        : s.kind === 'branch'
          ? t(s.on === 'clicked' ? 'LBL_LEADFWD_BRANCH_IF_CLICKED' : 'LBL_LEADFWD_BRANCH_IF_OPENED')
          : s.kind === 'split'
            ? t('LBL_LEADFWD_SPLIT_N_PATHS', { n: s.paths.length })
            : '';
  return `${position}. ${kind}${detail ? `: ${detail}` : ''}`;
}

export function createBuilder(env: BuilderEnv) {
  const { cid } = env;
  const form = h('form', { class: 'leadfwd-builder', novalidate: true, 'aria-labelledby': `${cid}-builder-title` });
  const flowList = h('div', { class: 'leadfwd-steps-root' });
  const flowError = h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, '', 'steps') });
  const listsUl = h('ul', { class: 'leadfwd-checklist leadfwd-enrol-lists' });
  let positions = new Map<string, number>();

  const disabled = !env.editable;
  const persist = () => env.changed();

  /** A labelled control with its error line; the control changes the draft through `set`. */
  function control<E extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
    step: string,
    field: string,
    label: string,
    el: E,
    o: { hint?: string; cls?: string } = {},
  ): HTMLElement {
    el.id = controlId(cid, step, field);
    el.setAttribute('name', field);
    el.setAttribute('data-field', field);
    if (disabled) el.disabled = true;
    const hintId = o.hint ? `${el.id}-hint` : '';
    el.setAttribute('aria-describedby', [hintId, errorId(cid, step, field)].filter(Boolean).join(' '));
    return h(
      'div',
      { class: `control-group ${o.cls ?? ''}`, 'data-step': step, 'data-field': field },
      h('label', { class: 'control-label', for: el.id }, label),
      el,
      o.hint ? h('p', { class: 'help-block', id: hintId }, o.hint) : null,
      h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, step, field) }),
    );
  }

  const text = (value: string, set: (v: string) => void, type = 'text') =>
    h('input', {
      type,
      value,
      autocomplete: 'off',
      oninput: (e: Event) => {
        set((e.target as HTMLInputElement).value);
        persist();
      },
    });

  /** The control for step field `field` as text, shown from and written back to `s[field]`. */
  function textControl<F extends string>(s: { id: string } & Record<F, string>, field: F, label: string, type?: string) {
    const values: Record<F, string> = s;
    return control(
      s.id,
      field,
      label,
      text(values[field], (v) => (values[field] = v), type),
    );
  }

  function select<V extends string>(value: V, options: Array<[V, string]>, set: (v: V) => void, redraw = false) {
    return h(
      'select',
      {
        onchange: (e: Event) => {
          set((e.target as HTMLSelectElement).value as V);
          persist();
          if (redraw) drawSteps((e.target as HTMLElement).id);
        },
      },
      options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
    );
  }

  /** A select offering every value of `V`, in the order given, each under its label (a value left out does not compile). */
  function choice<V extends string>(value: V, labels: Record<V, string>, set: (v: V) => void, redraw = false) {
    return select(
      value,
      (Object.keys(labels) as V[]).map((v): [V, string] => [v, t(labels[v])]),
      set,
      redraw,
    );
  }

  function emailFields(step: string, prefix: string, e: EmailFields, named: boolean): HTMLElement[] {
    const formatName = `${cid}-${slug(step)}-${slug(prefix)}format`;
    const radio = (f: 'html' | 'mjml', label: string) => {
      const id = `${formatName}-${f}`;
      return h(
        'span',
        { class: 'leadfwd-choice' },
        h('input', {
          type: 'radio',
          id,
          name: formatName,
          value: f,
          checked: e.format === f,
          disabled,
          onchange: () => {
            e.format = f;
            persist();
          },
        }),
        h('label', { for: id }, label),
      );
    };
    const content = h('textarea', {
      rows: 6,
      oninput: (ev: Event) => {
        e.content = (ev.target as HTMLTextAreaElement).value;
        persist();
      },
    });
    content.value = e.content;
    return [
      named
        ? control(
            step,
            `${prefix}name`,
            t('LBL_LEADFWD_STEP_NAME'),
            text(e.name, (v) => (e.name = v)),
            { hint: t('LBL_LEADFWD_STEP_NAME_HINT') },
          )
        : null,
      control(
        step,
        `${prefix}subject`,
        t('LBL_LEADFWD_SUBJECT'),
        text(e.subject, (v) => (e.subject = v)),
      ),
      h(
        'fieldset',
        { class: 'leadfwd-format', 'data-step': step, 'data-field': `${prefix}format` },
        h('legend', {}, t('LBL_LEADFWD_FORMAT')),
        radio('html', t('LBL_LEADFWD_FORMAT_HTML')),
        radio('mjml', t('LBL_LEADFWD_FORMAT_MJML')),
      ),
      control(step, `${prefix}content`, t('LBL_LEADFWD_CONTENT'), content, { hint: t('LBL_LEADFWD_CONTENT_HINT'), cls: 'leadfwd-content-group' }),
    ].filter((x): x is HTMLElement => !!x);
  }

  function senderFields(s: { id: string; fromName: string; fromEmail: string; replyTo: string }): HTMLElement {
    return h(
      'div',
      { class: 'leadfwd-sender-row' },
      textControl(s, 'fromName', t('LBL_LEADFWD_FROM_NAME')),
      textControl(s, 'fromEmail', t('LBL_LEADFWD_FROM_EMAIL'), 'email'),
      textControl(s, 'replyTo', t('LBL_LEADFWD_REPLY_TO'), 'email'),
    );
  }

  function lengthFields(s: { id: string; amount: string; unit: (typeof UNITS)[number] }, label: string): HTMLElement {
    return h(
      'div',
      { class: 'leadfwd-length-row' },
      textControl(s, 'amount', label, 'number'),
      control(
        s.id,
        'unit',
        t('LBL_LEADFWD_UNIT'),
        select(
          s.unit,
          UNITS.map((u) => [u, t(UNIT_LABEL[u])]),
          (v) => (s.unit = v),
        ),
      ),
    );
  }

  function figuresOf(key: string): HTMLElement {
    return h('p', { class: 'help-block leadfwd-node-figures', 'data-figures-for': key });
  }

  function paintFigures(): void {
    form.querySelectorAll<HTMLElement>('[data-split-for]').forEach((el) => {
      const f = env.splits?.get(el.dataset.splitFor!);
      el.hidden = !f;
      if (!f) return replaceChildren(el);
      const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;
      const verdict =
        f.winner !== null
          ? t(f.decidedBy === 'auto' ? 'LBL_LEADFWD_SPLIT_WINNER_AUTO' : 'LBL_LEADFWD_SPLIT_WINNER_BY', { path: pathLetter(f.winner), by: f.decidedBy ?? '' })
          : f.undecidedReason
            ? t('LBL_LEADFWD_SPLIT_UNDECIDED', { reason: f.undecidedReason })
            : f.auto && f.decideAt
              ? t('LBL_LEADFWD_SPLIT_DECIDES_AT', { time: when(f.decideAt, userTimeZone()) })
              : f.auto
                ? t('LBL_LEADFWD_SPLIT_DECIDES_AFTER_FIRST')
                : '';
      replaceChildren(
        el,
        verdict ? h('strong', { class: 'leadfwd-split-verdict' }, verdict) : null,
        h(
          'span',
          { class: 'leadfwd-split-rates' },
          f.rates.map(
            (r, k) =>
              `${k ? ' · ' : ' '}${t(f.metric === 'opens' ? 'LBL_LEADFWD_SPLIT_RATE_OPENS' : 'LBL_LEADFWD_SPLIT_RATE_CLICKS', { path: pathLetter(k), rate: pct(r) })}`,
          ),
        ),
        f.winner === null && env.editable && env.chooseWinner
          ? h(
              'span',
              { class: 'leadfwd-split-choose' },
              f.rates.map((_, k) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small leadfwd-split-choose-path',
                    'aria-describedby': controlId(cid, el.dataset.splitFor!, 'title'),
                    onclick: () => env.chooseWinner?.(el.dataset.splitFor!, k),
                  },
                  t('LBL_LEADFWD_SPLIT_CHOOSE', { path: pathLetter(k) }),
                ),
              ),
            )
          : null,
      );
    });
    form.querySelectorAll<HTMLElement>('[data-figures-for]').forEach((el) => {
      const f = env.figures.get(el.dataset.figuresFor!);
      if (!f) {
        replaceChildren(el);
        el.hidden = true;
        return;
      }
      el.hidden = false;
      const items: Array<[string, string, number | undefined]> = [
        ['waiting', 'LBL_LEADFWD_STEPFIG_WAITING', f.waiting],
        ['passed', 'LBL_LEADFWD_STEPFIG_PASSED', f.passed],
        ['sent', 'LBL_LEADFWD_STEPFIG_SENT', f.sent],
        ['opened', 'LBL_LEADFWD_STEPFIG_OPENED', f.opened],
        ['clicked', 'LBL_LEADFWD_STEPFIG_CLICKED', f.clicked],
      ];
      replaceChildren(
        el,
        h('span', { class: 'leadfwd-sr-only' }, t('LBL_LEADFWD_STEP_FIGURES')),
        items
          .filter(([, , v]) => v !== undefined)
          .flatMap(([key, label, v], i) => [i ? ' · ' : '', h('span', { class: `leadfwd-stepfig leadfwd-stepfig-${key}` }, t(label, { n: v! }))]),
      );
    });
  }

  /** Moves, removes and the step's own title; the buttons name the step they act on. */
  function head(s: Step, list: Step[], index: number): HTMLElement {
    const title = stepTitle(s, positions.get(s.id) ?? index + 1);
    const act = (label: string, named: string, cls: string, run: () => void, off = false) =>
      h('button', { type: 'button', class: `btn btn-small ${cls}`, 'aria-label': t(named, { step: title }), disabled: off, onclick: run }, t(label));
    return h(
      'div',
      { class: 'leadfwd-node-head' },
      h('h3', { class: 'leadfwd-node-title', id: `${controlId(cid, s.id, 'title')}` }, title),
      env.editable
        ? h(
            'div',
            { class: 'leadfwd-node-actions' },
            act('LBL_LEADFWD_MOVE_UP', 'LBL_LEADFWD_MOVE_UP_NAMED', 'leadfwd-move-up', () => move(s.id, -1), index === 0),
            act('LBL_LEADFWD_MOVE_DOWN', 'LBL_LEADFWD_MOVE_DOWN_NAMED', 'leadfwd-move-down', () => move(s.id, 1), index === list.length - 1),
            act('LBL_LEADFWD_REMOVE_STEP', 'LBL_LEADFWD_REMOVE_STEP_NAMED', 'leadfwd-remove', () => remove(s.id)),
          )
        : null,
    );
  }

  function node(s: Step, list: Step[], index: number): HTMLLIElement {
    const li = h(
      'li',
      { class: `leadfwd-node leadfwd-node-${s.kind}`, 'data-step-id': s.id, 'aria-labelledby': controlId(cid, s.id, 'title') },
      head(s, list, index),
      h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, 'node') }),
    );
    switch (s.kind) {
      case 'send_email':
        li.append(figuresOf(s.id), ...emailFields(s.id, '', s, true), senderFields(s));
        break;
      case 'wait': {
        const mode = choice(s.mode, { duration: 'LBL_LEADFWD_WAIT_FOR', until: 'LBL_LEADFWD_WAIT_UNTIL' }, (v) => (s.mode = v), true);
        li.append(figuresOf(s.id), control(s.id, 'mode', t('LBL_LEADFWD_WAIT_MODE'), mode));
        if (s.mode === 'duration') li.append(lengthFields(s, t('LBL_LEADFWD_WAIT_LENGTH')));
        else {
          const days = h(
            'fieldset',
            { class: 'leadfwd-weekdays', 'data-step': s.id, 'data-field': 'weekdays' },
            h('legend', {}, t('LBL_LEADFWD_WAIT_DAYS')),
            WEEKDAYS.map((d) => {
              const id = `${controlId(cid, s.id, 'weekdays')}-${d}`;
              return h(
                'span',
                { class: 'leadfwd-choice' },
                h('input', {
                  type: 'checkbox',
                  id,
                  value: d,
                  checked: s.weekdays.includes(d),
                  disabled,
                  onchange: (e: Event) => {
                    s.weekdays = (e.target as HTMLInputElement).checked ? [...s.weekdays, d] : s.weekdays.filter((x) => x !== d);
                    persist();
                  },
                }),
                h('label', { for: id }, t(DAY_LABEL[d])),
              );
            }),
            h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, 'weekdays') }),
          );
          li.append(
            days,
            h(
              'div',
              { class: 'leadfwd-length-row', 'data-step': s.id, 'data-field': 'window' },
              textControl(s, 'from', t('LBL_LEADFWD_WAIT_FROM'), 'time'),
              textControl(s, 'to', t('LBL_LEADFWD_WAIT_TO'), 'time'),
              textControl(s, 'timeZone', t('LBL_LEADFWD_WAIT_ZONE')),
            ),
            h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, 'window') }),
          );
        }
        break;
      }
      case 'content_stream': {
        li.append(
          textControl(s, 'name', t('LBL_LEADFWD_STREAM_NAME')),
          senderFields(s),
          lengthFields(s, t('LBL_LEADFWD_STREAM_INTERVAL')),
          h(
            'ol',
            { class: 'leadfwd-stream-contents', 'aria-label': t('LBL_LEADFWD_STREAM_CONTENTS') },
            s.contents.map((c, k) =>
              h(
                'li',
                { class: 'leadfwd-stream-content', 'data-content': k },
                h('h4', {}, t('LBL_LEADFWD_STREAM_CONTENT_N', { n: k + 1 })),
                figuresOf(`${s.id}/${k}`),
                ...emailFields(s.id, `contents.${k}.`, c, true),
                env.editable && s.contents.length > 1
                  ? h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn btn-small leadfwd-remove-content',
                        onclick: () => {
                          s.contents.splice(k, 1);
                          persist();
                          drawSteps(controlId(cid, s.id, 'add-content'));
                        },
                      },
                      t('LBL_LEADFWD_STREAM_REMOVE_CONTENT', { n: k + 1 }),
                    )
                  : null,
              ),
            ),
          ),
          h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, 'contents') }),
        );
        if (env.editable)
          li.append(
            h(
              'button',
              {
                type: 'button',
                id: controlId(cid, s.id, 'add-content'),
                class: 'btn btn-small leadfwd-add-content',
                onclick: () => {
                  s.contents.push({ name: '', subject: '', format: 'html', content: '' });
                  persist();
                  drawSteps(controlId(cid, s.id, `contents.${s.contents.length - 1}.name`));
                },
              },
              t('LBL_LEADFWD_STREAM_ADD_CONTENT'),
            ),
          );
        break;
      }
      case 'branch': {
        const on = choice(s.on, { opened: 'LBL_LEADFWD_BRANCH_OPENED', clicked: 'LBL_LEADFWD_BRANCH_CLICKED' }, (v) => (s.on = v), true);
        const side = (which: 'then' | 'else') =>
          h(
            'section',
            { class: `leadfwd-branch-side leadfwd-branch-${which}`, 'aria-labelledby': controlId(cid, s.id, `${which}-title`) },
            h(
              'h4',
              { id: controlId(cid, s.id, `${which}-title`) },
              t(which === 'then' ? 'LBL_LEADFWD_BRANCH_THEN' : 'LBL_LEADFWD_BRANCH_ELSE', {
                what: t(s.on === 'clicked' ? 'LBL_LEADFWD_BRANCH_CLICKED' : 'LBL_LEADFWD_BRANCH_OPENED'),
              }),
            ),
            stepList(s[which], `${s.id}-${which}`),
          );
        li.append(
          control(s.id, 'on', t('LBL_LEADFWD_BRANCH_ON'), on, { hint: t('LBL_LEADFWD_BRANCH_HINT') }),
          h('div', { class: 'leadfwd-branch', role: 'group', 'aria-label': t('LBL_LEADFWD_BRANCH_PATHS') }, side('then'), side('else')),
        );
        break;
      }
      case 'split': {
        const path = (list: Step[], k: number) => {
          const titleId = controlId(cid, s.id, `paths.${k}-title`);
          const steps = flatten(list).length;
          return h(
            'section',
            { class: 'leadfwd-branch-side leadfwd-split-path', 'data-path': k, 'aria-labelledby': titleId },
            h('h4', { id: titleId }, t('LBL_LEADFWD_SPLIT_PATH', { path: pathLetter(k) })),
            h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, `paths.${k}`) }),
            stepList(list, `${s.id}-path${k}`),
            env.editable && s.paths.length > SPLIT_MIN
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small leadfwd-remove-path',
                    onclick: () => {
                      s.paths.splice(k, 1);
                      persist();
                      drawSteps(controlId(cid, s.id, s.paths.length < SPLIT_MAX ? 'add-path' : 'title'));
                    },
                  },
                  t(steps > 1 ? 'LBL_LEADFWD_SPLIT_REMOVE_PATH_STEPS' : steps ? 'LBL_LEADFWD_SPLIT_REMOVE_PATH_STEP' : 'LBL_LEADFWD_SPLIT_REMOVE_PATH', {
                    path: pathLetter(k),
                    n: steps,
                  }),
                )
              : null,
          );
        };
        const auto = h('input', {
          type: 'checkbox',
          checked: s.winnerAuto,
          onchange: (e: Event) => {
            s.winnerAuto = (e.target as HTMLInputElement).checked;
            persist();
            drawSteps((e.target as HTMLElement).id);
          },
        });
        li.append(
          h('p', { class: 'help-block', id: controlId(cid, s.id, 'hint') }, t('LBL_LEADFWD_SPLIT_HINT')),
          h('p', { class: 'help-block leadfwd-split-decision', 'data-split-for': s.id, role: 'status' }),
          control(s.id, 'winnerAuto', t('LBL_LEADFWD_SPLIT_AUTO'), auto, { hint: t('LBL_LEADFWD_SPLIT_AUTO_HINT'), cls: 'leadfwd-split-auto' }),
          ...(s.winnerAuto
            ? [
                h(
                  'div',
                  { class: 'leadfwd-length-row leadfwd-split-rule' },
                  textControl(s, 'winnerHours', t('LBL_LEADFWD_SPLIT_AFTER_HOURS'), 'number'),
                  control(
                    s.id,
                    'winnerMetric',
                    t('LBL_LEADFWD_SPLIT_METRIC'),
                    choice(s.winnerMetric, { clicks: 'LBL_LEADFWD_SPLIT_METRIC_CLICKS', opens: 'LBL_LEADFWD_SPLIT_METRIC_OPENS' }, (v) => (s.winnerMetric = v)),
                  ),
                ),
              ]
            : []),
          h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, s.id, 'paths') }),
          h(
            'div',
            { class: 'leadfwd-branch leadfwd-split', 'data-paths': s.paths.length, role: 'group', 'aria-label': t('LBL_LEADFWD_SPLIT_PATHS') },
            s.paths.map(path),
          ),
        );
        if (env.editable && s.paths.length < SPLIT_MAX)
          li.append(
            h(
              'button',
              {
                type: 'button',
                id: controlId(cid, s.id, 'add-path'),
                class: 'btn btn-small leadfwd-add-path',
                onclick: () => {
                  s.paths.push([]);
                  persist();
                  drawSteps(controlId(cid, s.id, `paths.${s.paths.length - 1}-title`));
                },
              },
              t('LBL_LEADFWD_SPLIT_ADD_PATH'),
            ),
          );
        break;
      }
      case 'goto': {
        const flat = flatten(env.draft.steps);
        const at = flat.findIndex((x) => x.step.id === s.id);
        const later = flat.slice(at + 1).filter((x) => x.step.kind !== 'goto');
        const options: Array<[string, string]> = [
          ['', t('LBL_LEADFWD_GOTO_CHOOSE')],
          ...later.map((x): [string, string] => [x.step.id, stepTitle(x.step, positions.get(x.step.id) ?? 0)]),
        ];
        if (s.step && !later.some((x) => x.step.id === s.step)) options.push([s.step, t('LBL_LEADFWD_GOTO_GONE', { id: s.step })]);
        li.append(
          control(
            s.id,
            'step',
            t('LBL_LEADFWD_GOTO_TARGET'),
            select(s.step, options, (v) => (s.step = v)),
            { hint: t('LBL_LEADFWD_GOTO_HINT') },
          ),
        );
        break;
      }
    }
    return li;
  }

  /** A list of steps and, when editable, the row that adds one at its end. */
  function stepList(list: Step[], key: string): HTMLElement {
    const ol = h(
      'ol',
      { class: 'leadfwd-steps' },
      list.map((s, i) => node(s, list, i)),
    );
    if (!list.length) ol.appendChild(h('li', { class: 'help-block leadfwd-no-steps' }, t('LBL_LEADFWD_NO_STEPS_HERE')));
    if (!env.editable) return ol;
    const kindId = `${cid}-add-${slug(key)}`;
    const kind = h(
      'select',
      { id: kindId },
      STEP_KINDS.map((k) => h('option', { value: k }, t(KIND_LABEL[k]))),
    );
    return h(
      'div',
      { class: 'leadfwd-step-list' },
      ol,
      h(
        'div',
        { class: 'leadfwd-add-step' },
        h('label', { for: kindId, class: 'leadfwd-add-label' }, t('LBL_LEADFWD_ADD_STEP_KIND')),
        kind,
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-small leadfwd-add-step-button',
            'data-list': key,
            onclick: () => {
              const s = newStep(kind.value as StepKind, idsOf(env.draft.steps), env.defaults);
              list.push(s);
              persist();
              drawSteps(
                s.kind === 'branch'
                  ? controlId(cid, s.id, 'on')
                  : s.kind === 'goto'
                    ? controlId(cid, s.id, 'step')
                    : s.kind === 'split'
                      ? controlId(cid, s.id, 'title')
                      : firstField(s),
              );
            },
          },
          t('LBL_LEADFWD_ADD_STEP'),
        ),
      ),
    );
  }

  const firstField = (s: Step) =>
    controlId(cid, s.id, s.kind === 'wait' ? 'mode' : s.kind === 'content_stream' ? 'name' : s.kind === 'send_email' ? 'name' : 'on');

  function move(id: string, by: -1 | 1) {
    const p = find(env.draft.steps, id);
    if (!p) return;
    const to = p.index + by;
    if (to < 0 || to >= p.list.length) return;
    const [s] = p.list.splice(p.index, 1);
    p.list.splice(to, 0, s);
    persist();
    drawSteps(`${controlId(cid, id, 'title')}`, by < 0 ? '.leadfwd-move-up' : '.leadfwd-move-down');
  }

  function remove(id: string) {
    const p = find(env.draft.steps, id);
    if (!p) return;
    p.list.splice(p.index, 1);
    persist();
    // Focus goes to the step that took its place, else to the add row of that list.
    const next = p.list[p.index] ?? p.list[p.index - 1];
    drawSteps(next ? controlId(cid, next.id, 'title') : undefined);
  }

  /** Draws the steps again; focus goes to `focusId` (or a button of that step's card), else stays where it was. */
  function drawSteps(focusId?: string, buttonSel?: string) {
    positions = new Map(flatten(env.draft.steps).map((x, i) => [x.step.id, i + 1]));
    replaceChildren(flowList, stepList(env.draft.steps, 'root'));
    paintFigures();
    if (!focusId) return;
    const el = form.querySelector<HTMLElement>(`#${CSS.escape(focusId)}`);
    const target = buttonSel ? (el?.closest('.leadfwd-node')?.querySelector<HTMLElement>(`:scope > .leadfwd-node-head ${buttonSel}`) ?? el) : el;
    if (target && !(target as HTMLButtonElement).disabled) target.focus();
    else if (el) {
      el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }

  function paintLists(): void {
    const selected = new Set(env.draft.targetListIds);
    const names = (id: string) => env.lists.find((l) => l.id === id)?.name ?? id;
    renderSugarLists(listsUl, cid, env.lists, selected, env.goneLists, names);
    listsUl.querySelectorAll<HTMLInputElement>('input[name="targetList"]').forEach((box) => {
      box.disabled = disabled;
      box.setAttribute('aria-describedby', errorId(cid, '', 'lists'));
      box.addEventListener('change', () => {
        env.draft.targetListIds = Array.from(listsUl.querySelectorAll<HTMLInputElement>('input[name="targetList"]:checked')).map((b) => b.value);
        persist();
      });
    });
  }

  const name = text(env.draft.name, (v) => (env.draft.name = v));
  form.append(
    h('h2', { class: 'leadfwd-section-title', id: `${cid}-builder-title` }, t('LBL_LEADFWD_BUILDER')),
    control('', 'name', t('LBL_LEADFWD_AUTOMATION_NAME'), name),
    h(
      'fieldset',
      { class: 'leadfwd-fieldset', 'data-step': '', 'data-field': 'lists' },
      h('legend', {}, t('LBL_LEADFWD_ENROL_LISTS')),
      h('p', { class: 'help-block' }, t('LBL_LEADFWD_ENROL_LISTS_HINT')),
      listsUl,
      h('div', { class: 'leadfwd-field-error error-message', id: errorId(cid, '', 'lists') }),
    ),
    h(
      'section',
      { class: 'leadfwd-flow', 'aria-labelledby': `${cid}-steps-title` },
      h('h2', { class: 'leadfwd-section-title', id: `${cid}-steps-title` }, t('LBL_LEADFWD_STEPS_TITLE')),
      flowError,
      flowList,
    ),
  );
  if (env.editable)
    form.append(
      h('div', { class: 'leadfwd-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary leadfwd-save' }, t('LBL_LEADFWD_SAVE_AUTOMATION'))),
    );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    env.save();
  });
  // A problem goes as soon as its field changes.
  form.addEventListener('input', (e) => clearAt(e.target as HTMLElement));
  form.addEventListener('change', (e) => clearAt(e.target as HTMLElement));

  function clearAt(el: HTMLElement) {
    const group = el.closest<HTMLElement>('[data-step][data-field]');
    if (!group) return;
    const step = group.dataset.step ?? '';
    const field = group.dataset.field ?? '';
    clearProblem(step, field === 'from' || field === 'to' ? 'window' : field);
    if (el.closest('.leadfwd-fieldset[data-field="lists"]')) clearProblem('', 'lists');
    clearProblem(step, 'node');
  }

  function clearProblem(step: string, field: string) {
    const slot = form.querySelector(`#${CSS.escape(errorId(cid, step, field))}`);
    if (slot) replaceChildren(slot);
    form
      .querySelectorAll(`.control-group.error[data-step="${CSS.escape(step)}"][data-field="${CSS.escape(field)}"]`)
      .forEach((g) => g.classList.remove('error'));
    form.querySelector(`#${CSS.escape(controlId(cid, step, field))}`)?.removeAttribute('aria-invalid');
  }

  function clearProblems() {
    form.querySelectorAll('.leadfwd-field-error').forEach((s) => replaceChildren(s));
    form.querySelectorAll('.control-group.error').forEach((g) => g.classList.remove('error'));
    form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  }

  /** Each problem once, at its field (or its step, or the steps, when no field of it is on screen); focus on the first. */
  function showProblems(problems: DraftProblem[], details: string[] = []): void {
    clearProblems();
    let first: HTMLElement | undefined;
    const shown = new Set<string>();
    for (const p of problems) {
      let slotId = errorId(cid, p.step, p.field);
      let slot = form.querySelector(`#${CSS.escape(slotId)}`);
      if (!slot) {
        slotId = p.step ? errorId(cid, p.step, 'node') : errorId(cid, '', 'steps');
        slot = form.querySelector(`#${CSS.escape(slotId)}`);
      }
      const text = p.text ?? t(p.label, p.vars);
      if (!slot || shown.has(`${slotId}\n${text}`)) continue;
      shown.add(`${slotId}\n${text}`);
      slot.appendChild(h('div', {}, text));
      const control = form.querySelector<HTMLElement>(`#${CSS.escape(controlId(cid, p.step, p.field))}`);
      control?.closest('.control-group')?.classList.add('error');
      control?.setAttribute('aria-invalid', 'true');
      first ??= control ?? (p.field === 'lists' ? (listsUl.querySelector<HTMLElement>('input') ?? undefined) : undefined) ?? (slot as HTMLElement);
    }
    if (details.length) {
      const slot = problems[0] ? form.querySelector(`#${CSS.escape(errorId(cid, problems[0].step, problems[0].field))}`) : null;
      slot?.appendChild(
        h(
          'ul',
          { class: 'leadfwd-details' },
          details.map((d) => h('li', {}, d)),
        ),
      );
    }
    if (first) {
      if (!first.matches('input, select, textarea, button')) first.setAttribute('tabindex', '-1');
      first.scrollIntoView?.({ block: 'center' });
      first.focus();
    }
  }

  drawSteps();
  paintLists();

  return {
    form,
    redraw: () => drawSteps(),
    paintLists,
    paintFigures,
    showProblems,
    clearProblems,
    /** Every control enabled or not (while a request runs). */
    setBusy(busy: boolean) {
      form.setAttribute('aria-busy', String(busy));
      const save = form.querySelector<HTMLButtonElement>('.leadfwd-save');
      if (save) save.disabled = busy;
    },
  };
}

export type Builder = ReturnType<typeof createBuilder>;
