import { describe, expect, it } from 'vitest';
import { HarnessSampler, harnessSamples, readHarness, type HarnessReading } from '../../../src/metrics/harness-sampler.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { until } from './support/until.ts';
import { burn } from './support/burn.ts';

const reading = (ts: number, cpuMicros: number, mainThreadSeconds?: number): HarnessReading => ({
  ts,
  cpuMicros,
  ...(mainThreadSeconds !== undefined ? { mainThreadSeconds } : {}),
  rssBytes: 100e6,
  rssPeakBytes: 120e6,
  heapUsedBytes: 40e6,
});

describe("reading fluxbench's own process", () => {
  it('writes the CPU counters and the memory of one reading, the main thread only where it was read', () => {
    const samples = harnessSamples(reading(3_000, 5_300_000, 4.2));
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['cpu_seconds_total', 5.3],
      ['main_thread_cpu_seconds_total', 4.2],
      ['rss_bytes', 100e6],
      ['rss_peak_bytes', 120e6],
      ['heap_used_bytes', 40e6],
    ]);
    expect(samples.every((s) => s.kind === 'harness' && s.ts === 3_000 && s.labels === undefined)).toBe(true);
    expect(harnessSamples(reading(3_000, 5_300_000)).map((s) => s.name)).not.toContain('main_thread_cpu_seconds_total');
  });

  it('reads this process: its CPU counters grow with work on this thread, its memory is that of a Node process', async () => {
    const before = await readHarness();
    burn(200);
    const after = await readHarness();
    expect(after.rssBytes).toBeGreaterThan(10e6);
    expect(after.rssPeakBytes).toBeGreaterThanOrEqual(after.rssBytes);
    expect(after.heapUsedBytes).toBeGreaterThan(1e6);
    const processSeconds = (after.cpuMicros - before.cpuMicros) / 1e6;
    expect(processSeconds).toBeGreaterThanOrEqual(0.2);
    if (process.platform === 'linux') {
      // The work ran on this thread; its counter moves in 10 ms ticks and cannot pass the whole process's.
      const threadSeconds = after.mainThreadSeconds! - before.mainThreadSeconds!;
      expect(threadSeconds).toBeGreaterThan(0.1);
      expect(threadSeconds).toBeLessThanOrEqual(processSeconds + 0.02);
    }
  });

  it('reads at start and once more at stop, so the samples cover the span the samplers ran; stops once', async () => {
    let now = 10_000;
    const sampler = new HarnessSampler(async () => reading(now, 1_000_000));
    const samples: Sample[] = [];
    await sampler.start({ sink: { write: (s) => samples.push(s) }, controllers: [], interval: 60_000, log: () => undefined });
    await until(() => samples.length === 4, 'the first reading', 2_000);
    now += 500;
    // Two stops at once: one last reading, and neither rejects.
    await Promise.all([sampler.stop(), sampler.stop()]);
    expect(samples.filter((s) => s.name === 'cpu_seconds_total').map((s) => s.ts)).toEqual([10_000, 10_500]);
    await sampler.stop();
    expect(samples).toHaveLength(8);
  });

  it('logs a reading that fails and goes on with the next', async () => {
    let calls = 0;
    const logged: string[] = [];
    const sampler = new HarnessSampler(async () => {
      calls += 1;
      if (calls === 1) throw new Error('no /proc today');
      return reading(20_000, 1_000_000);
    });
    const samples: Sample[] = [];
    await sampler.start({ sink: { write: (s) => samples.push(s) }, controllers: [], interval: 60_000, log: (message) => logged.push(message) });
    await until(() => logged.length === 1, 'the failed reading logged', 2_000);
    await sampler.stop();
    expect(logged[0]).toMatch(/reading fluxbench's own process: no \/proc today/);
    expect(samples.filter((s) => s.name === 'cpu_seconds_total')).toHaveLength(1);
  });
});
