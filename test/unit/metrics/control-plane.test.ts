import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlPlaneSampler, controlPlaneSamples } from '../../../src/metrics/control-plane-sampler.ts';
import type { MeasurementContext } from '../../../src/metrics/measurement.ts';
import { readComponents, type CpuReading } from '../../../src/metrics/proc.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { until } from './support/until.ts';

/** A real process standing in for a component: busy for `ms`, or idle until killed. */
function component(busyMs?: number): ChildProcess {
  const code = busyMs === undefined ? 'setInterval(() => {}, 1000);' : `const end = Date.now() + ${busyMs}; while (Date.now() < end); setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('reading the control plane from /proc', () => {
  it('reads each named process, rates CPU from the second reading, leaves out a gone one and restarts the rate of a new pid', async () => {
    const apiServer = component(3000);
    const etcd = component();
    children.push(apiServer, etcd);
    const previous = new Map<string, CpuReading>();
    const pids = { 'kube-apiserver': apiServer.pid!, etcd: etcd.pid!, 'kube-scheduler': 2 ** 22 + 1 };
    const first = await readComponents(pids, previous, Date.now(), 100);
    expect(first.map((r) => r.component).sort()).toEqual(['etcd', 'kube-apiserver']);
    expect(first.every((r) => r.cores === undefined && r.snapshot.rssBytes! > 1_000_000)).toBe(true);

    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await readComponents(pids, previous, Date.now(), 100);
    const busy = second.find((r) => r.component === 'kube-apiserver')!;
    // Well under the core the loop asks for: the machine may be busy.
    expect(busy.cores).toBeGreaterThan(0.05);
    expect(second.find((r) => r.component === 'etcd')!.cores).toBeLessThan(busy.cores!);

    // etcd restarted: another process under the same name has no rate on its first reading.
    const third = await readComponents({ etcd: apiServer.pid! }, previous, Date.now(), 100);
    expect(third).toHaveLength(1);
    expect(third[0]!.cores).toBeUndefined();
  });

  it('turns readings into component samples labelled by component', () => {
    const snapshot = { pid: 7, rssBytes: 300, rssPeakBytes: 500, cpuTicks: 10, startTicks: 1 };
    const samples = controlPlaneSamples(
      [
        { component: 'etcd', snapshot, cores: 0.25 },
        { component: 'kube-apiserver', snapshot: { pid: 8, cpuTicks: 1, startTicks: 1, rssBytes: 900 } },
      ],
      1_000,
    );
    expect(samples).toEqual([
      { ts: 1_000, kind: 'component', name: 'rss_bytes', value: 300, labels: { component: 'etcd' } },
      { ts: 1_000, kind: 'component', name: 'rss_peak_bytes', value: 500, labels: { component: 'etcd' } },
      { ts: 1_000, kind: 'component', name: 'cpu_cores', value: 0.25, labels: { component: 'etcd' } },
      { ts: 1_000, kind: 'component', name: 'rss_bytes', value: 900, labels: { component: 'kube-apiserver' } },
    ]);
  });
});

describe('the control-plane sampler', () => {
  const context = (samples: Sample[], componentPids?: () => Promise<Record<string, number>>): MeasurementContext => ({
    sink: { write: (s) => samples.push(s) },
    controllers: [],
    interval: 100,
    log: () => undefined,
    ...(componentPids ? { componentPids } : {}),
  });

  it('follows the pids the cluster gives on each tick: a component started again under a new pid is read from then on, its rate restarted', async () => {
    const before = component();
    const after = component(5000);
    children.push(before, after);
    let pid = before.pid!;
    const samples: Sample[] = [];
    const sampler = new ControlPlaneSampler();
    await sampler.start(context(samples, async () => ({ 'kube-apiserver': pid })));
    const rates = () => samples.filter((s) => s.name === 'cpu_cores').map((s) => s.value!);
    try {
      // Past its start-up (node itself takes CPU then), the idle process reads under 0.1 cores.
      await until(() => rates().some((cores) => cores < 0.1), 'an idle CPU rate of the first process');
      // The first process, idle, is gone; the new one under the same name burns a core.
      before.kill('SIGKILL');
      pid = after.pid!;
      const seenAt = rates().length;
      // Only a sampler that reads the pids anew sees the busy process (0.1: the machine may be busy).
      await until(() => rates().slice(seenAt).some((cores) => cores > 0.1), 'a CPU rate of the busy process');
    } finally {
      await sampler.stop();
    }
    expect(new Set(samples.map((s) => s.kind))).toEqual(new Set(['component']));
    expect(new Set(samples.map((s) => s.labels?.component))).toEqual(new Set(['kube-apiserver']));
    const count = samples.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(samples.length, 'no sample after stop').toBe(count);
  });

  it('writes nothing where the provider has no host processes, or gives no pids at all', async () => {
    const samples: Sample[] = [];
    const none = new ControlPlaneSampler();
    await none.start(context(samples, async () => ({})));
    const absent = new ControlPlaneSampler();
    await absent.start(context(samples));
    await new Promise((resolve) => setTimeout(resolve, 350));
    await Promise.all([none.stop(), absent.stop()]);
    expect(samples).toEqual([]);
  });
});
