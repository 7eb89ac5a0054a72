import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cpuQuotaUs, createCpuCgroup, detectCgroupRoots, parseCpuMax, podCpuLimitArgs, SupervisedProcess } from '../../../src/flux/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const isRoot = process.getuid?.() === 0;

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

/** The CPU cap in force in a cgroup folder, read straight from the kernel's files. */
function quotaIn(path: string): { quotaUs: number | 'max'; periodUs: number } {
  if (existsSync(join(path, 'cpu.max'))) {
    const [quota, period] = readFileSync(join(path, 'cpu.max'), 'utf8').trim().split(' ');
    return { quotaUs: quota === 'max' ? 'max' : Number(quota), periodUs: Number(period) };
  }
  const quota = Number(readFileSync(join(path, 'cpu.cfs_quota_us'), 'utf8'));
  return { quotaUs: quota < 0 ? 'max' : quota, periodUs: Number(readFileSync(join(path, 'cpu.cfs_period_us'), 'utf8')) };
}

const procsIn = (path: string): number[] => readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);

describe('CPU quota arithmetic', () => {
  it('turns cores into a CFS quota per 100 ms period, never under the kernel minimum of 1 ms', () => {
    expect(cpuQuotaUs(0.5)).toBe(50_000);
    expect(cpuQuotaUs(2)).toBe(200_000);
    expect(cpuQuotaUs(0.001)).toBe(1_000);
    expect(() => cpuQuotaUs(0)).toThrow(/positive number of cores/);
  });

  it('reads cgroup v2 cpu.max', () => {
    expect(parseCpuMax('50000 100000\n')).toBe(0.5);
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
  });

  it('finds the v1 cpu hierarchy, also when mounted with cpuacct', () => {
    const mounts = ['cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0', 'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0'].join('\n');
    expect(detectCgroupRoots(mounts).v1Cpu).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(detectCgroupRoots('cgroup /sys/fs/cgroup/cpuacct cgroup rw,cpuacct 0 0').v1Cpu).toBeUndefined();
  });

  it('gives pods a CPU limit in millicores, pulling the request down with a tight one, and restores the install\'s on lift', () => {
    const instance = { namespace: 'flux-system', deployment: 'kustomize-controller' };
    expect(podCpuLimitArgs(instance, 0.5)).toEqual(['-n', 'flux-system', 'set', 'resources', 'deployment/kustomize-controller', '-c', 'manager', '--limits=cpu=500m', '--requests=cpu=50m']);
    expect(podCpuLimitArgs(instance, 0.02).slice(-2)).toEqual(['--limits=cpu=20m', '--requests=cpu=20m']);
    expect(podCpuLimitArgs(instance, undefined).slice(-2)).toEqual(['--limits=cpu=1000m', '--requests=cpu=50m']);
    expect(() => podCpuLimitArgs(instance, 0)).toThrow(/positive number of cores/);
  });
});

// Writing cgroups needs root: as another user the test is skipped; as root, a machine without a cpu controller fails it.
describe('a CPU quota on a real process (needs root and a cgroup cpu controller, v1 or v2; skipped when not root)', () => {
  it.skipIf(!isRoot)(
    'caps a busy supervised process with a cgroup CPU quota, keeps it capped across a restart, lifts it, and removes the cgroup at stop',
    async () => {
      const probe = await createCpuCgroup('unit-probe', `probe-${process.pid}`);
      expect(probe, 'this machine must offer a CPU cgroup (cgroup v1 "cpu" hierarchy or v2 with the cpu controller) for controller.cpuLimit').toBeDefined();
      await probe!.remove();

      const samples: Sample[] = [];
      const made: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'fb-cpu-'));
      const proc = new SupervisedProcess({
        id: 'spinner',
        labels: { controller: 'spinner' },
        command: process.execPath,
        args: ['-e', 'for (;;) {}'],
        env: process.env,
        logFile: join(dir, 'spinner.log'),
        cgroupGroup: `unit-${process.pid}`,
        backoff: { initialMs: 100, maxMs: 100, resetAfterMs: 60_000 },
        sink: { write: (s: Sample) => samples.push(s) },
        onCgroup: (path) => made.push(path),
      });
      await proc.start();
      try {
        // A memory limit too, so the restart below must join two cgroups where v1 keeps them apart.
        await proc.setMemoryLimit(512 * 1024 * 1024);
        await proc.setCpuLimit(0.2);
        const cpuPath = made.find((path) => existsSync(join(path, 'cpu.max')) || existsSync(join(path, 'cpu.cfs_quota_us')));
        if (!cpuPath) throw new Error(`no CPU cgroup among ${made.join(', ')}`);
        expect(proc.cgroupPaths.sort()).toEqual([...new Set(made)].sort());
        expect(quotaIn(cpuPath)).toEqual({ quotaUs: 20_000, periodUs: 100_000 });
        expect(procsIn(cpuPath)).toContain(proc.pid);

        // The kernel really throttles it: a busy loop capped at 0.2 CPUs is held back every period.
        await sleep(1_000);
        const throttled = Number(/^nr_throttled (\d+)$/m.exec(readFileSync(join(cpuPath, 'cpu.stat'), 'utf8'))?.[1]);
        expect(throttled).toBeGreaterThan(0);

        const first = proc.pid!;
        proc.kill('SIGKILL');
        await until(() => proc.pid !== undefined && proc.pid !== first, 10_000);
        // The restarted process joins both cgroups itself (a shell writes its pid, then execs the command).
        const restarted = proc.pid!;
        await until(() => proc.cgroupPaths.every((path) => procsIn(path).includes(restarted)), 5_000);
        expect(proc.cgroupPaths).toHaveLength(new Set(made).size);

        await proc.setCpuLimit(undefined);
        expect(quotaIn(cpuPath).quotaUs).toBe('max');
        expect(samples.filter((s) => s.name === 'cpu_limit').map((s) => [s.value, s.detail?.cores])).toEqual([
          [0.2, 0.2],
          [undefined, null],
        ]);
      } finally {
        await proc.stop();
      }
      // The process's folders and its run's folder (…/fluxbench/unit-<pid>) are gone.
      for (const path of made) expect(existsSync(path) || existsSync(join(path, '..')), path).toBe(false);
    },
  );
});
