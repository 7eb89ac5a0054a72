/**
 * The sizing table: one row per run of the sweep with what sizing decisions rest on (memory
 * and CPU per controller, lag, API and etcd health, Git host load), and the recommendations
 * derived from it. Pure: it reads summaries, never a cluster.
 */
import type { Summary, Verdict } from '../report/index.ts';
import { parseDuration } from '../util/units.ts';
import { lagLever, lagMet, lagMissedNote, type LagBudget, type LagParts } from './lag-budget.ts';
import { compareApiClientLimits, type SizingConfig } from './plan.ts';
import { formatMemoryQuantity, roundUpMemory } from './quantity.ts';
import type { LagJudged, SizingTargets } from './spec.ts';

export interface SizingResult {
  config: SizingConfig;
  /** Absent when the run produced no summary (it could not start). */
  summary?: Summary | undefined;
  runDir?: string | undefined;
}

export interface SizingRow extends SizingConfig {
  runId?: string;
  runDir?: string;
  /** memory.<controller>.max (bytes, RSS; the worst instance when sharded). */
  memoryMaxBytes: Record<string, number>;
  cpuAvgCores: Record<string, number>;
  cpuMaxCores: Record<string, number>;
  /** ready.all_after: seconds from the apply of the root objects until every object was Ready; absent when one never was. */
  readyAllAfterSeconds?: number;
  /** ready.not_ready: objects that never got Ready after the apply (0 when all did). */
  notReady?: number;
  /** lag.applied.p95: push → applied, the total. */
  lagAppliedP95Seconds?: number;
  /** lag.artifact.p95: push → artifact, the source's part (mostly the poll). */
  lagArtifactP95Seconds?: number;
  /** lag.controllers.p95: artifact → applied, the controllers' part. */
  lagControllersP95Seconds?: number;
  listKustomizationsP95Seconds?: number;
  etcdDbMaxBytes?: number;
  /**
   * control_plane.<component>.memory.peak of kube-apiserver and etcd (bytes, VmHWM); {} where the
   * control plane is not processes of this machine; absent in a sizing.json written before it.
   */
  controlPlanePeakBytes?: Partial<Record<SizedComponent, number>>;
  githubRequests?: number;
  /** Git host requests per minute over the sampled span of the run (settle and measure). */
  githubRequestsPerMinute?: number;
  github429?: number;
  ooms: number;
  restarts: number;
  verdict: Verdict | 'not-run';
}

/** The control-plane components a sizing table shows: where Flux's objects and CRDs land first. */
export const sizedComponents = ['kube-apiserver', 'etcd'] as const;
export type SizedComponent = (typeof sizedComponents)[number];

/** Controller names a summary measured (shard instances fold into their controller). */
function controllersOf(summary: Summary): string[] {
  return [...new Set(summary.controllers.map((c) => c.controller))].sort();
}

function perController(metrics: Record<string, number>, controllers: string[], family: string, stat: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const controller of controllers) {
    const value = metrics[`${family}.${controller}.${stat}`];
    if (value !== undefined) out[controller] = value;
  }
  return out;
}

function sampledMinutes(summary: Summary): number | undefined {
  const { firstSampleAt, lastSampleAt, durationSeconds } = summary.run;
  const ms = firstSampleAt !== undefined && lastSampleAt !== undefined ? lastSampleAt - firstSampleAt : durationSeconds * 1000;
  return ms > 0 ? ms / 60_000 : undefined;
}

