import { readFileSync } from 'node:fs';
import { type Measurement, type MeasurementContext, type Ticker, defaultLog, errorMessage, rateLimitedLog, startTicker, validateInterval } from './measurement.ts';
import { clockTicksPerSecond, parseProcStat } from './proc.ts';
import type { Sample } from './sample.ts';

/** One reading of fluxbench's own process. */
export interface HarnessReading {
  /** Epoch ms. */
  ts: number;
  /** User plus system CPU of the whole process (every thread, no child process), µs since it started. */
  cpuMicros: number;
  /**
   * The main thread's user plus system CPU, seconds since it started, in clock ticks of 10 ms
   * (from /proc/thread-self/stat; undefined where there is no such file).
   */
  mainThreadSeconds?: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** The kernel's peak resident set size over the process's life (getrusage ru_maxrss), bytes. */
  rssPeakBytes: number;
  /** V8's heap in use, bytes. */
  heapUsedBytes: number;
}

/** /proc/thread-self/stat of the calling thread, or undefined where there is none (not Linux). */
function threadStat(): string | undefined {
  try {
    return readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads this process. /proc/thread-self is read synchronously, on purpose: an asynchronous read
 * runs on a libuv pool thread, whose /proc/thread-self is that thread's. Called from a ticker on
 * the thread that runs the samplers (the main thread in the runner). Throws when that file is
 * there but not a stat line.
 */
export async function readHarness(): Promise<HarnessReading> {
  const stat = threadStat();
  const mainThreadSeconds = stat === undefined ? undefined : parseProcStat(stat).cpuTicks / clockTicksPerSecond();
  const { user, system } = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    ts: Date.now(),
    cpuMicros: user + system,
    ...(mainThreadSeconds !== undefined ? { mainThreadSeconds } : {}),
    rssBytes: memory.rss,
    // ru_maxrss is in KiB on Linux.
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
  };
}

/**
 * The samples of one reading (kind `harness`, no labels, all stamped `ts`): the counters
 * `cpu_seconds_total` (the whole process) and `main_thread_cpu_seconds_total` (when /proc tells),
 * and `rss_bytes`, `rss_peak_bytes`, `heap_used_bytes` (bytes). Counters, not rates: the analysis
 * takes the mean over the whole span from the first and last readings, whatever the intervals.
 */
export function harnessSamples(reading: HarnessReading): Sample[] {
  const { ts } = reading;
  return [
    { ts, kind: 'harness', name: 'cpu_seconds_total', value: reading.cpuMicros / 1e6 },
    ...(reading.mainThreadSeconds !== undefined ? [{ ts, kind: 'harness' as const, name: 'main_thread_cpu_seconds_total', value: reading.mainThreadSeconds }] : []),
    { ts, kind: 'harness', name: 'rss_bytes', value: reading.rssBytes },
    { ts, kind: 'harness', name: 'rss_peak_bytes', value: reading.rssPeakBytes },
    { ts, kind: 'harness', name: 'heap_used_bytes', value: reading.heapUsedBytes },
  ];
}

/**
 * Every sampling interval, reads fluxbench's own process (harnessSamples): the runner with its
 * samplers and watches, the in-process fake GitHub and registry gateway, and V8's own threads;
 * not its child processes (git, the registry, the CLIs). The first reading is taken at start and
 * the last at stop, so the samples cover exactly the span the samplers run (the settle phase to
 * the teardown). Starts nothing; leaves nothing on disk but samples. `read` is replaceable for
 * tests; a reading that fails is logged (rate-limited) and skipped.
 */
export class HarnessSampler implements Measurement {
  readonly name = 'harness';
  private running: { ticker: Ticker; sample: () => Promise<void> } | undefined;

  constructor(private readonly read: () => Promise<HarnessReading> = readHarness) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    const sample = async (): Promise<void> => {
      try {
        for (const s of harnessSamples(await this.read())) ctx.sink.write(s);
      } catch (err) {
        log('harness', `reading fluxbench's own process: ${errorMessage(err)}`);
      }
    };
    this.running = { ticker: startTicker(interval, sample, () => undefined), sample };
  }

  async stop(): Promise<void> {
    // Taken and cleared before any await, so a second stop meanwhile finds nothing to do.
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    await running.ticker.stop();
    await running.sample();
  }
}
