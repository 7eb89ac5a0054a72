/**
 * Pure computations from raw samples to what reports show and thresholds judge: per-controller
 * stats, lag percentiles, restarts, faults, GitHub accounting, stalls, API health, and the flat
 * metric map of the catalogue (`memory.<controller>.max`, `lag.applied.p95`, ...).
 */
import type { Sample } from '../metrics/sample.ts';
import {
  counterIncrease,
  counterRates,
  distribution,
  medianGap,
  seriesStats,
  type Distribution,
  type SeriesStats,
  type TimePoint,
} from './stats.ts';

export const LAG_STAGES = ['artifact', 'applied', 'ready'] as const;
export type LagStage = (typeof LAG_STAGES)[number];

/** Used for stalled.count when the samples do not reveal the sampling interval. */
export const DEFAULT_SAMPLING_INTERVAL_MS = 10_000;

export interface ControllerStats {
  /** `<controller>` or `<controller>-shard<N>` when the controller runs sharded. */
  instance: string;
  controller: string;
  shard?: string;
  /** From rss_bytes (/proc VmRSS), else resident_memory_bytes (the controller's own gauge). */
  memory?: SeriesStats;
  rssPeakBytes?: number;
  residentMemoryMaxBytes?: number;
  heapInuseMaxBytes?: number;
  /** Cores, from cpu_cores, or derived from cpu_seconds_total when no rate was streamed. */
  cpu?: SeriesStats;
  queue?: SeriesStats;
  reconciles?: number;
  reconcileErrors?: number;
  reconcileP95MaxSeconds?: number;
  restClientRequests?: number;
}

export interface ProcessEvent {
  ts: number;
  controller: string;
  /** `<controller>` or `<controller>-shard<N>`, as in the controller table. */
  instance?: string;
  event: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  cause?: string;
  restarts?: number;
  /** The sample's value: restarts so far for `restart`, bytes for `memory_limit`. */
  value?: number;
}

export interface FaultBand {
  fault: string;
  target: string;
  start: number;
  /** Missing when the run ended before the fault did. */
  end?: number;
  detail?: Record<string, unknown>;
  /** Set when the fault could not be injected (a `failed` fault sample). */
  error?: string;
}

export interface IdentityStats {
  requests: number;
  status403: number;
  status429: number;
  minRemaining?: number;
  lastRemaining?: number;
  limit?: number;
  /** ms since the run's first sample when quota_remaining first reached 0. */
  exhaustedAfterMs?: number;
  /**
   * ms since the run's first sample when the quota was predicted to run out: the remaining quota
   * at the first quota sample divided by the request rate the identity then sustained (until it
   * ran out, or to the end) — what a user would extrapolate from the first minutes of a rollout.
   */
  predictedExhaustionMs?: number;
  /**
   * ms from that exhaustion until the quota was back (the first quota_remaining above 0 after
   * it: the window reset). Objects come back later still: each source retries on its own backoff.
   */
  quotaBackAfterMs?: number;
}

export interface GithubStats {
  requests: number;
  statusCounts: Record<string, number>;
  status403: number;
  status429: number;
  bytesIn: number;
  bytesOut: number;
  minQuotaRemaining?: number;
  identities: Record<string, IdentityStats>;
  webhookDeliveries: Record<string, number>;
}

export interface StallStats {
  object: string;
  reason: string;
  maxSeconds: number;
  firstTs: number;
  lastTs: number;
  /** True when the object was still stuck in the last sampling round of the run. */
  atEnd: boolean;
}

export interface ApiStats {
  listKustomizations?: Distribution;
  etcdDbMaxBytes?: number;
  managedFieldsMaxBytes?: number;
  objectCounts: Record<string, number>;
}

export interface ObjectsStats {
  readyLast?: number;
  totalLast?: number;
  byKind: Record<string, { ready?: number; total?: number }>;
}

export interface SampleAnalysis {
  firstTs?: number;
  lastTs?: number;
  controllers: ControllerStats[];
  lag: Partial<Record<LagStage, Distribution>>;
  processEvents: ProcessEvent[];
  restartsByController: Record<string, number>;
  oomsByController: Record<string, number>;
  /** The same per instance (a shard's restarts are its own, not the controller's total). */
  restartsByInstance: Record<string, number>;
  oomsByInstance: Record<string, number>;
  faults: FaultBand[];
  github: GithubStats;
  stalls: StallStats[];
  stalledAtEnd: string[];
  api: ApiStats;
  objects: ObjectsStats;
}

