import { h, table } from './dom';

/**
 * A small stacked bar chart drawn as inline SVG (no library, nothing fetched, nothing inline-styled:
 * colours come from app.css classes). The SVG is an image whose aria-label states the figures; the
 * same figures are in a table beside it for anyone who would rather read them.
 */
export interface ChartSeries {
  key: string;
  label: string;
  /** A class of app.css: bar-success, bar-failed, bar-pending, bar-skipped. */
  cls: string;
}

export interface ChartPoint {
  label: string;
  values: Record<string, number>;
}

const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 160;
const PAD = { top: 16, bottom: 20, left: 4, right: 4 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export function barChart(opts: { title: string; summary: string; series: ChartSeries[]; points: ChartPoint[] }): HTMLElement {
  const { series, points } = opts;
  const totalOf = (p: ChartPoint) => series.reduce((n, s) => n + (p.values[s.key] ?? 0), 0);
  const max = Math.max(1, ...points.map(totalOf));
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / Math.max(points.length, 1);
  const image = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.summary, class: 'chart' });
  image.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'axis' }));
  points.forEach((p, i) => {
    let y = H - PAD.bottom;
    for (const s of series) {
      const v = p.values[s.key] ?? 0;
      if (v <= 0) continue;
      const bar = (v / max) * plotH;
      y -= bar;
      image.append(svg('rect', { x: PAD.left + i * step + step * 0.1, y, width: Math.max(step * 0.8, 0.5), height: bar, class: s.cls }));
    }
  });
  image.append(svg('text', { x: PAD.left, y: 11, class: 'chart-label' }, `max ${max}`));
  if (points.length) {
    image.append(svg('text', { x: PAD.left, y: H - 5, class: 'chart-label' }, points[0]!.label));
    image.append(svg('text', { x: W - PAD.right, y: H - 5, class: 'chart-label', 'text-anchor': 'end' }, points[points.length - 1]!.label));
  }
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' }, series.map((s) => h('li', {}, h('span', { class: `swatch ${s.cls}` }), s.label)));
  const rows = points.filter((p) => totalOf(p) > 0);
  return h('figure', { class: 'chart-box' },
    h('figcaption', {}, opts.title),
    image,
    legend,
    h('details', { class: 'chart-table' }, h('summary', {}, 'Show as a table'),
      rows.length
        ? table(['Time', ...series.map((s) => s.label)], rows.map((p) => [p.label, ...series.map((s) => String(p.values[s.key] ?? 0))]), opts.title)
        : h('p', {}, 'Nothing in this range.')));
}

/** "97.5 %", or "—" when there is nothing to rate. */
export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(Math.round(rate * 1000) / 10).toString()} %`);
