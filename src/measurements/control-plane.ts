/**
 * control-plane: what the cluster's own processes cost — etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok — read from /proc where they are host processes
 * (the local provider). Flux's load lands on kube-apiserver and etcd first: large CRD schemas,
 * managedFields and watch caches grow their memory long before a controller shows anything.
 * kind, k3s and existing clusters run them out of reach and contribute no samples.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { groupBy } from './collections.ts';
import { formatBytes } from '../util/units.ts';
import { namedPoints, seriesStats, seriesStatsSchema } from './stats.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

export const componentStatsSchema = z.object({
  /** VmRSS readings, bytes. */
  memory: seriesStatsSchema.optional(),
  /** The largest VmHWM read (the kernel's peak resident memory since the process started), bytes. */
  rssPeakBytes: z.number().optional(),
  /** CPU between two readings, cores. */
  cpu: seriesStatsSchema.optional(),
});
export type ComponentStats = z.infer<typeof componentStatsSchema>;
/** Component name (kwokctl's: etcd, kube-apiserver, ...) → its figures. */
export const controlPlaneStatsSchema = z.record(z.string(), componentStatsSchema);
export type ControlPlaneStats = z.infer<typeof controlPlaneStatsSchema>;

const placeholders = {
  component: {
    description: 'a control-plane component that runs as a host process (local provider: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok-controller)',
    free: /^[a-z][a-z0-9-]*$/,
  },
};

const catalogue: MetricEntry[] = [
  { pattern: 'control_plane.<component>.memory.max', unit: 'bytes', aggregation: 'max', description: 'Largest VmRSS read from /proc while the run sampled (as memory.<controller>.max)', placeholders },
  {
    pattern: 'control_plane.<component>.memory.peak',
    unit: 'bytes',
    aggregation: 'max',
    description:
      "Peak resident memory from the kernel (VmHWM), since the process started: with the local provider that covers the cluster's start, the CRD and apply phases and any spike between two readings",
    placeholders,
  },
  { pattern: 'control_plane.<component>.memory.avg', unit: 'bytes', aggregation: 'avg', description: 'Mean of the VmRSS readings over the run', placeholders },
  { pattern: 'control_plane.<component>.cpu.avg', unit: 'cores', aggregation: 'avg', description: 'CPU from /proc, averaged over the sampling intervals of the run', placeholders },
  { pattern: 'control_plane.<component>.cpu.max', unit: 'cores', aggregation: 'max', description: 'Highest CPU between two readings', placeholders },
];

/** Pure: `component` samples grouped by component, oldest first. */
export function analyzeControlPlane(samples: readonly Sample[]): ControlPlaneStats {
  const out: ControlPlaneStats = {};
  for (const [component, own] of groupBy(samples, (s) => s.labels?.component ?? '')) {
    if (component === '') continue;
    const points = (name: string) => namedPoints(own, name);
    const peaks = points('rss_peak_bytes');
    const stats: ComponentStats = {};
    const memory = seriesStats(points('rss_bytes'));
    const cpu = seriesStats(points('cpu_cores'));
    if (memory) stats.memory = memory;
    if (peaks.length > 0) stats.rssPeakBytes = Math.max(...peaks.map((p) => p.value));
    if (cpu) stats.cpu = cpu;
    out[component] = stats;
  }
  return out;
}

function controlPlaneMetrics(stats: ControlPlaneStats): FlatMetrics {
  const metrics: FlatMetrics = {};
  for (const [component, s] of Object.entries(stats)) {
    metrics[`control_plane.${component}.memory.max`] = s.memory?.max;
    metrics[`control_plane.${component}.memory.peak`] = s.rssPeakBytes;
    metrics[`control_plane.${component}.memory.avg`] = s.memory?.avg;
    metrics[`control_plane.${component}.cpu.avg`] = s.cpu?.avg;
    metrics[`control_plane.${component}.cpu.max`] = s.cpu?.max;
  }
  return metrics;
}

const memoryCell = (bytes: number | undefined): string => (bytes === undefined ? '—' : formatBytes(bytes));
const cores = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));

function controlPlaneTable(stats: ControlPlaneStats): ReportTable {
  return {
    header: ['Component', 'Peak memory (VmHWM, since start)', 'Largest memory read (VmRSS)', 'Mean memory (VmRSS)', 'CPU mean (cores)', 'CPU peak (cores)'],
    rows: Object.entries(stats)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([component, s]) => [component, memoryCell(s.rssPeakBytes), memoryCell(s.memory?.max), memoryCell(s.memory?.avg), cores(s.cpu?.avg), cores(s.cpu?.max)]),
    numeric: [1, 2, 3, 4, 5],
  };
}

/** Absent in a run whose control plane is out of reach, and in summaries written before this measurement. */
type ControlPlaneAnalysis = { controlPlane?: ControlPlaneStats };

export const controlPlaneMeasurement = defineMeasurement({
  name: 'control-plane',
  description: "every interval, read /proc/<pid>/status and /proc/<pid>/stat of each control-plane component the provider runs as a host process",
  catalogue,
  analyze: (input): ControlPlaneAnalysis => {
    const controlPlane = analyzeControlPlane(input.of('component'));
    return Object.keys(controlPlane).length > 0 ? { controlPlane } : {};
  },
  summarize: ({ controlPlane }: ControlPlaneAnalysis) => (controlPlane ? controlPlaneMetrics(controlPlane) : {}),
  sampler: {
    create: async (ctx, _settings: Record<string, never>) => {
      if (!ctx.componentPids) return undefined;
      const { ControlPlaneSampler } = await import('../metrics/control-plane-sampler.ts');
      return new ControlPlaneSampler();
    },
  },
  report: {
    id: 'control-plane',
    title: 'Control plane',
    empty: 'No control-plane readings: the provider does not run its components as processes of this machine.',
    optional: true,
    table: ({ controlPlane }: Partial<ControlPlaneAnalysis>) => controlPlaneTable(controlPlane ?? {}),
  },
});
