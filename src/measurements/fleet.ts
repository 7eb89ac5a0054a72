/**
 * fleet: the spoke clusters of a hub-and-spoke run, one by one. Flux's objects for a spoke live
 * in the hub, in a namespace named after the spoke (the generator's fleet mode), so the lag and
 * readiness the hub's watches already record are grouped here by that namespace; the spokes' API
 * servers are probed by this measurement's own sampler (latency, or the error when unreachable).
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatDuration } from '../util/units.ts';
import { distribution, distributionSchema } from './stats.ts';
import { defineMeasurement, type MetricEntry, type ReportTable } from './types.ts';

// The source's artifact stage is the hub's (its sources live in the Flux namespace), never a spoke's.
const stages = ['applied', 'ready'] as const;

export const spokeStatsSchema = z.object({
  /** The spoke's API server, as probed. */
  apiServerUrl: z.string().optional(),
  /** Wall time of one small list on the spoke's API server, seconds. */
  apiLatency: distributionSchema.optional(),
  /** Probes that got no answer (the API server stopped, paused, or gone). */
  unreachable: z.number(),
  /** Probes answered with another status than 200 (API Priority and Fairness' 429, a 401). */
  apiErrors: z.number().optional(),
  /** The last probe error, as the client reported it (an address and a reason, never credentials). */
  lastError: z.string().optional(),
  /** Lag per stage of the spoke's objects (push → applied, → Ready), seconds. */
  lag: z.partialRecord(z.enum(stages), distributionSchema),
  /** Objects of the spoke seen, and Ready at least once, after the apply. */
  seen: z.number(),
  ready: z.number(),
  /** Epoch ms of the last commit applied on the spoke (a stopped spoke's stays put while the others' move on). */
  lastAppliedAt: z.number().optional(),
  /** The spoke's processes together (etcd, kube-apiserver, kube-controller-manager): resident memory, bytes, peak and mean over the readings. */
  rssBytes: z.object({ max: z.number(), mean: z.number() }).optional(),
  /** The spoke's processes together: CPU, cores, mean and peak over the sampling intervals. */
  cpuCores: z.object({ max: z.number(), mean: z.number() }).optional(),
});
export type SpokeStats = z.infer<typeof spokeStatsSchema>;
export const fleetStatsSchema = z.object({ spokes: z.record(z.string(), spokeStatsSchema) });
export type FleetStats = z.infer<typeof fleetStatsSchema>;

const spokePlaceholder = { spoke: { description: 'a spoke cluster of the fleet (spoke-01, spoke-02, ...)', free: /^[a-z0-9][a-z0-9-]*$/ } };

const catalogue: MetricEntry[] = [
  { pattern: 'fleet.spokes', unit: 'count', aggregation: 'last', description: 'Spoke clusters the hub manages in this run' },
  {
    pattern: 'fleet.<spoke>.lag.<stage>.p95',
    unit: 'seconds',
    aggregation: 'p95',
    description: "Lag of one spoke's objects: commit pushed → applied on the spoke, → Ready on the spoke",
    placeholders: { ...spokePlaceholder, stage: { description: 'a lag stage', values: stages } },
  },
  {
    pattern: 'fleet.<spoke>.lag.applied.count',
    unit: 'count',
    aggregation: 'count',
    description: '(commit, object) pairs applied on that spoke: 0 for a spoke that stopped applying',
    placeholders: spokePlaceholder,
  },
  { pattern: 'fleet.<spoke>.ready', unit: 'count', aggregation: 'count', description: "That spoke's objects Ready at least once after the apply", placeholders: spokePlaceholder },
  { pattern: 'fleet.<spoke>.api_latency.p95', unit: 'seconds', aggregation: 'p95', description: "Wall time of a one-item list on that spoke's API server", placeholders: spokePlaceholder },
  { pattern: 'fleet.<spoke>.unreachable', unit: 'count', aggregation: 'count', description: "Probes of that spoke's API server that got no answer", placeholders: spokePlaceholder },
  { pattern: 'fleet.<spoke>.rss.max', unit: 'bytes', aggregation: 'max', description: "Peak resident memory of that spoke's processes together (etcd, kube-apiserver, kube-controller-manager)", placeholders: spokePlaceholder },
  { pattern: 'fleet.<spoke>.cpu_cores.avg', unit: 'cores', aggregation: 'avg', description: "CPU of that spoke's processes together, averaged over the run", placeholders: spokePlaceholder },
  { pattern: 'fleet.rss_per_spoke.avg', unit: 'bytes', aggregation: 'avg', description: "What one spoke's processes hold: the mean over spokes of each one's peak resident memory" },
  { pattern: 'fleet.cpu_cores_per_spoke.avg', unit: 'cores', aggregation: 'avg', description: "What one spoke's processes use: the mean over spokes of each one's mean CPU" },
  { pattern: 'fleet.unreachable_spokes', unit: 'count', aggregation: 'count', description: 'Spokes whose API server failed at least one probe' },
  { pattern: 'fleet.lag.applied.p95.max', unit: 'seconds', aggregation: 'max', description: 'The worst spoke’s applied-lag p95' },
];

