import { describe, expect, it } from 'vitest';
import { analyzeHarness } from '../../../src/measurements/harness.ts';
import { analyzeSamples, findMetric, flatMetrics, startMeasurements } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, renderMarkdown, summarySchema } from '../../../src/report/index.ts';
import { syntheticRunMeta, syntheticSamples } from '../report/synthetic-run.ts';

const MiB = 2 ** 20;
const harness = (ts: number, name: string, value: number): Sample => ({ ts, kind: 'harness', name, value });
/** One reading as the sampler writes it: memory always, the rates from the second reading on. */
const readingAt = (ts: number, rss: number, rates?: { cpu: number; main?: number }): Sample[] => [
  harness(ts, 'rss_bytes', rss),
  harness(ts, 'rss_peak_bytes', 300 * MiB),
  harness(ts, 'heap_used_bytes', rss / 2),
  ...(rates ? [harness(ts, 'cpu_cores', rates.cpu), ...(rates.main !== undefined ? [harness(ts, 'main_thread_cpu_cores', rates.main)] : [])] : []),
];

describe('harness measurement', () => {
  it("weighs each interval's CPU by its length, so a short last interval (the stop) counts for what it lasted", () => {
    const stats = analyzeHarness([
      ...readingAt(0, 100 * MiB),
      ...readingAt(5_000, 120 * MiB, { cpu: 0.1, main: 0.06 }),
      ...readingAt(10_000, 110 * MiB, { cpu: 0.1, main: 0.06 }),
      // One second at 0.6 cores: a plain mean of the three rates would say 0.27.
      ...readingAt(11_000, 105 * MiB, { cpu: 0.6, main: 0.5 }),
    ]);
    expect(stats?.cpu?.avg).toBeCloseTo((0.1 * 10 + 0.6 * 1) / 11, 10);
    expect(stats?.cpu?.max).toBe(0.6);
    expect(stats?.mainThreadCpu?.avg).toBeCloseTo((0.06 * 10 + 0.5) / 11, 10);
    expect(stats).toMatchObject({ memoryMaxBytes: 120 * MiB, memoryPeakBytes: 300 * MiB, heapMaxBytes: 60 * MiB });
  });

  it('has no CPU figure from one reading, and nothing at all without samples', () => {
    expect(analyzeHarness(readingAt(0, 100 * MiB))).toEqual({ memoryMaxBytes: 100 * MiB, memoryPeakBytes: 300 * MiB, heapMaxBytes: 50 * MiB });
    expect(analyzeHarness([])).toBeUndefined();
    const summary = buildSummary(syntheticSamples(), syntheticRunMeta());
    expect(summary.harness).toBeUndefined();
    expect(Object.keys(summary.metrics).filter((n) => n.startsWith('harness.'))).toEqual([]);
    expect(renderMarkdown(summary)).not.toContain("fluxbench's own process");
  });

  it('samples this process among the others, then summarises and reports it, every metric in the catalogue', async () => {
    const samples: Sample[] = [];
    const handle = await startMeasurements({ sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: () => undefined }, { lag: false, api: false });
    try {
      // Work the sampler must see: the main thread busy for most of 400 ms.
      const end = Date.now() + 400;
      while (Date.now() < end) await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      await handle.stop();
    }
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['harness.cpu.avg']).toBeGreaterThan(0.2);
    expect(metrics['harness.cpu.max']).toBeGreaterThanOrEqual(metrics['harness.cpu.avg']!);
    expect(metrics['harness.memory.max']).toBeGreaterThan(10e6);
    expect(metrics['harness.memory.peak']).toBeGreaterThanOrEqual(metrics['harness.memory.max']! * 0.5);
    expect(metrics['harness.heap.max']).toBeGreaterThan(1e6);
    if (process.platform === 'linux') {
      expect(metrics['harness.main_thread.cpu.avg']).toBeGreaterThan(0.2);
      expect(metrics['harness.main_thread.cpu.avg']).toBeLessThanOrEqual(metrics['harness.cpu.avg']! * 1.05);
    }
    const names = Object.keys(metrics).filter((n) => n.startsWith('harness.'));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) expect(findMetric(name), name).toBeDefined();

    const summary = buildSummary(samples, syntheticRunMeta());
    expect(summarySchema.parse(JSON.parse(JSON.stringify(summary))).harness?.cpu?.avg).toBeGreaterThan(0.2);
    expect(renderMarkdown(summary)).toMatch(/fluxbench's own process[\s\S]*\| [\d.]+ \| [\d.]+ \|/);
  });
});