/** Analyses one run's samples (any order). */
export function analyzeSamples(samples: readonly Sample[]): SampleAnalysis {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const byKind = groupBy(sorted, (s) => s.kind);
  const of = (kind: Sample['kind']) => byKind.get(kind) ?? [];
  const firstTs = sorted[0]?.ts;
  const processEvents = analyzeProcessEvents(of('process'));
  const restartsByController: Record<string, number> = {};
  const oomsByController: Record<string, number> = {};
  const controllers = analyzeControllers(of('controller'));
  for (const name of new Set([...controllers.map((c) => c.controller), ...processEvents.map((e) => e.controller)])) {
    restartsByController[name] = 0;
    oomsByController[name] = 0;
  }
  const restartsByInstance: Record<string, number> = {};
  const oomsByInstance: Record<string, number> = {};
  const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const event of processEvents) {
    const instance = event.instance ?? event.controller;
    if (event.event === 'restart') {
      bump(restartsByController, event.controller);
      bump(restartsByInstance, instance);
    }
    if (event.event === 'oom_killed') {
      bump(oomsByController, event.controller);
      bump(oomsByInstance, instance);
    }
  }
  const { stalls, stalledAtEnd } = analyzeStalls(of('stall'), of('objects'));
  return {
    firstTs,
    lastTs: sorted[sorted.length - 1]?.ts,
    controllers,
    lag: analyzeLag(of('lag')),
    processEvents,
    restartsByController,
    oomsByController,
    restartsByInstance,
    oomsByInstance,
    faults: pairFaults(of('fault')),
    github: analyzeGithub(of('github'), firstTs ?? 0),
    stalls,
    stalledAtEnd,
    api: analyzeApi(of('api')),
    objects: analyzeObjects(of('objects')),
  };
}

/** Groups items by key, each group keeping the input order. */
function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = out.get(key);
    if (group) group.push(item);
    else out.set(key, [item]);
  }
  return out;
}

/** The instance a controller sample belongs to: one per controller, or per shard when sharded. */
export function controllerInstance(labels: Record<string, string> | undefined): string | undefined {
  const controller = labels?.controller;
  if (!controller) return undefined;
  if (labels.shard === undefined || labels.shard === '') return controller;
  // The supervisor labels shards "shard1".."shardN" (its instance names), the catalogue "1".."N": both name "<controller>-shard<N>".
  return `${controller}-${labels.shard.startsWith('shard') ? labels.shard : `shard${labels.shard}`}`;
}

/** Time-ordered points of one sample name per controller instance. */
export function controllerSeries(sorted: readonly Sample[], name: string): Map<string, TimePoint[]> {
  const out = new Map<string, TimePoint[]>();
  for (const s of sorted) {
    if (s.kind !== 'controller' || s.name !== name || typeof s.value !== 'number') continue;
    const instance = controllerInstance(s.labels);
    if (!instance) continue;
    let points = out.get(instance);
    if (!points) out.set(instance, (points = []));
    points.push({ ts: s.ts, value: s.value });
  }
  return out;
}

/** CPU cores per instance: streamed cpu_cores, else the rate of cpu_seconds_total. */
export function cpuSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const cores = controllerSeries(sorted, 'cpu_cores');
  for (const [instance, points] of controllerSeries(sorted, 'cpu_seconds_total')) {
    if (!cores.has(instance)) cores.set(instance, counterRates(points));
  }
  return cores;
}

/**
 * Workqueue depth per instance. A sample without a `queue` label is already the sum over
 * queues; when only per-queue samples exist they are summed per scrape.
 */
export function queueSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const totals = new Map<string, TimePoint[]>();
  const perQueue = new Map<string, Map<number, number>>();
  for (const s of sorted) {
    if (s.kind !== 'controller' || s.name !== 'workqueue_depth' || typeof s.value !== 'number') continue;
    const instance = controllerInstance(s.labels);
    if (!instance) continue;
    if (s.labels?.queue === undefined) {
      let points = totals.get(instance);
      if (!points) totals.set(instance, (points = []));
      points.push({ ts: s.ts, value: s.value });
    } else {
      let byTs = perQueue.get(instance);
      if (!byTs) perQueue.set(instance, (byTs = new Map()));
      byTs.set(s.ts, (byTs.get(s.ts) ?? 0) + s.value);
    }
  }
  for (const [instance, byTs] of perQueue) {
    if (totals.has(instance)) continue;
    totals.set(
      instance,
      [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value })),
    );
  }
  return totals;
}