/** `<Kind>/<namespace>/<name>` → namespace. */
function namespaceOf(objectKey: string | undefined): string | undefined {
  const parts = objectKey?.split('/');
  return parts && parts.length === 3 ? parts[1] : undefined;
}

function emptySpoke(): SpokeStats & { latencies: number[]; lagValues: Record<string, number[]>; rss: number[]; cpu: number[] } {
  return { unreachable: 0, lag: {}, seen: 0, ready: 0, latencies: [], lagValues: {}, rss: [], cpu: [] };
}

function maxMean(values: readonly number[]): { max: number; mean: number } | undefined {
  return values.length > 0 ? { max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length } : undefined;
}

/**
 * Pure: groups the run's samples by spoke. The spokes are those the sampler announced (`fleet`
 * `spoke` samples); objects of other namespaces (the hub's own) are left out.
 */
export function analyzeFleet(fleetSamples: readonly Sample[], lagSamples: readonly Sample[], readySamples: readonly Sample[]): FleetStats {
  const work = new Map<string, ReturnType<typeof emptySpoke>>();
  for (const s of fleetSamples) {
    const name = s.labels?.spoke;
    if (!name) continue;
    const spoke = work.get(name) ?? emptySpoke();
    work.set(name, spoke);
    if (s.name === 'spoke' && typeof s.detail?.apiServerUrl === 'string') spoke.apiServerUrl = s.detail.apiServerUrl;
    else if (s.name === 'api_latency' && typeof s.value === 'number') spoke.latencies.push(s.value);
    else if (s.name === 'rss_bytes' && typeof s.value === 'number') spoke.rss.push(s.value);
    else if (s.name === 'cpu_cores' && typeof s.value === 'number') spoke.cpu.push(s.value);
    else if (s.name === 'unreachable' || s.name === 'api_error') {
      if (s.name === 'unreachable') spoke.unreachable += 1;
      else spoke.apiErrors = (spoke.apiErrors ?? 0) + 1;
      if (typeof s.detail?.error === 'string') spoke.lastError = s.detail.error;
    }
  }
  for (const s of lagSamples) {
    const spoke = work.get(namespaceOf(s.labels?.object) ?? '');
    if (!spoke || typeof s.value !== 'number') continue;
    (spoke.lagValues[s.name] ??= []).push(s.value);
    if (s.name === 'applied') spoke.lastAppliedAt = Math.max(spoke.lastAppliedAt ?? 0, s.ts);
  }
  for (const s of readySamples) {
    const spoke = work.get(s.labels?.namespace ?? '');
    if (!spoke) continue;
    if (s.name === 'seen') spoke.seen += 1;
    else if (s.name === 'ready') spoke.ready += 1;
  }
  const spokes: Record<string, SpokeStats> = {};
  for (const [name, { latencies, lagValues, rss, cpu, ...stats }] of [...work].sort(([a], [b]) => a.localeCompare(b))) {
    const apiLatency = distribution(latencies);
    const rssBytes = maxMean(rss);
    const cpuCores = maxMean(cpu);
    if (rssBytes) stats.rssBytes = rssBytes;
    if (cpuCores) stats.cpuCores = cpuCores;
    for (const stage of stages) {
      const d = distribution(lagValues[stage] ?? []);
      if (d) stats.lag[stage] = d;
    }
    spokes[name] = { ...stats, ...(apiLatency ? { apiLatency } : {}) };
  }
  return { spokes };
}

