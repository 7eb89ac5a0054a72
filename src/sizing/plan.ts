/**
 * Planning a sweep: the cartesian product of the sweep's dimensions, each point turned into a
 * full scenario through the scenario schema (so a size the generator refuses fails before any
 * cluster starts), ordered from the lightest load to the heaviest so `--stop-on-failure` stops
 * at the first size that does not fit.
 */
import { defineScenario, ScenarioError, type Scenario, type ScenarioInput } from '../scenario/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import { lagThresholds } from './lag-budget.ts';
import { formatMemoryQuantity } from './quantity.ts';
import type { LagJudged, SizingSpec } from './spec.ts';

/** One point of the sweep. */
export interface SizingConfig {
  apps: number;
  /** Flux interval as written ("1m"): spec.interval of GitRepositories and Kustomizations. */
  interval: string;
  /** kustomize-controller --concurrent. */
  concurrency: number;
  /** kustomize-controller shards; 1 = no sharding. */
  shards: number;
  /** Every controller's --kube-api-qps (requests/s); absent: the base's setting or Flux's default. */
  kubeApiQps?: number;
  /** Every controller's --kube-api-burst (requests); absent as kubeApiQps. */
  kubeApiBurst?: number;
}

export interface PlannedRun {
  /** 1-based position in the sweep. */
  index: number;
  config: SizingConfig;
  scenario: Scenario;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overlays `patch` on `base` object by object; arrays and scalars in the patch replace. */
export function overlay(base: Plain, patch: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? overlay(current, value) : value;
  }
  return out;
}

/** A DNS-label-safe run name carrying the size, e.g. "sizing-a200-i1m-c4". */
export function configName(prefix: string, config: SizingConfig): string {
  const interval = config.interval.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const shards = config.shards > 1 ? `-s${config.shards}` : '';
  const qps = config.kubeApiQps !== undefined ? `-q${String(config.kubeApiQps).replace('.', 'p')}` : '';
  const burst = config.kubeApiBurst !== undefined ? `-b${config.kubeApiBurst}` : '';
  const size = `-a${config.apps}-i${interval}-c${config.concurrency}${shards}${qps}${burst}`.replace(/-+/g, '-').replace(/-$/, '');
  // Cut the prefix, not the size, to fit a DNS label: two runs of one sweep never share a name.
  return `${prefix.slice(0, Math.max(1, 63 - size.length))}${size}`.replace(/-+/g, '-');
}

/** Lighter load first: fewer apps, then a longer interval, then less concurrency, then fewer shards, then lower API client limits. */
export function compareLoad(a: SizingConfig, b: SizingConfig): number {
  return (
    a.apps - b.apps ||
    parseDuration(b.interval) - parseDuration(a.interval) ||
    a.concurrency - b.concurrency ||
    a.shards - b.shards ||
    compareApiClientLimits(a, b)
  );
}

/** The API client limits of a configuration, as controller settings (empty when the sweep does not vary them). */
function apiClientLimits(config: SizingConfig): Plain {
  return {
    ...(config.kubeApiQps !== undefined ? { kubeApiQps: config.kubeApiQps } : {}),
    ...(config.kubeApiBurst !== undefined ? { kubeApiBurst: config.kubeApiBurst } : {}),
  };
}

type ApiClientLimits = Pick<SizingConfig, 'kubeApiQps' | 'kubeApiBurst'>;

/** The API client limits a run set, in words (`kube-api-qps 500`, `kube-api-burst 1000`); none when unset. */
export function apiClientLimitsWords(limits: ApiClientLimits): string[] {
  return [
    ...(limits.kubeApiQps !== undefined ? [`kube-api-qps ${limits.kubeApiQps}`] : []),
    ...(limits.kubeApiBurst !== undefined ? [`kube-api-burst ${limits.kubeApiBurst}`] : []),
  ];
}

/** Lower API client limits first; unset counts as lowest. */
export function compareApiClientLimits(a: ApiClientLimits, b: ApiClientLimits): number {
  return (a.kubeApiQps ?? 0) - (b.kubeApiQps ?? 0) || (a.kubeApiBurst ?? 0) - (b.kubeApiBurst ?? 0);
}

/** The configuration in words, as progress lines and errors name it. */
export function describeConfig(config: SizingConfig): string {
  return [`apps ${config.apps}, interval ${config.interval}, concurrency ${config.concurrency}, shards ${config.shards}`, ...apiClientLimitsWords(config)].join(', ');
}

/**
 * Why a sweep of the API client limits would measure nothing, or undefined when it would: Flux's
 * controllers drop their client-side limits when the API server has Priority and Fairness on
 * (fluxcd/pkg runtime/client: QPS and burst -1 once flowcontrol is detected), which it is unless
 * the base's `provider.apiServer.priorityAndFairness` is false.
 */
export function apiClientLimitsNote(spec: Pick<SizingSpec, 'sweep' | 'base'>): string | undefined {
  if (spec.sweep.kubeApiQps === undefined && spec.sweep.kubeApiBurst === undefined) return undefined;
  const provider = (spec.base as Plain).provider;
  const apiServer = isPlain(provider) ? provider.apiServer : undefined;
  if (isPlain(apiServer) && apiServer.priorityAndFairness === false) return undefined;
  return (
    'sweep.kubeApiQps/kubeApiBurst: Flux\'s controllers ignore --kube-api-qps and --kube-api-burst while the API server has ' +
    'Priority and Fairness on (the default here, as in production), so these runs differ only by noise; set ' +
    'base.provider.apiServer.priorityAndFairness: false (local provider) to measure them as on a cluster without it'
  );
}

