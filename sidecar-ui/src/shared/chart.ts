// Charts for LeadFWD's screens: uPlot (a small, maintained canvas chart library, MIT) draws; a data table of the same
// numbers is what screen readers read (the canvas is hidden from them). Colours come from Sugar's theme at run time —
// the colour Sugar gives its own label-* and btn-primary classes on this page, light or dark — never from a palette
// of ours. The second engineer's report page draws its timeline with the same timeChart.
import uPlot from 'uplot';
import { h } from './dom.js';
import { table } from './table.js';

/** Which of Sugar's theme colours a series takes. */
export type Tone = 'primary' | 'success' | 'info' | 'warning' | 'danger' | 'muted';
export interface TimeSeries {
  label: string;
  values: number[];
  tone: Tone;
}
export interface TimeChartSpec {
  /** Said before the chart and as the table's caption: what the chart shows. */
  title: string;
  /** Unix seconds, one per point. */
  times: number[];
  series: TimeSeries[];
  /** Header of the table's time column, and how a time is written there. */
  timeLabel: string;
  formatTime: (unixSeconds: number) => string;
  /** The axis's hours in this IANA zone (the user's Sugar time zone); the browser's when absent. */
  timeZone?: string;
  width?: number;
  height?: number;
}

const PROBE: Record<Tone, { cls: string; prop: 'color' | 'backgroundColor' }> = {
  primary: { cls: 'btn btn-primary', prop: 'backgroundColor' },
  success: { cls: 'label label-success', prop: 'color' },
  info: { cls: 'label label-info', prop: 'color' },
  warning: { cls: 'label label-warning', prop: 'color' },
  danger: { cls: 'label label-important', prop: 'color' },
  muted: { cls: 'help-block', prop: 'color' },
};

/** The colour Sugar's theme gives `tone` where `host` sits (read from a hidden element with Sugar's class). */
export function themeColor(host: Element, tone: Tone): string {
  const probe = h('span', { class: PROBE[tone].cls, 'aria-hidden': 'true', style: 'position:absolute;visibility:hidden;pointer-events:none' }, 'x');
  host.appendChild(probe);
  const c = getComputedStyle(probe)[PROBE[tone].prop];
  probe.remove();
  return c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent' ? c : getComputedStyle(host).color;
}

/** `color` (any CSS colour) at `alpha`, for grid lines. */
const faint = (color: string, alpha: number) => `color-mix(in srgb, ${color} ${Math.round(alpha * 100)}%, transparent)`;

const HOUR = 3600;

/**
 * Hourly points (ISO hours, as the report's timeline gives them) spread on a continuous axis with the empty hours as
 * zero: the last `maxHours` hours up to the latest point, and at least `minHours` so one busy hour still reads as a
 * moment in time. Returns the unix-second times and, for each series key, its values.
 */
export function hourly<P extends { hour: string }, K extends keyof P & string>(
  points: readonly P[],
  keys: K[],
  o: { minHours?: number; maxHours?: number } = {},
): { times: number[]; values: Record<K, number[]> } {
  const at = points.map((p) => Math.floor(Date.parse(p.hour) / 1000 / HOUR) * HOUR);
  const values = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  if (!at.length) return { times: [], values };
  const last = Math.max(...at);
  const first = Math.min(Math.max(Math.min(...at), last - ((o.maxHours ?? 48) - 1) * HOUR), last - ((o.minHours ?? 6) - 1) * HOUR);
  const times: number[] = [];
  for (let t = first; t <= last; t += HOUR) times.push(t);
  for (const k of keys) {
    const byHour = new Map<number, number>();
    points.forEach((p, i) => byHour.set(at[i], (byHour.get(at[i]) ?? 0) + (Number(p[k]) || 0)));
    values[k] = times.map((t) => byHour.get(t) ?? 0);
  }
  return { times, values };
}

export interface DrawnChart {
  el: HTMLElement;
  destroy(): void;
}

/**
 * A line chart over time, inside a <figure> whose caption is `title`, with the numbers as a table for screen readers.
 * Append `el` where it belongs first, then call draw (the colours are read from where it sits).
 */
export function timeChart(spec: TimeChartSpec): DrawnChart & { draw(): void } {
  const id = `lf-chart-${Math.random().toString(36).slice(2, 9)}`;
  const plot = h('div', { class: 'leadfwd-chart-plot', 'aria-hidden': 'true' });
  const legend = h('ul', { class: 'leadfwd-chart-legend', 'aria-hidden': 'true' });
  const numbers = table(
    'leadfwd-sr-only leadfwd-chart-table',
    h('caption', {}, spec.title),
    [spec.timeLabel, ...spec.series.map((s) => s.label)],
    // Only the times something happened: a screen reader does not need the empty hours the line draws as zero.
    spec.times.map((time, i) =>
      spec.series.some((s) => (s.values[i] ?? 0) > 0)
        ? h(
            'tr',
            {},
            h('th', { scope: 'row' }, spec.formatTime(time)),
            spec.series.map((s) => h('td', {}, String(s.values[i] ?? 0))),
          )
        : null,
    ),
  );
  const el = h('figure', { class: 'leadfwd-chart', 'aria-labelledby': id }, h('figcaption', { id, class: 'help-block' }, spec.title), plot, legend, numbers);
  let chart: uPlot | undefined;
  return {
    el,
    draw() {
      const text = getComputedStyle(el).color;
      const colors = spec.series.map((s) => themeColor(el, s.tone));
      legend.replaceChildren(...spec.series.map((s, i) => h('li', {}, h('span', { class: 'leadfwd-chart-key', style: `background:${colors[i]}` }), s.label)));
      const axis = {
        stroke: text,
        grid: { stroke: faint(text, 0.15), width: 1 },
        ticks: { stroke: faint(text, 0.3), width: 1 },
        font: '11px system-ui, sans-serif',
      };
      chart?.destroy();
      chart = new uPlot(
        {
          width: spec.width ?? Math.max(200, Math.min(520, el.clientWidth || 320)),
          height: spec.height ?? 120,
          legend: { show: false },
          cursor: { show: false },
          ...(spec.timeZone ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), spec.timeZone!) } : {}),
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          axes: [{ ...axis }, { ...axis, size: 36 }],
          series: [{}, ...spec.series.map((s, i) => ({ label: s.label, stroke: colors[i], width: 2, points: { show: spec.times.length < 3 } }))],
        },
        [spec.times, ...spec.series.map((s) => s.values)],
        plot,
      );
    },
    destroy() {
      chart?.destroy();
      chart = undefined;
    },
  };
}
