import { readFileSync } from 'node:fs';
import { type Measurement, type MeasurementContext, type Ticker, defaultLog, errorMessage, rateLimitedLog, startTicker, validateInterval } from './measurement.ts';
import { clockTicksPerSecond, parseProcStat } from './proc.ts';
import type { Sample } from './sample.ts';

/** One reading of fluxbench's own process. */
export interface HarnessReading {
  /** Epoch ms. */
  ts: number;
  /** User plus system CPU of the whole process (every thread), µs since it started. */
  cpuMicros: number;
  /**
   * The main thread's user plus system CPU, seconds since it started (from /proc/thread-self/stat;
   * undefined where that file cannot be read). The rest is V8's garbage collector and compiler
   * threads and libuv's pool.
   */
  mainThreadSeconds?: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** The kernel's peak resident set size since the process started (getrusage ru_maxrss), bytes. */
  rssPeakBytes: number;
  /** V8's heap in use, bytes. */
  heapUsedBytes: number;
}

/**
 * Reads this process. /proc/thread-self is read synchronously, on purpose: an asynchronous read
 * runs on a libuv pool thread, whose /proc/thread-self is that thread's. Called from a ticker on
 * the thread that runs the samplers (the main thread in the runner).
 */
export async function readHarness(): Promise<HarnessReading> {
  let mainThreadSeconds: number | undefined;
  try {
    mainThreadSeconds = parseProcStat(readFileSync('/proc/thread-self/stat', 'utf8')).cpuTicks / clockTicksPerSecond();
  } catch {
    // Not Linux, or /proc not mounted: the whole-process figure still stands.
  }
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
 * The samples of one reading (kind `harness`, no labels): `rss_bytes`, `rss_peak_bytes`,
 * `heap_used_bytes` (bytes) and, from the second reading on, `cpu_cores` (the whole process's CPU
 * since `previous` over the wall time between them) and `main_thread_cpu_cores` (the main
 * thread's alone, when both readings have it). A clock or counter that went backwards gives no
 * CPU sample.
 */
export function harnessSamples(previous: HarnessReading | undefined, current: HarnessReading): Sample[] {
  const { ts } = current;
  const samples: Sample[] = [
    { ts, kind: 'harness', name: 'rss_bytes', value: current.rssBytes },
    { ts, kind: 'harness', name: 'rss_peak_bytes', value: current.rssPeakBytes },
    { ts, kind: 'harness', name: 'heap_used_bytes', value: current.heapUsedBytes },
  ];
  if (previous && ts > previous.ts) {
    const seconds = (ts - previous.ts) / 1000;
    if (current.cpuMicros >= previous.cpuMicros) samples.push({ ts, kind: 'harness', name: 'cpu_cores', value: (current.cpuMicros - previous.cpuMicros) / 1e6 / seconds });
    if (current.mainThreadSeconds !== undefined && previous.mainThreadSeconds !== undefined && current.mainThreadSeconds >= previous.mainThreadSeconds) {
      samples.push({ ts, kind: 'harness', name: 'main_thread_cpu_cores', value: (current.mainThreadSeconds - previous.mainThreadSeconds) / seconds });
    }
  }
  return samples;
}

/**
 * Every sampling interval, reads fluxbench's own process (harnessSamples): the runner with its
 * samplers and watches, the in-process fake GitHub and registry gateway, and V8's own threads.
 * The first reading is taken at start and the last at stop, so the CPU samples cover exactly the
 * span the samplers run (the settle phase to the teardown). Starts nothing; leaves nothing on disk
 * but samples. `read` is replaceable for tests.
 */
export class HarnessSampler implements Measurement {
  readonly name = 'harness';
  private ticker: Ticker | undefined;
  private last: { previous: HarnessReading | undefined; sink: MeasurementContext['sink']; log: (key: string, message: string) => void } | undefined;

  constructor(private readonly read: () => Promise<HarnessReading> = readHarness) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const state: NonNullable<typeof this.last> = { previous: undefined, sink: ctx.sink, log: rateLimitedLog(ctx.log ?? defaultLog) };
    this.last = state;
    this.ticker = startTicker(
      interval,
      () => this.sample(state),
      (err) => state.log('harness', `reading fluxbench's own process: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    if (!this.ticker || !this.last) return;
    await this.ticker.stop();
    this.ticker = undefined;
    const state = this.last;
    this.last = undefined;
    await this.sample(state).catch((err: unknown) => state.log('harness', `reading fluxbench's own process: ${errorMessage(err)}`));
  }

  private async sample(state: NonNullable<typeof this.last>): Promise<void> {
    const current = await this.read();
    for (const sample of harnessSamples(state.previous, current)) state.sink.write(sample);
    state.previous = current;
  }
}
