import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { MeasurementContext } from '../../../src/metrics/measurement.ts';
import { ProcSampler, clockTicksPerSecond, parseProcStat, parseProcStatus, procSamples, readProcSnapshot } from '../../../src/metrics/proc.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

describe('/proc parsing', () => {
  it('reads VmRSS and VmHWM of this process in bytes', () => {
    const status = parseProcStatus(readFileSync('/proc/self/status', 'utf8'));
    const rss = process.memoryUsage().rss;
    expect(status.rssBytes).toBeGreaterThan(rss / 2);
    expect(status.rssBytes).toBeLessThan(rss * 2);
    expect(status.rssPeakBytes).toBeGreaterThanOrEqual(status.rssBytes!);
    expect(status.rssBytes! % 1024).toBe(0);
  });

  it('reads utime+stime of this process consistent with process.cpuUsage', () => {
    const burnUntil = Date.now() + 200;
    while (Date.now() < burnUntil) Math.sqrt(Math.random());
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    const usage = process.cpuUsage();
    const procSeconds = stat.cpuTicks / clockTicksPerSecond();
    const nodeSeconds = (usage.user + usage.system) / 1e6;
    // Both count the same process CPU time; /proc lags by at most a few ticks.
    expect(Math.abs(procSeconds - nodeSeconds)).toBeLessThan(0.1 + nodeSeconds * 0.1);
    expect(stat.startTicks).toBeGreaterThan(0);
  });

  it('counts fields from the last parenthesis, whatever the command name holds', () => {
    const line = '4242 (evil) name (x) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0 98765 1000 200 rest';
    expect(parseProcStat(line)).toEqual({ cpuTicks: 200, startTicks: 98765 });
    expect(() => parseProcStat('garbage')).toThrow(/no "\)"/);
    expect(() => parseProcStat('1 (a) S x')).toThrow(/not numbers/);
  });

  it('emits rss samples, and cpu rate only for the same process', () => {
    const target = { controller: 'kustomize-controller', shard: '1' };
    const snap = { pid: 10, rssBytes: 1000, rssPeakBytes: 2000, cpuTicks: 100, startTicks: 5 };
    const first = procSamples(snap, target, 1000, 100, true);
    expect(first.samples.map((s) => s.name)).toEqual(['rss_bytes', 'rss_peak_bytes', 'cpu_seconds_total']);
    expect(first.samples[0]!.labels).toEqual({ controller: 'kustomize-controller', shard: '1' });
    const second = procSamples({ ...snap, cpuTicks: 150 }, target, 3000, 100, true, first.memory);
    // 50 ticks = 0.5 s of CPU over 2 s
    expect(second.samples.find((s) => s.name === 'cpu_cores')!.value).toBeCloseTo(0.25, 10);
    const restarted = procSamples({ ...snap, pid: 11, cpuTicks: 3 }, target, 5000, 100, true, second.memory);
    expect(restarted.samples.some((s) => s.name === 'cpu_cores')).toBe(false);
    const noCpu = procSamples(snap, target, 1000, 100, false);
    expect(noCpu.samples.map((s) => s.name)).toEqual(['rss_bytes', 'rss_peak_bytes']);
  });
});

describe('ProcSampler', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('samples a real child process and follows its pid across a restart', async () => {
    const startChild = (): ReturnType<typeof spawn> => {
      const child = spawn(process.execPath, ['-e', 'const b=Buffer.alloc(32<<20,1);setInterval(()=>{for(let i=0;i<1e6;i++);},10)'], { stdio: 'ignore' });
      children.push(child);
      return child;
    };
    let child = startChild();
    const samples: Sample[] = [];
    const sampler = new ProcSampler();
    const ctx: MeasurementContext = {
      sink: { write: (s) => samples.push(s) },
      controllers: [{ controller: 'source-controller', metricsUrl: 'http://127.0.0.1:1/metrics', pid: () => child.pid }],
      interval: 150,
      log: () => {},
    };
    await sampler.start(ctx);
    try {
      await new Promise((r) => setTimeout(r, 700));
      child.kill('SIGKILL');
      child = startChild();
      await new Promise((r) => setTimeout(r, 700));
    } finally {
      await sampler.stop();
    }
    const rss = samples.filter((s) => s.name === 'rss_bytes');
    expect(rss.length).toBeGreaterThanOrEqual(6);
    // The child holds a 32 MiB buffer.
    expect(Math.max(...rss.map((s) => s.value!))).toBeGreaterThan(32 * 1024 * 1024);
    const cores = samples.filter((s) => s.name === 'cpu_cores');
    expect(cores.length).toBeGreaterThanOrEqual(3);
    expect(cores.every((s) => s.value! >= 0 && s.value! < 4)).toBe(true);
    const snapshot = await readProcSnapshot(child.pid!);
    expect(snapshot.pid).toBe(child.pid);
    const countAfterStop = samples.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(samples.length).toBe(countAfterStop);
  });
});
