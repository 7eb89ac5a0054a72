import { FluxbenchError } from '../util/exit-codes.ts';
import type { LagTracker } from './lag-tracker.ts';
import type { Push } from './lag-state.ts';
import { type Measurement, type MeasurementContext, errorMessage, validateInterval } from './measurement.ts';

export interface MeasurementsHandle {
  readonly measurements: readonly Measurement[];
  /** The lag tracker, when lag measurement is on. */
  readonly lag: LagTracker | undefined;
  /** Registers a pushed commit with the lag tracker (a no-op when lag is off). */
  recordPush(push: Push): void;
  /** Stops every measurement; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts samplers in order, each streaming to `ctx.sink` on its own timer or watches until
 * stopped. Throws UsageError for a bad interval, and FluxbenchError naming the sampler that
 * failed to start, after stopping the ones already started; nothing is left running then.
 * Which samplers a run wants is decided above this layer (src/measurements' registry).
 */
export async function startSamplers(ctx: MeasurementContext, measurements: readonly Measurement[]): Promise<MeasurementsHandle> {
  validateInterval(ctx.interval);
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
  // Found by shape, not class: importing the class would load the Kubernetes client for every caller.
  const lag = measurements.find((m): m is LagTracker => m.name === 'lag' && 'recordPush' in m);
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
