import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../util/exit-codes.ts';
import type { SampleSink } from './sample.ts';

/** One Flux controller process to observe. */
export interface ControllerTarget {
  controller: string;
  shard?: string;
  /** e.g. `http://127.0.0.1:18080/metrics` */
  metricsUrl: string;
  /** The current pid; it changes whenever the supervisor restarts the process. */
  pid?: () => number | undefined;
}

/** A spoke cluster of a fleet run, as the fleet measurement probes it. */
export interface SpokeTarget {
  name: string;
  /** e.g. `https://127.0.0.1:34567` */
  apiServerUrl: string;
  /** The spoke's kubeconfig, self-contained (its current context the spoke's): in memory only, never logged or written. */
  kubeconfig: string;
  /**
   * Host pids of the spoke's processes by component (etcd, kube-apiserver, ...), read anew each
   * time (a restarted component has a new pid); absent for a spoke that is not a process here.
   */
  componentPids?: () => Promise<Record<string, number>>;
}

/** What every measurement gets when started. */
export interface MeasurementContext {
  /** Needed by the watch- and API-based measurements (lag, stalls, readiness, API health). */
  kubeConfig?: KubeConfig;
  sink: SampleSink;
  controllers: ControllerTarget[];
  /** etcd's metrics endpoint, e.g. `http://127.0.0.1:2381/metrics`. */
  etcdMetricsUrl?: string;
  /**
   * Host pids of the cluster's control-plane components by name (etcd, kube-apiserver,
   * kube-controller-manager, ...), read anew each time (a restarted component has a new pid);
   * absent, or resolving to {}, where the control plane is not a process of this machine.
   */
  componentPids?: () => Promise<Record<string, number>>;
  /** Sampling interval in milliseconds. */
  interval: number;
  /** The spoke clusters of a fleet run (none otherwise). */
  spokes?: readonly SpokeTarget[];
  /** Where diagnostics go (rate-limited by the measurements); defaults to stderr. */
  log?: (message: string) => void;
}

/** A pluggable sampler: started once, stopped once; it never throws out of its own timer. */
export interface Measurement {
  readonly name: string;
  start(ctx: MeasurementContext): Promise<void>;
  stop(): Promise<void>;
}

export const minIntervalMs = 100;
export const maxIntervalMs = 3_600_000;

export function validateInterval(interval: number, field = 'interval'): number {
  if (!Number.isFinite(interval) || interval < minIntervalMs || interval > maxIntervalMs) {
    throw new UsageError(`measurement ${field} ${interval}: must be a number of milliseconds between ${minIntervalMs} and ${maxIntervalMs}`);
  }
  return interval;
}

export interface Ticker {
  /** Stops future ticks and waits for a tick in flight. */
  stop(): Promise<void>;
}

/**
 * Calls `tick` now and then every `intervalMs`, never overlapping: a slow tick delays the next
 * one instead of piling up. Errors go to `onError`, never out of the timer. The timer is unref'd
 * so a forgotten ticker cannot keep the process alive.
 */
export function startTicker(intervalMs: number, tick: () => Promise<void> | void, onError: (err: unknown) => void): Ticker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const run = (): void => {
    if (stopped) return;
    const startedAt = Date.now();
    inFlight = (async () => {
      try {
        await tick();
      } catch (err) {
        onError(err);
      }
    })().finally(() => {
      if (stopped) return;
      const elapsed = Date.now() - startedAt;
      timer = setTimeout(run, Math.max(0, intervalMs - elapsed));
      timer.unref();
    });
  };
  run();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

/**
 * A logger that prints a given key's first message, then at most one per `everyMs` with the
 * number suppressed meanwhile: a dead endpoint scraped every second must not flood the console.
 */
export function rateLimitedLog(log: (message: string) => void, everyMs = 60_000, now: () => number = Date.now): (key: string, message: string) => void {
  const state = new Map<string, { lastAt: number; suppressed: number }>();
  return (key, message) => {
    const entry = state.get(key);
    const t = now();
    if (entry && t - entry.lastAt < everyMs) {
      entry.suppressed += 1;
      return;
    }
    const suffix = entry && entry.suppressed > 0 ? ` (${entry.suppressed} similar messages suppressed)` : '';
    state.set(key, { lastAt: t, suppressed: 0 });
    log(`${message}${suffix}`);
  };
}

export function defaultLog(message: string): void {
  process.stderr.write(`fluxbench metrics: ${message}\n`);
}

/** A one-line reason; client errors can embed whole response bodies, so it is capped. */
export function errorMessage(err: unknown, maxLength = 300): string {
  let message: string;
  const apiError = err as { code?: unknown; body?: unknown } | undefined;
  if (apiError && typeof apiError.code === 'number' && typeof apiError.body === 'string') {
    // client-node's ApiException: the API server's Status message says what went wrong.
    let reason = apiError.body;
    try {
      reason = String((JSON.parse(apiError.body) as { message?: unknown }).message ?? apiError.body);
    } catch {
      // not JSON: keep the body as it is
    }
    message = `HTTP ${apiError.code}: ${reason}`;
  } else if (err instanceof Error) message = err.message;
  else if (err && typeof err === 'object' && 'statusCode' in err) message = `HTTP ${(err as { statusCode: unknown }).statusCode}`;
  else message = String(err);
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > maxLength ? `${message.slice(0, maxLength)}…` : message;
}