export function sizingRow(result: SizingResult): SizingRow {
  const { config, summary } = result;
  const base = { ...config, ...(result.runDir ? { runDir: result.runDir } : {}) };
  if (!summary) return { ...base, memoryMaxBytes: {}, cpuAvgCores: {}, cpuMaxCores: {}, controlPlanePeakBytes: {}, ooms: 0, restarts: 0, verdict: 'not-run' };
  const m = summary.metrics;
  const controllers = controllersOf(summary);
  const minutes = sampledMinutes(summary);
  const requests = m['github.requests.count'];
  const optional = (key: string, value: number | undefined) => (value !== undefined && Number.isFinite(value) ? { [key]: value } : {});
  const sum = (prefix: string) =>
    Object.entries(m)
      .filter(([key]) => key.startsWith(`${prefix}.`) && key.endsWith('.count') && key.split('.').length === 3)
      .reduce((total, [, value]) => total + value, 0);
  return {
    ...base,
    runId: summary.run.runId,
    memoryMaxBytes: perController(m, controllers, 'memory', 'max'),
    cpuAvgCores: perController(m, controllers, 'cpu', 'avg'),
    cpuMaxCores: perController(m, controllers, 'cpu', 'max'),
    ...optional('readyAllAfterSeconds', m['ready.all_after']),
    ...optional('notReady', m['ready.not_ready']),
    ...optional('lagAppliedP95Seconds', m['lag.applied.p95']),
    ...optional('lagArtifactP95Seconds', m['lag.artifact.p95']),
    ...optional('lagControllersP95Seconds', m['lag.controllers.p95']),
    ...optional('listKustomizationsP95Seconds', m['api.list_kustomizations.p95']),
    ...optional('etcdDbMaxBytes', m['etcd.db_bytes.max']),
    controlPlanePeakBytes: perController(m, [...sizedComponents], 'control_plane', 'memory.peak'),
    ...optional('githubRequests', requests),
    ...optional('githubRequestsPerMinute', requests !== undefined && minutes !== undefined ? requests / minutes : undefined),
    ...optional('github429', m['github.status_429.count']),
    ooms: sum('oom'),
    restarts: m['restarts.count'] ?? sum('restarts'),
    verdict: summary.verdict,
  };
}

/** One row per run, in the order the runs were planned. */
export function sizingTable(results: readonly SizingResult[]): SizingRow[] {
  return results.map(sizingRow);
}

export interface MemoryRecommendation {
  /** The largest RSS measured for this controller over the rows considered. */
  measuredMaxBytes: number;
  /** measured × headroom, rounded up to a Kubernetes-friendly quantity. */
  limitBytes: number;
  limit: string;
}

export interface AppsRecommendation {
  apps: number;
  memory: Record<string, MemoryRecommendation>;
  /** The fewest shards, then the lowest concurrency, whose run kept the judged lag under the target without restarts. */
  concurrency?: {
    concurrency: number;
    shards: number;
    interval: string;
    lagAppliedP95Seconds: number;
    lagArtifactP95Seconds?: number;
    lagControllersP95Seconds?: number;
    /** The API client limits of that run, when the sweep varied them. */
    kubeApiQps?: number;
    kubeApiBurst?: number;
  };
  /** The shortest interval whose Git host and API load stayed under the targets. */
  interval?: { interval: string; githubRequestsPerMinute?: number; listKustomizationsP95Seconds?: number };
  /** Why a recommendation is missing. */
  notes: string[];
}

export interface SizingRecommendation {
  headroom: number;
  /** `lag`: which lag lagP95Seconds bounded (see lag-budget.ts). */
  targets: { lagP95Seconds: number; lag: LagJudged; githubRequestsPerMinute: number; listP95Seconds: number };
  /** Over every row: limits from the largest RSS measured anywhere in the sweep. */
  memory: Record<string, MemoryRecommendation>;
  byApps: AppsRecommendation[];
}

function memoryOf(rows: readonly SizingRow[], headroom: number): Record<string, MemoryRecommendation> {
  const measured = new Map<string, number>();
  for (const row of rows) {
    for (const [controller, bytes] of Object.entries(row.memoryMaxBytes)) measured.set(controller, Math.max(measured.get(controller) ?? 0, bytes));
  }
  const out: Record<string, MemoryRecommendation> = {};
  for (const [controller, bytes] of [...measured].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (bytes <= 0) continue;
    const limitBytes = roundUpMemory(bytes * headroom);
    out[controller] = { measuredMaxBytes: bytes, limitBytes, limit: formatMemoryQuantity(limitBytes) };
  }
  return out;
}

const partsOf = (row: SizingRow): LagParts => ({
  sourceP95Seconds: row.lagArtifactP95Seconds,
  controllersP95Seconds: row.lagControllersP95Seconds,
  totalP95Seconds: row.lagAppliedP95Seconds,
});

/**
 * The fewest shards, then the lowest concurrency, then the longest interval, then the lowest API
 * client limits, of a healthy run that met the lag budget; else a note saying so, and the lever
 * that would move the lag of the run with the shortest total lag.
 */
function cheapestWithinLag(healthy: readonly SizingRow[], budget: LagBudget): { best?: SizingRow; notes: string[] } {
  const fast = healthy
    .filter((row) => lagMet(partsOf(row), row.interval, budget))
    .sort(
      (a, b) =>
        a.shards - b.shards ||
        a.concurrency - b.concurrency ||
        parseDuration(b.interval) - parseDuration(a.interval) ||
        compareApiClientLimits(a, b),
    );
  if (fast[0]) return { best: fast[0], notes: [] };
  const notes = [lagMissedNote(budget)];
  const closest = healthy
    .filter((row) => row.lagAppliedP95Seconds !== undefined)
    .sort((a, b) => a.lagAppliedP95Seconds! - b.lagAppliedP95Seconds!)[0];
  const lever = closest ? lagLever(partsOf(closest), closest.interval, budget) : undefined;
  if (closest && lever) notes.push(`at interval ${closest.interval}, concurrency ${closest.concurrency}, ${lever}`);
  return { notes };
}