function analyzeControllers(sorted: readonly Sample[]): ControllerStats[] {
  const identity = new Map<string, { controller: string; shard?: string }>();
  for (const s of sorted) {
    if (s.kind !== 'controller') continue;
    const instance = controllerInstance(s.labels);
    if (instance && !identity.has(instance)) {
      const shard = s.labels?.shard;
      identity.set(instance, shard ? { controller: s.labels!.controller!, shard } : { controller: s.labels!.controller! });
    }
  }
  const byName = groupBy(sorted, (s) => s.name);
  const series = (name: string) => controllerSeries(byName.get(name) ?? [], name);
  const rss = series('rss_bytes');
  const rssPeak = series('rss_peak_bytes');
  const resident = series('resident_memory_bytes');
  const heap = series('go_heap_inuse_bytes');
  const reconciles = series('reconcile_total');
  const errors = series('reconcile_errors_total');
  const durations = series('reconcile_duration_p95_seconds');
  const rest = series('rest_client_requests_total');
  const cpu = cpuSeries(sorted);
  const queue = queueSeries(sorted);
  const maxOf = (points: TimePoint[] | undefined) => (points && points.length > 0 ? seriesStats(points)!.max : undefined);
  const increaseOf = (points: TimePoint[] | undefined) => (points && points.length > 0 ? counterIncrease(points) : undefined);

  return [...identity.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([instance, id]) => {
      const stats: ControllerStats = { instance, ...id };
      assignDefined(stats, {
        // Without /proc (kind, existing clusters) the controller's own RSS gauge stands in.
        memory: seriesStats(rss.get(instance) ?? resident.get(instance) ?? []),
        rssPeakBytes: maxOf(rssPeak.get(instance)),
        residentMemoryMaxBytes: maxOf(resident.get(instance)),
        heapInuseMaxBytes: maxOf(heap.get(instance)),
        cpu: seriesStats(cpu.get(instance) ?? []),
        queue: seriesStats(queue.get(instance) ?? []),
        reconciles: increaseOf(reconciles.get(instance)),
        reconcileErrors: increaseOf(errors.get(instance)),
        reconcileP95MaxSeconds: maxOf(durations.get(instance)),
        restClientRequests: increaseOf(rest.get(instance)),
      });
      return stats;
    });
}

function analyzeLag(sorted: readonly Sample[]): Partial<Record<LagStage, Distribution>> {
  const values = lagValuesByStage(sorted);
  const out: Partial<Record<LagStage, Distribution>> = {};
  for (const stage of LAG_STAGES) {
    const d = distribution(values[stage]);
    if (d) out[stage] = d;
  }
  return out;
}

/** Lag seconds per stage. The stage is the sample name; a `stage` label is accepted too. */
export function lagValuesByStage(samples: readonly Sample[]): Record<LagStage, number[]> {
  const out: Record<LagStage, number[]> = { artifact: [], applied: [], ready: [] };
  for (const s of samples) {
    if (s.kind !== 'lag' || typeof s.value !== 'number') continue;
    const stage = (LAG_STAGES as readonly string[]).includes(s.name) ? s.name : s.labels?.stage;
    if (stage && stage in out) out[stage as LagStage].push(s.value);
  }
  return out;
}

function analyzeProcessEvents(sorted: readonly Sample[]): ProcessEvent[] {
  const out: ProcessEvent[] = [];
  for (const s of sorted) {
    if (s.kind !== 'process') continue;
    const controller = s.labels?.controller ?? 'unknown';
    const d = s.detail ?? {};
    const event: ProcessEvent = { ts: s.ts, controller, event: s.name };
    const instance = controllerInstance(s.labels);
    if (instance && instance !== controller) event.instance = instance;
    if (typeof d.pid === 'number') event.pid = d.pid;
    if (typeof d.code === 'number' || d.code === null) event.code = d.code;
    if (typeof d.signal === 'string' || d.signal === null) event.signal = d.signal;
    // exit/oom_killed carry `cause`; a restart names the exit that led to it as `previousCause`.
    if (typeof d.cause === 'string') event.cause = d.cause;
    else if (typeof d.previousCause === 'string') event.cause = d.previousCause;
    if (typeof s.value === 'number') event.value = s.value;
    if (typeof d.restarts === 'number') event.restarts = d.restarts;
    out.push(event);
  }
  return out;
}

