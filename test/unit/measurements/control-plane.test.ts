import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analyzeControlPlane } from '../../../src/measurements/control-plane.ts';
import { analyzeSamples, findMetric, flatMetrics, startMeasurements } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, renderMarkdown, summarySchema } from '../../../src/report/index.ts';
import { syntheticRunMeta, syntheticSamples } from '../report/synthetic-run.ts';
import { until } from '../metrics/support/until.ts';

const MiB = 2 ** 20;
const reading = (ts: number, component: string, name: string, value: number): Sample => ({ ts, kind: 'component', name, value, labels: { component } });

describe('control-plane measurement', () => {
  it('samples the components the cluster names, then summarises and reports them', async () => {
    const etcd = spawn(process.execPath, ['-e', 'const end = Date.now() + 2000; while (Date.now() < end); setInterval(() => {}, 1000);'], { stdio: 'ignore' });
    const samples: Sample[] = [];
    try {
      const handle = await startMeasurements(
        {
          sink: { write: (s) => samples.push(s) },
          controllers: [],
          interval: 100,
          log: () => undefined,
          componentPids: async () => ({ etcd: etcd.pid!, 'kube-apiserver': process.pid }),
        },
        { lag: false, api: false },
      );
      try {
        const rated = () => new Set(samples.filter((s) => s.kind === 'component' && s.name === 'cpu_cores').map((s) => s.labels?.component));
        await until(() => rated().size === 2, 'CPU rates of both components', 10_000);
      } finally {
        await handle.stop();
      }
    } finally {
      etcd.kill('SIGKILL');
    }
    const metrics = flatMetrics(analyzeSamples(samples));
    for (const component of ['etcd', 'kube-apiserver']) {
      expect(metrics[`control_plane.${component}.memory.max`]).toBeGreaterThan(1_000_000);
      expect(metrics[`control_plane.${component}.memory.peak`]).toBeGreaterThan(1_000_000);
    }
    // Every name the measurement writes is in the catalogue, so a threshold on it validates.
    const names = Object.keys(metrics).filter((n) => n.startsWith('control_plane.'));
    expect(names).toHaveLength(10);
    for (const name of names) expect(findMetric(name), name).toBeDefined();
    // The busy child is the one burning a core, each component's rate its own.
    expect(metrics['control_plane.etcd.cpu.max']).toBeGreaterThan(0.05);
    expect(metrics['control_plane.etcd.cpu.avg']).toBeGreaterThan(metrics['control_plane.kube-apiserver.cpu.avg']!);

    const summary = buildSummary(samples, syntheticRunMeta());
    expect(summarySchema.parse(JSON.parse(JSON.stringify(summary))).controlPlane?.etcd?.rssPeakBytes).toBeGreaterThan(0);
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain('Control plane');
    expect(markdown).toMatch(/\| kube-apiserver \| [\d.]+(Mi|Gi) \| [\d.]+(Mi|Gi) \|/);
  });

  it('keeps the kernel\'s peak (VmHWM), which a spike between two readings reaches, apart from the largest VmRSS read', () => {
    const stats = analyzeControlPlane([
      reading(1_000, 'kube-apiserver', 'rss_bytes', 900 * MiB),
      reading(1_000, 'kube-apiserver', 'rss_peak_bytes', 1_600 * MiB),
      reading(2_000, 'kube-apiserver', 'rss_bytes', 1_100 * MiB),
      reading(2_000, 'kube-apiserver', 'rss_peak_bytes', 1_600 * MiB),
      reading(2_000, 'kube-apiserver', 'cpu_cores', 0.5),
      reading(3_000, 'kube-apiserver', 'cpu_cores', 0.25),
      reading(1_000, 'etcd', 'rss_bytes', 150 * MiB),
      reading(2_000, 'etcd', 'rss_bytes', 190 * MiB),
    ]);
    expect(stats['kube-apiserver']).toMatchObject({ rssPeakBytes: 1_600 * MiB, memory: { max: 1_100 * MiB, avg: 1_000 * MiB, last: 1_100 * MiB }, cpu: { avg: 0.375, max: 0.5 } });
    expect(stats.etcd).toEqual({ memory: { count: 2, min: 150 * MiB, max: 190 * MiB, avg: 170 * MiB, last: 190 * MiB } });
    const withComponents = [...syntheticSamples(), reading(1, 'kube-apiserver', 'rss_peak_bytes', 1_600 * MiB), reading(1, 'kube-apiserver', 'rss_bytes', 900 * MiB), reading(1, 'etcd', 'rss_bytes', 190 * MiB)];
    const metrics = flatMetrics(analyzeSamples(withComponents));
    expect(metrics['control_plane.kube-apiserver.memory.peak']).toBe(1_600 * MiB);
    expect(metrics['control_plane.kube-apiserver.memory.max']).toBe(900 * MiB);
    expect(metrics['control_plane.etcd.memory.max']).toBe(190 * MiB);
    expect(metrics['control_plane.etcd.memory.peak']).toBeUndefined();
    expect(metrics['control_plane.etcd.cpu.avg']).toBeUndefined();
  });

  it('adds nothing to a run whose control plane is out of reach (kind, k3s, existing)', () => {
    const summary = buildSummary(syntheticSamples(), syntheticRunMeta());
    expect(summary.controlPlane).toBeUndefined();
    expect(Object.keys(summary.metrics).filter((n) => n.startsWith('control_plane.'))).toEqual([]);
    expect(renderMarkdown(summary)).not.toContain('Control plane');
  });
});
