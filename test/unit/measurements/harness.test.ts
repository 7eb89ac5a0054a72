import { describe, expect, it } from 'vitest';
import { analyzeHarness, counterCpu } from '../../../src/measurements/harness.ts';
import { analyzeSamples, findMetric, flatMetrics, startMeasurements } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, renderMarkdown, summarySchema } from '../../../src/report/index.ts';
import { syntheticRunMeta, syntheticSamples } from '../report/synthetic-run.ts';
import { burn } from '../metrics/support/burn.ts';

const MiB = 2 ** 20;
const harness = (ts: number, name: string, value: number): Sample => ({ ts, kind: 'harness', name, value });
/** One reading as the sampler writes it. */
const readingAt = (ts: number, cpuSeconds: number, mainSeconds: number, rss: number): Sample[] => [
  harness(ts, 'cpu_seconds_total', cpuSeconds),
  harness(ts, 'main_thread_cpu_seconds_total', mainSeconds),
  harness(ts, 'rss_bytes', rss),
  harness(ts, 'rss_peak_bytes', 300 * MiB),
  harness(ts, 'heap_used_bytes', rss / 2),
];

describe('harness measurement', () => {
  it("takes the mean from the counters' growth over the whole span, and the max from intervals of a usual length", () => {
    const stats = analyzeHarness([
      ...readingAt(0, 10, 8, 100 * MiB),
      ...readingAt(5_000, 10.5, 8.3, 120 * MiB),
      ...readingAt(10_000, 11, 8.6, 110 * MiB),
      ...readingAt(15_000, 11.5, 8.9, 110 * MiB),
      // One second at 0.6 cores: a plain mean of the four rates would say 0.225.
      ...readingAt(16_000, 12.1, 9.4, 105 * MiB),
      // The stop, 5 ms later: one 10 ms tick of the main thread would read as 2 cores.
      ...readingAt(16_005, 12.105, 9.41, 105 * MiB),
    ]);
    expect(stats?.cpu?.avg).toBeCloseTo(2.105 / 16.005, 10);
    expect(stats?.mainThreadCpu?.avg).toBeCloseTo(1.41 / 16.005, 10);
    // The median interval is 5 s long: the 1 s and 5 ms ones are left out of the max.
    expect(stats?.cpu?.max).toBeCloseTo(0.1, 10);
    expect(stats?.mainThreadCpu?.max).toBeCloseTo(0.06, 10);
    expect(stats).toMatchObject({ memory: { max: 120 * MiB, count: 6 }, rssPeakBytes: 300 * MiB, heap: { max: 60 * MiB } });
  });

  it('leaves out an interval whose counter went backwards, and has no CPU figure from one reading', () => {
    expect(counterCpu([{ ts: 0, value: 5 }, { ts: 1_000, value: 4 }, { ts: 2_000, value: 4.5 }])).toEqual({ avg: 0.5, max: 0.5 });
    expect(counterCpu([{ ts: 0, value: 5 }])).toBeUndefined();
    const one = analyzeHarness(readingAt(0, 1, 1, 100 * MiB));
    expect(one?.cpu).toBeUndefined();
    expect(one?.memory?.max).toBe(100 * MiB);
    expect(analyzeHarness([])).toBeUndefined();
  });

  it('adds nothing to a run without harness samples (summaries written before the measurement)', () => {
    const summary = buildSummary(syntheticSamples(), syntheticRunMeta());
    expect(summary.harness).toBeUndefined();
    expect(Object.keys(summary.metrics).filter((n) => n.startsWith('harness.'))).toEqual([]);
    expect(renderMarkdown(summary)).not.toContain("fluxbench's own process");
  });

  it('samples this process among the others: the CPU it reports is the CPU this process used, every metric in the catalogue', async () => {
    const samples: Sample[] = [];
    const before = process.cpuUsage();
    const handle = await startMeasurements({ sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: () => undefined }, { lag: false, api: false });
    try {
      for (let i = 0; i < 6; i++) {
        burn(50);
        await new Promise<void>((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await handle.stop();
    }
    const used = process.cpuUsage(before);
    const usedSeconds = (used.user + used.system) / 1e6;
    const metrics = flatMetrics(analyzeSamples(samples));
    const harnessSamples = samples.filter((s) => s.kind === 'harness');
    const spanSeconds = (harnessSamples.at(-1)!.ts - harnessSamples[0]!.ts) / 1000;
    const reportedSeconds = metrics['harness.cpu.avg']! * spanSeconds;
    // All of the 300 ms burnt between the first reading and the last, and no more than the process used.
    expect(reportedSeconds).toBeGreaterThanOrEqual(0.3);
    expect(reportedSeconds).toBeLessThanOrEqual(usedSeconds + 0.001);
    expect(metrics['harness.memory.peak']).toBeGreaterThanOrEqual(metrics['harness.memory.max']!);
    expect(metrics['harness.heap.max']).toBeGreaterThan(1e6);
    const expected = ['harness.cpu.avg', 'harness.cpu.max', 'harness.memory.max', 'harness.memory.avg', 'harness.memory.peak', 'harness.heap.max'];
    if (process.platform === 'linux') expected.push('harness.main_thread.cpu.avg', 'harness.main_thread.cpu.max');
    const names = Object.keys(metrics).filter((n) => n.startsWith('harness.'));
    expect(names.sort()).toEqual(expected.sort());
    for (const name of names) expect(findMetric(name), name).toBeDefined();

    const summary = buildSummary(samples, syntheticRunMeta());
    expect(summarySchema.parse(JSON.parse(JSON.stringify(summary))).harness?.cpu?.avg).toBe(metrics['harness.cpu.avg']);
    const markdown = renderMarkdown(summary);
    const section = markdown.slice(markdown.indexOf("fluxbench's own process"));
    expect(section.split('\n').find((line) => /^\| \d/.test(line))).toMatch(/^\| [\d.]+ \| [\d.]+ \| [\d.—]+ \| [\d.]+[KMG]i \|/);
  });
});
