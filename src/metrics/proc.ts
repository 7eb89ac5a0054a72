import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { targetLabels } from './controller-scraper.ts';
import {
  type ControllerTarget,
  type Measurement,
  type MeasurementContext,
  type Ticker,
  defaultLog,
  errorMessage,
  rateLimitedLog,
  startTicker,
  validateInterval,
} from './measurement.ts';
import type { Sample } from './sample.ts';

export interface ProcStatus {
  /** Resident set size now (VmRSS), bytes. */
  rssBytes?: number;
  /** Peak resident set size (VmHWM), bytes. */
  rssPeakBytes?: number;
}

/** Reads VmRSS and VmHWM out of /proc/<pid>/status (values there are in kB). */
export function parseProcStatus(text: string): ProcStatus {
  const status: ProcStatus = {};
  for (const line of text.split('\n')) {
    const match = /^(VmRSS|VmHWM):\s+(\d+)\s*kB/.exec(line);
    if (!match) continue;
    const bytes = Number(match[2]) * 1024;
    if (match[1] === 'VmRSS') status.rssBytes = bytes;
    else status.rssPeakBytes = bytes;
  }
  return status;
}

export interface ProcStat {
  /** User plus system CPU time, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks: tells a reused pid apart from the process we saw. */
  startTicks: number;
}

/**
 * Reads utime, stime and starttime out of /proc/<pid>/stat. The command name in parentheses may
 * itself contain spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close === -1) throw new Error('not a /proc/<pid>/stat line: no ")" after the command name');
  // Fields after ")" start at field 3 (state); utime, stime and starttime are fields 14, 15 and 22.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const start = Number(fields[19]);
  if (![utime, stime, start].every(Number.isFinite)) throw new Error('not a /proc/<pid>/stat line: utime/stime/starttime are not numbers');
  return { cpuTicks: utime + stime, startTicks: start };
}

let cachedClockTicks: number | undefined;

/** USER_HZ (`getconf CLK_TCK`); 100 on every mainstream Linux when getconf is missing. */
export function clockTicksPerSecond(): number {
  if (cachedClockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      cachedClockTicks = Number.isFinite(value) && value > 0 ? value : 100;
    } catch {
      cachedClockTicks = 100;
    }
  }
  return cachedClockTicks;
}

export interface ProcSnapshot extends ProcStatus, ProcStat {
  pid: number;
}

export async function readProcSnapshot(pid: number): Promise<ProcSnapshot> {
  const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
  return { pid, ...parseProcStatus(status), ...parseProcStat(stat) };
}

/** One process's CPU time at one reading (ts, epoch ms): what the next reading's rate is taken from. */
export interface CpuReading {
  pid: number;
  startTicks: number;
  cpuTicks: number;
  ts: number;
}

/** The reading of `snapshot` taken at `ts`. */
export function cpuReading(snapshot: ProcSnapshot, ts: number): CpuReading {
  return { pid: snapshot.pid, startTicks: snapshot.startTicks, cpuTicks: snapshot.cpuTicks, ts };
}

/**
 * Cores the process used between two readings: undefined when there is no earlier reading, when
 * it is another process (pid or start time changed: a restart, a reused pid), or when the clock
 * or the counter went backwards.
 */
export function cpuCoresBetween(previous: CpuReading | undefined, current: CpuReading, ticksPerSecond: number): number | undefined {
  const sameProcess = previous && previous.pid === current.pid && previous.startTicks === current.startTicks;
  if (!sameProcess || current.ts <= previous.ts || current.cpuTicks < previous.cpuTicks) return undefined;
  return (current.cpuTicks - previous.cpuTicks) / ticksPerSecond / ((current.ts - previous.ts) / 1000);
}

/** One named process's /proc reading, and its CPU since the previous reading of that name. */
export interface ComponentReading {
  component: string;
  snapshot: ProcSnapshot;
  /** Cores between the previous reading and this one; undefined on the first reading, after a restart, or when the clock or counter went backwards. */
  cores?: number;
}

