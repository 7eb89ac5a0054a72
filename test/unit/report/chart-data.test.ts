import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { alignSeries, buildChartData } from '../../../src/report/chart-data.ts';
import { pairFaults } from '../../../src/measurements/index.ts';
import { buildSummary, renderHtml } from '../../../src/report/index.ts';
import { scriptJson } from '../../../src/report/html.ts';
import { START_MS, syntheticRunMeta, syntheticSamples, withReadiness } from './synthetic-run.ts';

const seconds = (ts: number) => ts / 1000;

describe('alignSeries', () => {
  it('puts series on one x array with nulls where a series has no point', () => {
    const aligned = alignSeries(
      new Map([
        ['b', [{ ts: 2000, value: 5 }]],
        [
          'a',
          [
            { ts: 1000, value: 1 },
            { ts: 2400, value: 2 },
          ],
        ],
      ]),
      seconds,
    );
    expect(aligned.x).toEqual([1, 2]);
    expect(aligned.series).toEqual([
      { label: 'a', values: [1, 2] },
      { label: 'b', values: [null, 5] },
    ]);
  });
  it('downsamples long series to the point budget keeping each bucket’s peak', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ ts: i * 1000, value: i === 4321 ? 1e9 : i % 7 }));
    const aligned = alignSeries(new Map([['m', points]]), seconds, 500);
    expect(aligned.x.length).toBeLessThanOrEqual(500);
    expect(Math.max(...(aligned.series[0]!.values as number[]))).toBe(1e9);
  });
});

describe('buildChartData', () => {
  it('places time at seconds since the origin and keeps open faults up to the end of the data', () => {
    const samples: Sample[] = [
      { ts: START_MS + 10_000, kind: 'controller', name: 'rss_bytes', value: 1, labels: { controller: 'source-controller' } },
      { ts: START_MS + 20_000, kind: 'fault', name: 'start', labels: { fault: 'outage', target: 'github' } },
      { ts: START_MS + 50_000, kind: 'controller', name: 'rss_bytes', value: 2, labels: { controller: 'source-controller' } },
    ];
    const data = buildChartData(samples, pairFaults(samples), START_MS);
    expect(data.charts.find((c) => c.id === 'memory')!.x).toEqual([10, 50]);
    expect(data.faults).toEqual([{ label: 'outage (github)', start: 20, end: 50 }]);
    expect(data.charts.find((c) => c.id === 'cpu')!.x).toEqual([]);
  });
  it('counts 403 and 429 per interval side by side', () => {
    const data = buildChartData(syntheticSamples(), [], START_MS);
    const errors = data.charts.find((c) => c.id === 'github-errors')!;
    const sum = (label: string) => errors.series.find((s) => s.label === label)!.values.reduce<number>((a, v) => a + (v ?? 0), 0);
    const summary = buildSummary(syntheticSamples(), syntheticRunMeta());
    expect(sum('403')).toBe(summary.github.status403);
    expect(sum('429')).toBe(summary.github.status429);
  });
});

describe('renderHtml', () => {
  it('is self-contained: uPlot inlined, no external URLs, data JSON cannot close its script tag', () => {
    const html = renderHtml(buildSummary(syntheticSamples(), syntheticRunMeta()), syntheticSamples());
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/\s(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(scriptJson({ a: '</script><b>' })).toBe('{"a":"\\u003c/script>\\u003cb>"}');
    expect(JSON.parse(scriptJson({ a: '</script>' }))).toEqual({ a: '</script>' });
  });
});

describe('alignSeries pick', () => {
  it('keeps the dip of each bucket when asked (quota left, objects Ready)', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ ts: i * 1000, value: i === 777 ? 0 : 5000 }));
    const aligned = alignSeries(new Map([['token', points]]), (ts) => ts / 1000, 100, 'min');
    expect(aligned.series[0]!.values).toContain(0);
    expect(aligned.series[0]!.values.filter((v) => v === 0)).toHaveLength(1);
  });
});

describe('the time-to-Ready chart', () => {
  it('counts each object once, at its first Ready, per kind and overall, from 0 at the apply', () => {
    const data = buildChartData(withReadiness(syntheticSamples()), [], START_MS);
    const chart = data.charts.find((c) => c.id === 'time-to-ready')!;
    expect(chart.note).toMatch(/^the apply at \+0s/);
    expect(chart.series.map((s) => s.label)).toEqual(['all', 'GitRepository', 'Kustomization']);
    const last = (label: string) => chart.series.find((s) => s.label === label)!.values.filter((v) => v !== null).at(-1);
    const first = (label: string) => chart.series.find((s) => s.label === label)!.values[0];
    expect([first('all'), first('Kustomization')]).toEqual([0, 0]);
    expect([last('all'), last('GitRepository'), last('Kustomization')]).toEqual([15, 3, 12]);
    expect(chart.x[0]).toBe(0);
    expect(chart.x.at(-1)).toBe(30);
  });
  it('is left out of a run without readiness samples', () => {
    expect(buildChartData(syntheticSamples(), [], START_MS).charts.map((c) => c.id)).not.toContain('time-to-ready');
  });
});