/** The churn of a sizing run: from 5s (or a tenth of the run) until four fifths of it, so the last commits can still be applied. */
export function churnTimeline(durationMs: number, churn: SizingSpec['churn']): ScenarioInput['timeline'] {
  const startMs = Math.min(5_000, Math.floor(durationMs / 10));
  const stopMs = Math.max(startMs + 1_000, Math.floor(durationMs * 0.8));
  return [
    { at: formatDuration(startMs), action: 'churn.start', rate: churn.rate, maxCommits: churn.maxCommits },
    { at: formatDuration(stopMs), action: 'churn.stop' },
  ];
}

/**
 * Thresholds a sizing run is judged by: nothing OOM-killed, restarted or stuck. Lag is a
 * threshold only for a target check; in a sweep it is what the recommendation compares, since
 * a long interval without webhooks cannot meet a short lag target and that is not a failure.
 * The lag thresholds depend on `lag` (default controllers, see lag-budget.ts), which needs the
 * `interval`; throws Error when it is missing.
 */
export function sizingThresholds(options: {
  lagP95?: string | undefined;
  lag?: LagJudged | undefined;
  interval?: string | undefined;
  memoryLimitBytes?: number | undefined;
}): string[] {
  const lag = options.lag ?? 'controllers';
  if (options.lagP95 !== undefined && lag === 'controllers' && options.interval === undefined) {
    throw new Error('sizingThresholds: judging the controllers\' lag needs the interval (the source\'s part is bounded by it)');
  }
  return [
    ...(options.memoryLimitBytes !== undefined ? [`memory.*.max < ${formatMemoryQuantity(options.memoryLimitBytes)}`] : []),
    'oom.*.count == 0',
    'restarts.count == 0',
    'stalled.count == 0',
    ...(options.lagP95 !== undefined ? lagThresholds({ lagP95: options.lagP95, lag }, options.interval ?? '0s') : []),
  ];
}

export interface BuildOptions {
  name: string;
  duration: string;
  churn: SizingSpec['churn'];
  /** Makes the lag a threshold (target checks): see `lag`. */
  lagP95?: string;
  /** What lagP95 bounds: the controllers' part (default) or the total from the push. */
  lag?: LagJudged;
  /** Applied to every enabled controller (cgroup), so a size that does not fit gets OOM-killed. */
  memoryLimitBytes?: number;
}

/** The base scenario with one configuration applied, validated by the scenario schema. */
export function buildScenario(base: ScenarioInput, config: SizingConfig, options: BuildOptions): Scenario {
  const durationMs = parseDuration(options.duration);
  const limit = options.memoryLimitBytes !== undefined ? { memoryLimit: options.memoryLimitBytes } : {};
  const api = apiClientLimits(config);
  const patch: Plain = {
    name: options.name,
    duration: options.duration,
    workload: {
      apps: config.apps,
      flux: { interval: config.interval, sourceInterval: config.interval, shards: config.shards > 1 ? config.shards : 0 },
    },
    controllers: {
      source: { ...limit, ...api },
      kustomize: { concurrent: config.concurrency, shards: config.shards, ...limit, ...api },
      ...(options.memoryLimitBytes !== undefined || Object.keys(api).length > 0 ? { helm: { ...limit, ...api }, notification: { ...limit, ...api } } : {}),
    },
    timeline: churnTimeline(durationMs, options.churn),
    thresholds: sizingThresholds({ lagP95: options.lagP95, lag: options.lag, interval: config.interval, memoryLimitBytes: options.memoryLimitBytes }),
  };
  // Each size is a different load: a regression limit against one baseline means nothing here
  // (set after the overlay, which would merge an empty object into the base's limits).
  const input = { ...overlay(base as Plain, patch), regression: {} };
  try {
    return defineScenario(input as ScenarioInput);
  } catch (error) {
    if (error instanceof ScenarioError) {
      throw new UsageError(`sizing run "${options.name}" (${describeConfig(config)}) is not a valid scenario:\n${error.message}`);
    }
    throw error;
  }
}

/** Every configuration of the sweep as a full scenario, lightest load first. */
export function planSweep(spec: SizingSpec): PlannedRun[] {
  const configs: SizingConfig[] = [];
  // An unswept limit is one point, undefined: the base's own setting (or Flux's default) stays.
  const qpsValues = spec.sweep.kubeApiQps ?? [undefined];
  const burstValues = spec.sweep.kubeApiBurst ?? [undefined];
  for (const apps of spec.sweep.apps)
    for (const interval of spec.sweep.interval)
      for (const concurrency of spec.sweep.concurrency)
        for (const shards of spec.sweep.shards)
          for (const kubeApiQps of qpsValues)
            for (const kubeApiBurst of burstValues)
              configs.push({ apps, interval, concurrency, shards, ...(kubeApiQps !== undefined ? { kubeApiQps } : {}), ...(kubeApiBurst !== undefined ? { kubeApiBurst } : {}) });
  configs.sort(compareLoad);
  return configs.map((config, i) => ({
    index: i + 1,
    config,
    scenario: buildScenario(spec.base, config, {
      name: configName(spec.name, config),
      duration: spec.duration,
      churn: spec.churn,
    }),
  }));
}