/**
 * Turns fault start/end samples into bands. An end closes the open start with the same fault,
 * target and id (detail.id or detail.index, when the producer sets one), else the earliest open
 * start of that fault and target. A `failed` sample marks a fault that could not be injected.
 */
export function pairFaults(sorted: readonly Sample[]): FaultBand[] {
  const bands: FaultBand[] = [];
  const open = new Map<string, { band: FaultBand; id: string | undefined }[]>();
  for (const s of sorted) {
    if (s.kind !== 'fault') continue;
    const fault = s.labels?.fault ?? 'unknown';
    const target = s.labels?.target ?? '';
    const key = `${fault}\u0000${target}`;
    const id = faultId(s.detail);
    const queue = open.get(key) ?? [];
    open.set(key, queue);
    if (s.name === 'start') {
      const band: FaultBand = { fault, target, start: s.ts };
      if (s.detail && Object.keys(s.detail).length > 0) band.detail = s.detail;
      bands.push(band);
      queue.push({ band, id });
      continue;
    }
    if (s.name !== 'end' && s.name !== 'failed') continue;
    let index = id === undefined ? -1 : queue.findIndex((entry) => entry.id === id);
    if (index < 0 && queue.length > 0) index = 0;
    const closed = index >= 0 ? queue.splice(index, 1)[0]!.band : undefined;
    if (s.name === 'end') {
      if (closed) closed.end = s.ts;
      continue;
    }
    const error = typeof s.detail?.error === 'string' ? s.detail.error : 'injection failed';
    if (closed) {
      closed.end = s.ts;
      closed.error = error;
    } else {
      bands.push({ fault, target, start: s.ts, end: s.ts, error });
    }
  }
  return bands;
}