export function fleetMetrics(fleet: FleetStats): Record<string, number | undefined> {
  const entries = Object.entries(fleet.spokes);
  if (entries.length === 0) return {};
  const metrics: Record<string, number | undefined> = { 'fleet.spokes': entries.length, 'fleet.unreachable_spokes': entries.filter(([, s]) => s.unreachable > 0).length };
  const appliedP95: number[] = [];
  const rssPeaks: number[] = [];
  const cpuMeans: number[] = [];
  for (const [name, s] of entries) {
    metrics[`fleet.${name}.rss.max`] = s.rssBytes?.max;
    metrics[`fleet.${name}.cpu_cores.avg`] = s.cpuCores?.mean;
    if (s.rssBytes) rssPeaks.push(s.rssBytes.max);
    if (s.cpuCores) cpuMeans.push(s.cpuCores.mean);
    for (const stage of stages) metrics[`fleet.${name}.lag.${stage}.p95`] = s.lag[stage]?.p95;
    metrics[`fleet.${name}.lag.applied.count`] = s.lag.applied?.count ?? 0;
    metrics[`fleet.${name}.ready`] = s.ready;
    metrics[`fleet.${name}.api_latency.p95`] = s.apiLatency?.p95;
    metrics[`fleet.${name}.unreachable`] = s.unreachable;
    if (s.lag.applied) appliedP95.push(s.lag.applied.p95);
  }
  if (appliedP95.length > 0) metrics['fleet.lag.applied.p95.max'] = Math.max(...appliedP95);
  if (rssPeaks.length > 0) metrics['fleet.rss_per_spoke.avg'] = maxMean(rssPeaks)!.mean;
  if (cpuMeans.length > 0) metrics['fleet.cpu_cores_per_spoke.avg'] = maxMean(cpuMeans)!.mean;
  return metrics;
}

const seconds = (v: number | undefined): string => (v === undefined ? '—' : formatDuration(v * 1000));

function fleetTable(fleet: Partial<FleetStats>): ReportTable {
  const rows = Object.entries(fleet.spokes ?? {}).map(([name, s]) => [
    name,
    `${s.ready}/${s.seen}`,
    String(s.lag.applied?.count ?? 0),
    seconds(s.lag.applied?.p50),
    seconds(s.lag.applied?.p95),
    seconds(s.lag.ready?.p95),
    s.apiLatency ? `${(s.apiLatency.p95 * 1000).toFixed(1)} ms` : '—',
    s.unreachable > 0 ? `${s.unreachable}${s.lastError ? ` (${s.lastError.slice(0, 80)})` : ''}` : '0',
    s.rssBytes ? `${(s.rssBytes.max / 2 ** 20).toFixed(0)} MiB` : '—',
    s.cpuCores ? `${s.cpuCores.mean.toFixed(3)}` : '—',
  ]);
  return {
    header: ['Spoke', 'Ready / seen', 'Commits applied', 'Applied lag p50', 'Applied lag p95', 'Ready lag p95', 'API p95', 'Unreachable probes', 'Spoke RSS peak', 'Spoke CPU (cores)'],
    rows,
    numeric: [2, 3, 4, 5, 6, 8, 9],
  };
}

/** A spoke that stopped answering while the others kept applying is what a reader must see first. */
function fleetWarnings(fleet: FleetStats): string[] {
  const entries = Object.entries(fleet.spokes);
  const moving = entries.filter(([, s]) => (s.lag.applied?.count ?? 0) > 0).length;
  return entries
    .filter(([, s]) => s.unreachable > 0)
    .map(
      ([name, s]) =>
        `spoke ${name}: its API server did not answer ${s.unreachable} probe(s)${s.lastError ? ` (last: ${s.lastError.slice(0, 120)})` : ''}; ${moving} of ${entries.length} spokes applied commits in the run`,
    );
}

/** Absent in a run without spokes. */
type FleetAnalysis = { fleet?: FleetStats };

export const fleetMeasurement = defineMeasurement({
  name: 'fleet',
  description: "every sampling interval, a one-item list on each spoke's API server; lag and readiness of the hub's objects grouped by spoke",
  catalogue,
  analyze: (input): FleetAnalysis => {
    const fleet = analyzeFleet(input.of('fleet'), input.of('lag'), input.of('ready'));
    return Object.keys(fleet.spokes).length > 0 ? { fleet } : {};
  },
  summarize: ({ fleet }: FleetAnalysis) => (fleet ? fleetMetrics(fleet) : {}),
  warnings: ({ fleet }: FleetAnalysis) => (fleet ? fleetWarnings(fleet) : []),
  sampler: {
    create: async (ctx) => {
      if (!ctx.spokes || ctx.spokes.length === 0) return undefined;
      const { FleetSampler } = await import('../metrics/fleet-sampler.ts');
      return new FleetSampler();
    },
  },
  report: { id: 'fleet', title: 'Fleet: spokes', empty: 'No spoke clusters in this run.', optional: true, table: ({ fleet }: Partial<FleetAnalysis>) => fleetTable(fleet ?? {}) },
});
