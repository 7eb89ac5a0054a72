import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { ApiHealthSampler, type ApiHealthOptions } from './api-health.ts';
import { ControllerScraper, type ControllerScraperOptions } from './controller-scraper.ts';
import { LagTracker, type LagTrackerOptions } from './lag-tracker.ts';
import type { Push } from './lag-state.ts';
import { type Measurement, type MeasurementContext, errorMessage, validateInterval } from './measurement.ts';
import { ProcSampler } from './proc.ts';

/** Which measurements a run wants; each is on by default, `false` turns it off. */
export interface MeasurementOptions {
  /** Scrape every controller's /metrics. */
  controllers?: boolean | ControllerScraperOptions;
  /** /proc RSS and peak RSS of every controller with a pid (CPU too when `controllers` is off). */
  proc?: boolean;
  /** Lag per pushed commit, stalls and readiness from watches (needs ctx.kubeConfig). */
  lag?: boolean | LagTrackerOptions;
  /** List latency, object counts, managedFields bytes, etcd DB size (needs ctx.kubeConfig for lists). */
  api?: boolean | ApiHealthOptions;
}

export interface MeasurementsHandle {
  readonly measurements: readonly Measurement[];
  /** The lag tracker, when lag measurement is on. */
  readonly lag: LagTracker | undefined;
  /** Registers a pushed commit with the lag tracker (a no-op when lag is off). */
  recordPush(push: Push): void;
  /** Stops every measurement; safe to call more than once. */
  stop(): Promise<void>;
}

const optionKeys = ['controllers', 'proc', 'lag', 'api'];

function enabled<T extends object>(value: boolean | T | undefined): T | undefined {
  if (value === false) return undefined;
  return value === true || value === undefined ? ({} as T) : value;
}

/** The measurements `options` asks for, not yet started. */
export function buildMeasurements(ctx: MeasurementContext, options: MeasurementOptions = {}): { measurements: Measurement[]; lag: LagTracker | undefined } {
  for (const key of Object.keys(options)) {
    if (!optionKeys.includes(key)) throw new UsageError(`unknown measurement "${key}"; allowed: ${optionKeys.join(', ')}`);
  }
  const measurements: Measurement[] = [];
  const scrape = enabled(options.controllers);
  if (scrape) measurements.push(new ControllerScraper(scrape));
  // With the scraper on, CPU comes from process_cpu_seconds_total; one source avoids double counting.
  if (options.proc !== false) measurements.push(new ProcSampler({ cpu: scrape === undefined }));
  const lagOptions = enabled(options.lag);
  let lag: LagTracker | undefined;
  if (lagOptions) {
    if (!ctx.kubeConfig) throw new UsageError('measurement "lag" needs a cluster (kubeConfig); turn it off with lag: false');
    lag = new LagTracker(lagOptions);
    measurements.push(lag);
  }
  const api = enabled(options.api);
  if (api && (ctx.kubeConfig || ctx.etcdMetricsUrl)) measurements.push(new ApiHealthSampler(api));
  return { measurements, lag };
}

/** Builds and starts the measurements a scenario asks for; on a failed start, stops what started. */
export async function startMeasurements(ctx: MeasurementContext, options: MeasurementOptions = {}): Promise<MeasurementsHandle> {
  validateInterval(ctx.interval);
  const { measurements, lag } = buildMeasurements(ctx, options);
  const started: Measurement[] = [];
  for (const measurement of measurements) {
    try {
      await measurement.start(ctx);
      started.push(measurement);
    } catch (err) {
      await Promise.allSettled(started.map((m) => m.stop()));
      if (err instanceof FluxbenchError) throw err;
      throw new FluxbenchError(`starting measurement "${measurement.name}" failed: ${errorMessage(err)}`);
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    measurements,
    lag,
    recordPush(push) {
      lag?.recordPush(push);
    },
    stop() {
      stopping ??= Promise.allSettled(started.map((m) => m.stop())).then(() => undefined);
      return stopping;
    },
  };
}