function faultId(detail: Record<string, unknown> | undefined): string | undefined {
  const id = detail?.id ?? detail?.index;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function analyzeGithub(sorted: readonly Sample[], firstTs: number): GithubStats {
  const stats: GithubStats = {
    requests: 0,
    statusCounts: {},
    status403: 0,
    status429: 0,
    bytesIn: 0,
    bytesOut: 0,
    identities: {},
    webhookDeliveries: {},
  };
  const identityStats = (identity: string): IdentityStats =>
    (stats.identities[identity] ??= { requests: 0, status403: 0, status429: 0 });
  for (const s of sorted) {
    if (s.kind !== 'github') continue;
    const identity = s.labels?.identity ?? 'anonymous';
    if (s.name === 'request') {
      const status = s.labels?.status ?? 'unknown';
      const id = identityStats(identity);
      stats.requests += 1;
      id.requests += 1;
      stats.statusCounts[status] = (stats.statusCounts[status] ?? 0) + 1;
      if (status === '403') {
        stats.status403 += 1;
        id.status403 += 1;
      }
      if (status === '429') {
        stats.status429 += 1;
        id.status429 += 1;
      }
      if (typeof s.detail?.bytesIn === 'number') stats.bytesIn += s.detail.bytesIn;
      if (typeof s.detail?.bytesOut === 'number') stats.bytesOut += s.detail.bytesOut;
    } else if (s.name === 'quota_remaining' && typeof s.value === 'number') {
      const id = identityStats(identity);
      id.minRemaining = Math.min(id.minRemaining ?? Infinity, s.value);
      id.lastRemaining = s.value;
      if (s.value <= 0 && id.exhaustedAfterMs === undefined) id.exhaustedAfterMs = s.ts - firstTs;
      else if (s.value > 0 && id.exhaustedAfterMs !== undefined && id.quotaBackAfterMs === undefined) id.quotaBackAfterMs = s.ts - firstTs - id.exhaustedAfterMs;
      stats.minQuotaRemaining = Math.min(stats.minQuotaRemaining ?? Infinity, s.value);
    } else if (s.name === 'quota_limit' && typeof s.value === 'number') {
      identityStats(identity).limit = s.value;
    } else if (s.name === 'webhook_delivery') {
      const status = s.labels?.status ?? 'unknown';
      stats.webhookDeliveries[status] = (stats.webhookDeliveries[status] ?? 0) + 1;
    }
  }
  for (const [identity, id] of Object.entries(stats.identities)) {
    const predicted = predictExhaustion(sorted, identity, id.exhaustedAfterMs === undefined ? undefined : firstTs + id.exhaustedAfterMs);
    if (predicted !== undefined) id.predictedExhaustionMs = predicted - firstTs;
  }
  return stats;
}

/** Epoch ms at which `identity`'s quota would run out at the rate it sustained; undefined without a rate. */
function predictExhaustion(sorted: readonly Sample[], identity: string, exhaustedAt: number | undefined): number | undefined {
  const first = sorted.find((s) => s.name === 'quota_remaining' && s.labels?.identity === identity && typeof s.value === 'number');
  if (!first || first.value! <= 0) return undefined;
  const until = exhaustedAt ?? Infinity;
  const requests = sorted.filter((s) => s.name === 'request' && s.labels?.identity === identity && s.ts >= first.ts && s.ts < until);
  const last = requests.at(-1);
  if (!last || requests.length < 2 || last.ts <= first.ts) return undefined;
  const ratePerMs = requests.length / (last.ts - first.ts);
  return first.ts + first.value! / ratePerMs;
}

/**
 * Stalls per (object, reason), and the objects still stuck at the end. Stall samples are only
 * emitted while an object is stuck, once per sampling round; the last round is the latest
 * stall/objects sampling time, and a stall counts as "at the end" when it was seen within half a
 * sampling interval of it (jitter tolerant, yet never matching the round before).
 */
function analyzeStalls(stallSamples: readonly Sample[], objectSamples: readonly Sample[]): { stalls: StallStats[]; stalledAtEnd: string[] } {
  const roundTimes = [...objectSamples, ...stallSamples].map((s) => s.ts);
  const interval =
    medianGap(objectSamples.map((s) => s.ts)) ??
    medianGap(stallSamples.map((s) => s.ts)) ??
    DEFAULT_SAMPLING_INTERVAL_MS;
  const lastRound = roundTimes.reduce<number | undefined>((max, ts) => (max === undefined || ts > max ? ts : max), undefined);
  const byKey = new Map<string, StallStats>();
  for (const s of stallSamples) {
    const object = s.labels?.object ?? 'unknown';
    const key = `${object}\u0000${s.name}`;
    const seconds = typeof s.value === 'number' ? s.value : 0;
    const atEnd = lastRound !== undefined && s.ts >= lastRound - interval / 2;
    const existing = byKey.get(key);
    if (existing) {
      existing.maxSeconds = Math.max(existing.maxSeconds, seconds);
      existing.lastTs = s.ts;
      existing.atEnd ||= atEnd;
    } else {
      byKey.set(key, { object, reason: s.name, maxSeconds: seconds, firstTs: s.ts, lastTs: s.ts, atEnd });
    }
  }
  const stalls = [...byKey.values()].sort((a, b) => a.object.localeCompare(b.object) || a.reason.localeCompare(b.reason));
  const stalledAtEnd = [...new Set(stalls.filter((s) => s.atEnd).map((s) => s.object))].sort();
  return { stalls, stalledAtEnd };
}

function analyzeApi(sorted: readonly Sample[]): ApiStats {
  const listSeconds: number[] = [];
  const api: ApiStats = { objectCounts: {} };
  for (const s of sorted) {
    if (s.kind !== 'api' || typeof s.value !== 'number') continue;
    if (s.name === 'list_kustomizations_seconds') listSeconds.push(s.value);
    else if (s.name === 'etcd_db_bytes') api.etcdDbMaxBytes = Math.max(api.etcdDbMaxBytes ?? 0, s.value);
    else if (s.name === 'managed_fields_bytes') api.managedFieldsMaxBytes = Math.max(api.managedFieldsMaxBytes ?? 0, s.value);
    else if (s.name === 'object_count') api.objectCounts[s.labels?.resource ?? 'unknown'] = s.value;
  }
  const d = distribution(listSeconds);
  if (d) api.listKustomizations = d;
  return api;
}

function analyzeObjects(sorted: readonly Sample[]): ObjectsStats {
  const byKind: ObjectsStats['byKind'] = {};
  for (const s of sorted) {
    if (s.kind !== 'objects' || typeof s.value !== 'number') continue;
    if (s.name !== 'ready' && s.name !== 'total') continue;
    const kind = s.labels?.kind ?? 'all';
    (byKind[kind] ??= {})[s.name] = s.value;
  }
  const kinds = Object.values(byKind);
  const sum = (field: 'ready' | 'total') =>
    kinds.some((k) => k[field] !== undefined) ? kinds.reduce((acc, k) => acc + (k[field] ?? 0), 0) : undefined;
  const out: ObjectsStats = { byKind };
  assignDefined(out, { readyLast: sum('ready'), totalLast: sum('total') });
  return out;
}

/**
 * The flat metric map of the catalogue. With several shards of a controller `<controller>` stands
 * for the worst shard (max of per-shard figures) and each shard also appears as `<controller>-shard<N>`.
 */
export function flatMetrics(analysis: SampleAnalysis): Record<string, number> {
  const m: Record<string, number> = {};
  const byController = new Map<string, ControllerStats[]>();
  for (const c of analysis.controllers) byController.set(c.controller, [...(byController.get(c.controller) ?? []), c]);

  const put = (key: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) m[key] = value;
  };
  const worst = (list: ControllerStats[], pick: (c: ControllerStats) => number | undefined) => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const total = (list: ControllerStats[], pick: (c: ControllerStats) => number | undefined) => {
    const values = list.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const controllerMetrics = (name: string, list: ControllerStats[]) => {
    put(`memory.${name}.max`, worst(list, (c) => c.memory?.max));
    put(`memory.${name}.avg`, worst(list, (c) => c.memory?.avg));
    put(`memory.${name}.last`, worst(list, (c) => c.memory?.last));
    put(`cpu.${name}.avg`, worst(list, (c) => c.cpu?.avg));
    put(`cpu.${name}.max`, worst(list, (c) => c.cpu?.max));
    put(`queue.${name}.max`, worst(list, (c) => c.queue?.max));
    put(`reconcile.${name}.errors`, total(list, (c) => c.reconcileErrors));
  };
  for (const [controller, list] of byController) {
    controllerMetrics(controller, list);
    // A lone shard (labelled shard="0") is just the controller: no second name for a glob to match.
    // The unlabelled main instance beside its shards shares the controller's name: it must not
    // overwrite the worst-of-all figures just written under that name.
    if (list.length > 1) for (const c of list) if (c.instance !== controller) controllerMetrics(c.instance, [c]);
  }

  let restarts = 0;
  for (const [controller, count] of Object.entries(analysis.restartsByController)) {
    put(`restarts.${controller}.count`, count);
    restarts += count;
  }
  for (const [controller, count] of Object.entries(analysis.oomsByController)) put(`oom.${controller}.count`, count);
  put('restarts.count', restarts);

  for (const stage of LAG_STAGES) {
    const d = analysis.lag[stage];
    put(`lag.${stage}.count`, d?.count ?? 0);
    if (!d) continue;
    put(`lag.${stage}.p50`, d.p50);
    put(`lag.${stage}.p95`, d.p95);
    put(`lag.${stage}.p99`, d.p99);
    put(`lag.${stage}.max`, d.max);
  }

  put('github.requests.count', analysis.github.requests);
  put('github.status_403.count', analysis.github.status403);
  put('github.status_429.count', analysis.github.status429);
  put('github.quota.min_remaining', analysis.github.minQuotaRemaining);
  const identities = Object.values(analysis.github.identities);
  const earliest = (values: Array<number | undefined>) => {
    const defined = values.filter((v): v is number => v !== undefined);
    return defined.length ? Math.min(...defined) / 1000 : undefined;
  };
  put('github.quota.exhausted_after', earliest(identities.map((i) => i.exhaustedAfterMs)));
  put('github.quota.predicted_exhaustion', earliest(identities.map((i) => i.predictedExhaustionMs)));
  put('github.quota.back_after', earliest(identities.map((i) => i.quotaBackAfterMs)));

  put('stalled.count', analysis.stalledAtEnd.length);
  put('api.list_kustomizations.p95', analysis.api.listKustomizations?.p95);
  put('etcd.db_bytes.max', analysis.api.etcdDbMaxBytes);
  put('api.managed_fields_bytes.max', analysis.api.managedFieldsMaxBytes);
  put('objects.ready.last', analysis.objects.readyLast);
  put('objects.total.last', analysis.objects.totalLast);
  return Object.fromEntries(Object.entries(m).sort((a, b) => a[0].localeCompare(b[0])));
}

function assignDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}