/**
 * Recommendations from the table: per app count, memory limits (measured max × headroom,
 * rounded up), the cheapest concurrency/shard setting that met the lag budget (by default on the
 * controllers' part of the lag, `targets.lag`; see lag-budget.ts), and the shortest interval the
 * Git host and API tolerated.
 */
export function recommend(
  table: readonly SizingRow[],
  headroom: number,
  targets: Pick<SizingTargets, 'lagP95' | 'githubRequestsPerMinute' | 'listP95'> & Partial<Pick<SizingTargets, 'lag'>>,
): SizingRecommendation {
  const lagTarget = parseDuration(targets.lagP95) / 1000;
  const budget: LagBudget = { lagP95: targets.lagP95, lag: targets.lag ?? 'controllers' };
  const listTarget = parseDuration(targets.listP95) / 1000;
  // Only runs that measured to the end speak for a size: an interrupted, timed-out or failed-to-start
  // run has partial numbers (or none) and must not make an interval look gentle.
  const measuredRows = table.filter((row) => row.verdict === 'passed' || row.verdict === 'failed');
  const startedRows = table.filter((row) => row.verdict !== 'not-run');
  const appCounts = [...new Set(startedRows.map((row) => row.apps))].sort((a, b) => a - b);
  const byApps = appCounts.map((apps): AppsRecommendation => {
    const rows = measuredRows.filter((row) => row.apps === apps);
    if (rows.length === 0) {
      const verdicts = [...new Set(startedRows.filter((row) => row.apps === apps).map((row) => row.verdict))].join(', ');
      return { apps, memory: {}, notes: [`no run at this size measured to the end (${verdicts})`] };
    }
    const { best, notes } = cheapestWithinLag(
      rows.filter((row) => row.ooms === 0 && row.restarts === 0),
      budget,
    );
    const gentle = rows
      .filter(
        (row) =>
          row.githubRequestsPerMinute !== undefined &&
          row.githubRequestsPerMinute <= targets.githubRequestsPerMinute &&
          (row.github429 ?? 0) === 0 &&
          (row.listKustomizationsP95Seconds === undefined || row.listKustomizationsP95Seconds <= listTarget),
      )
      .sort((a, b) => parseDuration(a.interval) - parseDuration(b.interval));
    const shortest = gentle[0];
    if (!shortest) notes.push(`no interval kept Git host load at or under ${targets.githubRequestsPerMinute} requests/min with API list p95 under ${targets.listP95}`);
    return {
      apps,
      memory: memoryOf(rows, headroom),
      ...(best
        ? {
            concurrency: {
              concurrency: best.concurrency,
              shards: best.shards,
              interval: best.interval,
              // Both budgets are met only by runs that measured the applied lag.
              lagAppliedP95Seconds: best.lagAppliedP95Seconds!,
              ...(best.lagArtifactP95Seconds !== undefined ? { lagArtifactP95Seconds: best.lagArtifactP95Seconds } : {}),
              ...(best.lagControllersP95Seconds !== undefined ? { lagControllersP95Seconds: best.lagControllersP95Seconds } : {}),
              ...(best.kubeApiQps !== undefined ? { kubeApiQps: best.kubeApiQps } : {}),
              ...(best.kubeApiBurst !== undefined ? { kubeApiBurst: best.kubeApiBurst } : {}),
            },
          }
        : {}),
      ...(shortest
        ? {
            interval: {
              interval: shortest.interval,
              ...(shortest.githubRequestsPerMinute !== undefined ? { githubRequestsPerMinute: shortest.githubRequestsPerMinute } : {}),
              ...(shortest.listKustomizationsP95Seconds !== undefined ? { listKustomizationsP95Seconds: shortest.listKustomizationsP95Seconds } : {}),
            },
          }
        : {}),
      notes,
    };
  });
  return {
    headroom,
    targets: { lagP95Seconds: lagTarget, lag: budget.lag, githubRequestsPerMinute: targets.githubRequestsPerMinute, listP95Seconds: listTarget },
    memory: memoryOf(measuredRows, headroom),
    byApps,
  };
}
