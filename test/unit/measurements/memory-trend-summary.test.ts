/**
 * `memory.<controller>.slope` from a run's sample stream to what users see: the analysis in
 * summary.json, the summary metric, thresholds written in bytes, and the report section.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSamples, findMetric, flatMetrics, formatMetricValue, limitUnitProblem, parseMetricValue } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, judgeThresholds, renderHtml, renderMarkdown } from '../../../src/report/index.ts';
import { thresholdExpressionSchema } from '../../../src/scenario/expression-schemas.ts';
import { syntheticRunMeta } from '../report/synthetic-run.ts';

const MiB = 2 ** 20;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');

interface RunShape {
  /** Measure phase length, ms. */
  measureMs: number;
  /** MiB per minute during the measure phase, per instance label set. */
  growth: { labels: Record<string, string>; mibPerMinute: number; name?: string }[];
}

/**
 * A run: settle for 3 minutes (memory climbing 30 MiB a minute while the workload loads), the
 * measure phase, then the verdict, with a memory sample every 5 s throughout, 3 ms after each tick
 * (so the measure phase holds the samples from its start to 5 s before its end).
 */
function run({ measureMs, growth }: RunShape): Sample[] {
  const settleStart = T0 - 3 * MINUTE;
  const verdict = T0 + measureMs;
  const out: Sample[] = [
    { ts: settleStart, kind: 'phase', name: 'settle' },
    { ts: T0, kind: 'phase', name: 'measure' },
    { ts: verdict, kind: 'phase', name: 'verdict' },
  ];
  for (let ts = settleStart; ts <= verdict + MINUTE; ts += 5_000) {
    for (const g of growth) {
      const settled = 100 * MiB + 90 * MiB;
      const value = ts < T0 ? 100 * MiB + ((ts - settleStart) / MINUTE) * 30 * MiB : settled + ((Math.min(ts, verdict) - T0) / MINUTE) * g.mibPerMinute * MiB;
      out.push({ ts: ts + 3, kind: 'controller', name: g.name ?? 'rss_bytes', value, labels: g.labels });
    }
  }
  return out;
}

describe('memory.<controller>.slope', () => {
  it('is in the catalogue in bytes per minute', () => {
    expect(findMetric('memory.kustomize-controller.slope')).toEqual([
      expect.objectContaining({ pattern: 'memory.<controller>.slope', unit: 'bytes_per_minute', aggregation: 'slope', measurement: 'controllers' }),
    ]);
    expect(formatMetricValue('memory.kustomize-controller.slope', 1.5 * MiB)).toBe('1.5Mi');
  });

  it('is the measure phase’s slope per controller, in the analysis and the summary metrics', () => {
    const samples = run({
      measureMs: 10 * MINUTE,
      growth: [
        { labels: { controller: 'kustomize-controller' }, mibPerMinute: 2 },
        { labels: { controller: 'source-controller' }, mibPerMinute: 0 },
        // No /proc (kind): the controller's own gauge stands in, as for memory.<controller>.max.
        { labels: { controller: 'helm-controller' }, mibPerMinute: 0.5, name: 'resident_memory_bytes' },
      ],
    });
    const analysis = analyzeSamples(samples);
    const kustomize = analysis.controllers.find((c) => c.instance === 'kustomize-controller')!;
    expect(kustomize.memoryTrend).toMatchObject({ count: 120, spanSeconds: 595 });
    expect(kustomize.memoryTrend!.bytesPerMinute / MiB).toBeCloseTo(2, 6);
    const metrics = flatMetrics(analysis);
    expect(metrics['memory.kustomize-controller.slope']! / MiB).toBeCloseTo(2, 6);
    expect(metrics['memory.source-controller.slope']).toBeCloseTo(0, 3);
    expect(metrics['memory.helm-controller.slope']! / MiB).toBeCloseTo(0.5, 6);
  });

  it('is absent when the measure phase lasted under a minute', () => {
    const metrics = flatMetrics(analyzeSamples(run({ measureMs: 45_000, growth: [{ labels: { controller: 'kustomize-controller' }, mibPerMinute: 2 }] })));
    expect(metrics['memory.kustomize-controller.max']).toBeDefined();
    expect(metrics).not.toHaveProperty('memory.kustomize-controller.slope');
  });

  it('names the steepest shard under the controller, and each shard under its own name', () => {
    const metrics = flatMetrics(
      analyzeSamples(
        run({
          measureMs: 5 * MINUTE,
          growth: [
            { labels: { controller: 'kustomize-controller', shard: 'shard1' }, mibPerMinute: 1 },
            { labels: { controller: 'kustomize-controller', shard: 'shard2' }, mibPerMinute: 4 },
          ],
        }),
      ),
    );
    expect(metrics['memory.kustomize-controller.slope']! / MiB).toBeCloseTo(4, 6);
    expect(metrics['memory.kustomize-controller-shard1.slope']! / MiB).toBeCloseTo(1, 6);
    expect(metrics['memory.kustomize-controller-shard2.slope']! / MiB).toBeCloseTo(4, 6);
  });

  it('takes thresholds written in bytes (per minute), and refuses durations', () => {
    expect(thresholdExpressionSchema.safeParse('memory.kustomize-controller.slope < 1Mi').success).toBe(true);
    expect(thresholdExpressionSchema.safeParse('memory.*.slope < 512Ki').success).toBe(true);
    expect(limitUnitProblem('memory.kustomize-controller.slope', parseMetricValue('30s'))).toMatch(/bytes per minute.*"1Mi"/);
    const metrics = { 'memory.kustomize-controller.slope': 2 * MiB, 'memory.source-controller.slope': 0.25 * MiB };
    expect(judgeThresholds(['memory.*.slope < 1Mi'], metrics).map((t) => [t.metric, t.ok])).toEqual([
      ['memory.kustomize-controller.slope', false],
      ['memory.source-controller.slope', true],
    ]);
  });

  it('shows in the report’s memory trend section, in Markdown and HTML, and only when there is a trend', () => {
    const samples = run({ measureMs: 10 * MINUTE, growth: [{ labels: { controller: 'kustomize-controller' }, mibPerMinute: 1.2 }] });
    const summary = buildSummary(samples, syntheticRunMeta({ thresholds: [] }));
    expect(summary.controllers[0]!.memoryTrend?.count).toBe(120);
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain('## Controller memory trend');
    expect(markdown).toMatch(/\| kustomize-controller \| \+1\.2Mi\/min \| \+11\.9Mi \| 120 \| 9m55s \|/);
    // Right after the controllers table, the figures it complements.
    expect(markdown.indexOf('## Controller memory trend')).toBeGreaterThan(markdown.indexOf('## Controllers'));
    expect(renderHtml(summary, samples)).toContain('<table class="data" id="memory-trend">');

    const short = run({ measureMs: 30_000, growth: [{ labels: { controller: 'kustomize-controller' }, mibPerMinute: 1.2 }] });
    expect(renderMarkdown(buildSummary(short, syntheticRunMeta({ thresholds: [] })))).not.toContain('memory trend');
  });
});
