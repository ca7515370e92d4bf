// A small bar chart of a campaign's results as inline SVG (no chart library, no .svg file in the package).
import { svg } from './dom.js';

export interface Bar { label: string; value: number; color: string }

export function barChart(bars: Bar[], title: string): SVGElement {
  const width = 260;
  const row = 18;
  const labelWidth = 92;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const chart = svg('svg', { class: 'leadfwd-chart', width, height: bars.length * row + 4, viewBox: `0 0 ${width} ${bars.length * row + 4}`, role: 'img', 'aria-label': title });
  chart.appendChild(svg('title', {}, title));
  bars.forEach((b, i) => {
    const y = i * row + 2;
    const w = Math.round(((width - labelWidth - 40) * b.value) / max);
    chart.appendChild(svg('text', { x: 0, y: y + 12, 'font-size': 11, fill: '#3e4c59' }, b.label));
    chart.appendChild(svg('rect', { x: labelWidth, y: y + 2, width: Math.max(w, b.value > 0 ? 2 : 0), height: row - 6, fill: b.color, rx: 2 }));
    chart.appendChild(svg('text', { x: labelWidth + w + 4, y: y + 12, 'font-size': 11, fill: '#1f2933' }, String(b.value)));
  });
  return chart;
}
