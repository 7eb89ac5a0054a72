import { describe, expect, it } from 'vitest';
import { HarnessSampler, harnessSamples, readHarness, type HarnessReading } from '../../../src/metrics/harness-sampler.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { until } from './support/until.ts';

const reading = (ts: number, cpuMicros: number, mainThreadSeconds?: number): HarnessReading => ({
  ts,
  cpuMicros,
  ...(mainThreadSeconds !== undefined ? { mainThreadSeconds } : {}),
  rssBytes: 100e6,
  rssPeakBytes: 120e6,
  heapUsedBytes: 40e6,
});

/** Keeps the main thread on a core for `ms`. */
function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

describe("reading fluxbench's own process", () => {
  it('rates the CPU between two readings, the whole process and the main thread apart', () => {
    const first = harnessSamples(undefined, reading(1_000, 5_000_000, 4));
    expect(first.map((s) => s.name)).toEqual(['rss_bytes', 'rss_peak_bytes', 'heap_used_bytes']);

    const second = harnessSamples(reading(1_000, 5_000_000, 4), reading(3_000, 5_300_000, 4.2));
    const value = (name: string) => second.find((s) => s.name === name)?.value;
    expect(value('cpu_cores')).toBeCloseTo(0.15, 10);
    expect(value('main_thread_cpu_cores')).toBeCloseTo(0.1, 10);
    expect(second.every((s) => s.kind === 'harness' && s.ts === 3_000 && s.labels === undefined)).toBe(true);
  });

  it('gives no rate across a clock or counter that went backwards, nor for a main thread it could not read', () => {
    expect(harnessSamples(reading(3_000, 5_000_000), reading(3_000, 6_000_000)).some((s) => s.name === 'cpu_cores')).toBe(false);
    expect(harnessSamples(reading(1_000, 6_000_000, 5), reading(2_000, 5_000_000, 4)).filter((s) => s.name.endsWith('cpu_cores'))).toEqual([]);
    const noThread = harnessSamples(reading(1_000, 5_000_000), reading(2_000, 5_500_000, 4));
    expect(noThread.map((s) => s.name)).toContain('cpu_cores');
    expect(noThread.map((s) => s.name)).not.toContain('main_thread_cpu_cores');
  });

  it('reads this process: its CPU grows with work on the main thread, its memory is that of a Node process', async () => {
    const before = await readHarness();
    spin(300);
    const after = await readHarness();
    expect(after.rssBytes).toBeGreaterThan(10e6);
    expect(after.rssPeakBytes).toBeGreaterThanOrEqual(after.rssBytes * 0.5);
    expect(after.heapUsedBytes).toBeGreaterThan(1e6);
    // Under the 300 ms asked for: the machine may be busy and hand the core to others.
    expect((after.cpuMicros - before.cpuMicros) / 1000).toBeGreaterThan(100);
    if (process.platform === 'linux') {
      expect(after.mainThreadSeconds! - before.mainThreadSeconds!).toBeGreaterThan(0.1);
    }
  });

  it('samples from start to stop: a reading at each tick and a last one at stop, so the span ends where the samplers stop', async () => {
    let now = 10_000;
    let cpu = 0;
    const sampler = new HarnessSampler(async () => reading(now, cpu, cpu / 2e6));
    const samples: Sample[] = [];
    await sampler.start({ sink: { write: (s) => samples.push(s) }, controllers: [], interval: 60_000, log: () => undefined });
    // The first tick runs at once: memory only.
    await until(() => samples.length === 3, 'the first reading', 2_000);
    now += 500;
    cpu += 250_000;
    await sampler.stop();
    const rates = samples.filter((s) => s.name === 'cpu_cores');
    expect(rates).toEqual([{ ts: 10_500, kind: 'harness', name: 'cpu_cores', value: 0.5 }]);
    expect(samples.find((s) => s.name === 'main_thread_cpu_cores')?.value).toBeCloseTo(0.25, 10);
    // Stopped for good: no reading after a second stop.
    await sampler.stop();
    expect(samples.filter((s) => s.name === 'rss_bytes')).toHaveLength(2);
  });
});
