import { type Measurement, type MeasurementContext, type Ticker, defaultLog, errorMessage, rateLimitedLog, startTicker, validateInterval } from './measurement.ts';
import { clockTicksPerSecond, readComponents, type ComponentReading, type CpuReading } from './proc.ts';
import type { Sample } from './sample.ts';

/**
 * The samples of one reading of the control plane, per component (labels `{component}`):
 * `component`/`rss_bytes` (VmRSS, bytes), `component`/`rss_peak_bytes` (VmHWM, bytes: the peak
 * since the process started, so a spike between two readings is not lost) and, from the second
 * reading of the same process on, `component`/`cpu_cores` (CPU time since the last reading over
 * the wall time between them).
 */
export function controlPlaneSamples(readings: readonly ComponentReading[], ts: number): Sample[] {
  const samples: Sample[] = [];
  for (const { component, snapshot, cores } of readings) {
    const labels = { component };
    if (snapshot.rssBytes !== undefined) samples.push({ ts, kind: 'component', name: 'rss_bytes', value: snapshot.rssBytes, labels });
    if (snapshot.rssPeakBytes !== undefined) samples.push({ ts, kind: 'component', name: 'rss_peak_bytes', value: snapshot.rssPeakBytes, labels });
    if (cores !== undefined) samples.push({ ts, kind: 'component', name: 'cpu_cores', value: cores, labels });
  }
  return samples;
}

/**
 * Every sampling interval, reads /proc of each control-plane component the cluster runs as a
 * host process (ctx.componentPids, read anew each tick, so a component started again under a
 * new pid is followed) and streams controlPlaneSamples. Starts nothing; leaves nothing on disk but samples.
 * Where the control plane is not a process here (kind, k3s, existing clusters) the pids are {}
 * and no sample is written.
 */
export class ControlPlaneSampler implements Measurement {
  readonly name = 'control-plane';
  private ticker: Ticker | undefined;

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const componentPids = ctx.componentPids;
    if (!componentPids) return;
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    const ticks = clockTicksPerSecond();
    const previous = new Map<string, CpuReading>();
    this.ticker = startTicker(
      interval,
      async () => {
        const pids = await componentPids();
        // Stamped after the pid files are read, just before /proc is: the CPU rate divides by this.
        const ts = Date.now();
        const readings = await readComponents(pids, previous, ts, ticks);
        for (const sample of controlPlaneSamples(readings, ts)) ctx.sink.write(sample);
      },
      (err) => log('control-plane', `control-plane sampling: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
