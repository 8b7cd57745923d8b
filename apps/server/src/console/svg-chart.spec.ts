import { lines, niceTop, stackedBars } from './svg-chart';

const series = [
  { key: 'a', label: 'delivered', color: '#146c3f' },
  { key: 'b', label: 'failed', color: '#b42318' },
];

describe('svg-chart', () => {
  it('is an image labelled by its title and description, with every text escaped', () => {
    const svg = stackedBars({ id: 'v', title: 'Attempts <b>', summary: '3 & more', series, buckets: [{ label: '<x>', values: { a: 1, b: 2 } }] }).toString();
    expect(svg).toMatch(/^<svg class="chart" role="img" aria-labelledby="v-title v-desc"/);
    expect(svg).toContain('<title id="v-title">Attempts &lt;b&gt;</title><desc id="v-desc">3 &amp; more</desc>');
    expect(svg).toContain('>&lt;x&gt;</text>');
    expect(svg).not.toMatch(/<script|<b>|<x>/);
  });

  it('stacks each bucket’s values to its total, on an axis rounded up', () => {
    const svg = stackedBars({ id: 'v', title: 't', summary: 's', series, buckets: [{ label: '1', values: { a: 1, b: 2 } }, { label: '2', values: { a: 0, b: 0 } }] }).toString();
    const heights = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g)].map((m) => Number(m[1]));
    // 1 + 2 of an axis to 5: 142 px of plot height → 28.4 and 56.8; the empty bucket draws nothing;
    // then the legend's two 10 px keys.
    expect(heights).toEqual([28.4, 56.8, 10, 10]);
    expect(niceTop(3)).toBe(5);
    expect(niceTop(0)).toBe(1);
    expect(niceTop(120)).toBe(200);
  });

  it('leaves a gap in a line where a bucket has no value', () => {
    const svg = lines({ id: 'l', title: 't', summary: 's', series: [series[0]], buckets: [{ label: '1', values: { a: 10 } }, { label: '2', values: { a: null } }, { label: '3', values: { a: 20 } }] }).toString();
    const d = svg.match(/<path d="([^"]+)"/)![1];
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d).not.toContain('L');
  });
});
