import Handlebars from 'handlebars';

/** One series of a chart: the key of its values in each bucket, its name in the legend, its colour. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/** One bar (or point) of a chart: its label on the axis and a value per series (null: nothing to plot). */
export interface ChartBucket {
  label: string;
  values: Record<string, number | null>;
}

export interface ChartSpec {
  /** Unique on the page: the `<title>` is `${id}-title`, which the `<svg>` is labelled by. */
  id: string;
  title: string;
  /** A sentence for people who do not see the picture; the page also shows the numbers as a table. */
  summary: string;
  series: ChartSeries[];
  buckets: ChartBucket[];
}

const WIDTH = 520;
const HEIGHT = 190;
const PAD = { left: 46, right: 8, top: 10, bottom: 38 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

const esc = (text: string) => Handlebars.escapeExpression(text);
const fixed = (n: number) => (Math.round(n * 10) / 10).toString();

/**
 * Server-rendered inline SVG charts for the console's delivery page (docs/api.md › Console ›
 * Delivery page): the console's pages carry no chart script, so a chart is markup like the rest.
 * Each is `role="img"` labelled by its `<title>`, with a `<desc>` saying what it shows; the page
 * puts the same numbers in a table beside it.
 */
export function stackedBars(spec: ChartSpec): Handlebars.SafeString {
  const totals = spec.buckets.map((b) => spec.series.reduce((sum, s) => sum + (b.values[s.key] ?? 0), 0));
  const top = niceTop(Math.max(0, ...totals));
  const slot = PLOT_W / Math.max(1, spec.buckets.length);
  const bars = spec.buckets.map((b, i) => {
    let y = PAD.top + PLOT_H;
    return spec.series
      .map((s) => {
        const v = b.values[s.key] ?? 0;
        if (!v) return '';
        const h = (v / top) * PLOT_H;
        y -= h;
        return `<rect x="${fixed(PAD.left + i * slot + slot * 0.15)}" y="${fixed(y)}" width="${fixed(slot * 0.7)}" height="${fixed(h)}" fill="${s.color}"></rect>`;
      })
      .join('');
  });
  return frame(spec, top, bars.join(''));
}

/** Lines over the buckets, one per series; a bucket with no value leaves a gap in its line. */
export function lines(spec: ChartSpec): Handlebars.SafeString {
  const values = spec.buckets.flatMap((b) => spec.series.map((s) => b.values[s.key] ?? 0));
  const top = niceTop(Math.max(0, ...values));
  const slot = PLOT_W / Math.max(1, spec.buckets.length);
  const paths = spec.series.map((s) => {
    const points = spec.buckets.map((b, i) => {
      const v = b.values[s.key];
      return v === null || v === undefined ? null : [PAD.left + i * slot + slot / 2, PAD.top + PLOT_H - (v / top) * PLOT_H];
    });
    let d = '';
    points.forEach((p, i) => {
      if (p) d += `${points[i - 1] ? 'L' : 'M'}${fixed(p[0])} ${fixed(p[1])}`;
    });
    const dots = points.map((p) => (p ? `<circle cx="${fixed(p[0])}" cy="${fixed(p[1])}" r="2.5" fill="${s.color}"></circle>` : '')).join('');
    return `${d ? `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"></path>` : ''}${dots}`;
  });
  return frame(spec, top, paths.join(''));
}

/** Axes, grid, labels and legend around a chart's marks. */
function frame(spec: ChartSpec, top: number, marks: string): Handlebars.SafeString {
  const slot = PLOT_W / Math.max(1, spec.buckets.length);
  // The middle line's label only where it is a whole number (no "2.5 attempts").
  const grid = (Number.isInteger(top / 2) ? [0, 0.5, 1] : [0, 1])
    .map((f) => {
      const y = PAD.top + PLOT_H - f * PLOT_H;
      return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fixed(y)}" y2="${fixed(y)}" stroke="#dde2ea"></line><text x="${PAD.left - 5}" y="${fixed(y + 4)}" text-anchor="end">${esc(axisNumber(top * f))}</text>`;
    })
    .join('');
  // Every label when they fit, else every second or third, always the last.
  const every = Math.ceil(spec.buckets.length / 12);
  const labels = spec.buckets
    .map((b, i) => ((spec.buckets.length - 1 - i) % every === 0 ? `<text x="${fixed(PAD.left + i * slot + slot / 2)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle">${esc(b.label)}</text>` : ''))
    .join('');
  let x = PAD.left;
  const legend = spec.series
    .map((s) => {
      const item = `<rect x="${x}" y="${HEIGHT - 14}" width="10" height="10" fill="${s.color}"></rect><text x="${x + 14}" y="${HEIGHT - 5}">${esc(s.label)}</text>`;
      x += 24 + s.label.length * 6.5;
      return item;
    })
    .join('');
  return new Handlebars.SafeString(
    `<svg class="chart" role="img" aria-labelledby="${esc(spec.id)}-title ${esc(spec.id)}-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-size="10" fill="#1d2433">` +
      `<title id="${esc(spec.id)}-title">${esc(spec.title)}</title><desc id="${esc(spec.id)}-desc">${esc(spec.summary)}</desc>` +
      `${grid}${marks}${labels}${legend}</svg>`,
  );
}

/** The axis top: the maximum rounded up to 1, 2 or 5 times a power of ten (1 when everything is 0). */
export function niceTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((t) => t >= max)!;
}

function axisNumber(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : Number.isInteger(n) ? String(n) : n.toFixed(1);
}