/**
 * Reads /proc of each process of `pids` (name → pid, as a provider's componentPids gives them)
 * at `ts`, in parallel. Each CPU rate comes from the reading `previous` holds for that name,
 * which this one replaces; a restarted process (new pid or start time) has its rate from its
 * next reading. A process that is gone (a stopped API server) is left out, not an error.
 */
export async function readComponents(pids: Record<string, number>, previous: Map<string, CpuReading>, ts: number, ticksPerSecond: number): Promise<ComponentReading[]> {
  const read = await Promise.all(
    Object.entries(pids).map(async ([component, pid]) => {
      const snapshot = await readProcSnapshot(pid).catch(() => undefined);
      if (!snapshot) return undefined;
      const reading = cpuReading(snapshot, ts);
      const cores = cpuCoresBetween(previous.get(component), reading, ticksPerSecond);
      previous.set(component, reading);
      return { component, snapshot, ...(cores !== undefined ? { cores } : {}) };
    }),
  );
  return read.filter((r): r is ComponentReading => r !== undefined);
}

/**
 * Samples from one /proc reading. CPU figures are emitted only when `withCpu` (the /metrics
 * scraper already reports them otherwise, and two sources of cpu_cores would double count); the
 * rate restarts when the pid or its start time changes.
 */
export function procSamples(
  snapshot: ProcSnapshot,
  target: Pick<ControllerTarget, 'controller' | 'shard'>,
  ts: number,
  ticksPerSecond: number,
  withCpu: boolean,
  previous?: CpuReading,
): { samples: Sample[]; memory: CpuReading } {
  const labels = targetLabels(target);
  const samples: Sample[] = [];
  if (snapshot.rssBytes !== undefined) samples.push({ ts, kind: 'controller', name: 'rss_bytes', value: snapshot.rssBytes, labels });
  if (snapshot.rssPeakBytes !== undefined) samples.push({ ts, kind: 'controller', name: 'rss_peak_bytes', value: snapshot.rssPeakBytes, labels });
  const memory = cpuReading(snapshot, ts);
  if (withCpu) {
    samples.push({ ts, kind: 'controller', name: 'cpu_seconds_total', value: snapshot.cpuTicks / ticksPerSecond, labels });
    const cores = cpuCoresBetween(previous, memory, ticksPerSecond);
    if (cores !== undefined) samples.push({ ts, kind: 'controller', name: 'cpu_cores', value: cores, labels });
  }
  return { samples, memory };
}

export interface ProcSamplerOptions {
  /** Also emit cpu_seconds_total and cpu_cores from /proc (default true). */
  cpu?: boolean;
}

/** Reads /proc for every controller target that has a pid getter, each interval. */
export class ProcSampler implements Measurement {
  readonly name = 'proc';
  private ticker: Ticker | undefined;
  private readonly memory = new Map<string, CpuReading>();

  constructor(private readonly options: ProcSamplerOptions = {}) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = validateInterval(ctx.interval);
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    const ticks = clockTicksPerSecond();
    const withCpu = this.options.cpu ?? true;
    this.ticker = startTicker(
      interval,
      async () => {
        await Promise.all(
          ctx.controllers.map(async (target) => {
            const pid = target.pid?.();
            if (pid === undefined) return;
            const key = target.shard === undefined ? target.controller : `${target.controller}/${target.shard}`;
            let snapshot: ProcSnapshot;
            try {
              snapshot = await readProcSnapshot(pid);
            } catch (err) {
              // The process may have exited between the getter and the read: the supervisor reports that.
              log(`proc:${key}`, `reading /proc/${pid} of ${key} failed: ${errorMessage(err)}`);
              return;
            }
            const { samples, memory } = procSamples(snapshot, target, Date.now(), ticks, withCpu, this.memory.get(key));
            this.memory.set(key, memory);
            for (const sample of samples) ctx.sink.write(sample);
          }),
        );
      },
      (err) => log('proc', `proc sampling loop: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
