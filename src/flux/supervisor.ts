import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SampleSink } from '../metrics/sample.ts';
import { createCpuCgroup, createMemoryCgroup, type CpuCgroup, type MemoryCgroup } from './cgroup.ts';

export type ExitCause = 'exited' | 'crashed' | 'OOMKilled' | 'killed' | 'stopped';

export interface ExitRecord {
  at: number;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  cause: ExitCause;
  /** How long the process had run, in ms. */
  ranMs: number;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long without exiting resets the back-off, as the kubelet does. */
  resetAfterMs: number;
}

/** Like the kubelet's CrashLoopBackOff, compressed: benchmarks run minutes, not hours. */
export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

export interface SupervisedProcessSpec {
  id: string;
  /** Labels put on every sample (controller, shard). */
  labels: Record<string, string>;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Cgroup group name (the run id): `<cgroup root>/fluxbench/<group>/<id>`. */
  cgroupGroup: string;
  memoryLimitBytes?: number;
  backoff?: BackoffPolicy;
  sink: SampleSink;
  /** Called with each new pid, so the run registry can reap it if the runner dies. */
  onPid?: (pid: number) => void;
  /** Called with each cgroup folder made for the process (memory, CPU), so the run registry can remove it if the runner dies. */
  onCgroup?: (path: string) => void;
}

/** The delay before restart number `restarts` (1-based). */
export function backoffDelay(policy: BackoffPolicy, restarts: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, restarts - 1));
}

/** Classifies an exit: a signal we sent is `killed`, a kernel OOM kill in the cgroup is `OOMKilled`. */
export function classifyExit(input: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stopping: boolean;
  killRequested: boolean;
  oomKillsBefore: number;
  oomKillsAfter: number;
}): ExitCause {
  if (input.stopping) return 'stopped';
  if (input.oomKillsAfter > input.oomKillsBefore) return 'OOMKilled';
  if (input.killRequested) return 'killed';
  if (input.code === 0) return 'exited';
  return 'crashed';
}

/**
 * One host process kept running the way a kubelet keeps a container running: restarted with
 * back-off after every exit, each exit recorded with its cause, optionally inside a memory
 * cgroup and a CPU cgroup so limits are enforced by the kernel. Cgroups are made when a limit
 * is first set and removed by stop().
 */
export class SupervisedProcess {
  readonly exits: ExitRecord[] = [];
  restarts = 0;
  private child: ChildProcess | undefined;
  private cgroup: MemoryCgroup | undefined;
  private cpuCgroup: CpuCgroup | undefined;
  private stopping = false;
  private killRequested = false;
  private startedAt = 0;
  private oomBaseline = 0;
  private loop: Promise<void> | undefined;
  private wakeBackoff: (() => void) | undefined;

  constructor(readonly spec: SupervisedProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** The memory cgroup's folder, once a memory limit was set. */
  get cgroupPath(): string | undefined {
    return this.cgroup?.path;
  }

  /** Every cgroup folder the process is in (memory, CPU; one folder for both on cgroup v2). */
  get cgroupPaths(): string[] {
    return [...new Set([this.cgroup?.path, this.cpuCgroup?.path].filter((path): path is string => path !== undefined))];
  }

  async start(): Promise<void> {
    if (this.spec.memoryLimitBytes !== undefined) await this.setMemoryLimit(this.spec.memoryLimitBytes);
    await this.launch();
    this.loop = this.superviseLoop();
  }

  /** Sets (or tightens) the memory limit; creates the cgroup and moves the live process in. */
  async setMemoryLimit(bytes: number): Promise<void> {
    if (!this.cgroup) {
      this.cgroup = await createMemoryCgroup(this.spec.cgroupGroup, this.spec.id);
      if (!this.cgroup) throw new Error(`no memory cgroup can be created on this machine for ${this.spec.id}`);
      this.spec.onCgroup?.(this.cgroup.path);
    }
    await this.cgroup.setLimit(bytes);
    const pid = this.pid;
    if (pid !== undefined) await this.cgroup.addProcess(pid);
    this.emit('memory_limit', bytes, { limitBytes: bytes, cgroup: this.cgroup.path });
  }

  /**
   * Caps the process at `cores` CPUs with a CFS quota (0.5 = half of one CPU), or lifts the cap
   * (undefined). The CPU cgroup is made on the first cap and the live process moved in; restarts
   * start inside it. Throws when this machine offers no CPU cgroup (no cpu controller, not root).
   */
  async setCpuLimit(cores: number | undefined): Promise<void> {
    if (!this.cpuCgroup) {
      if (cores === undefined) return;
      this.cpuCgroup = await createCpuCgroup(this.spec.cgroupGroup, this.spec.id);
      if (!this.cpuCgroup) throw new Error(`no CPU cgroup can be created on this machine for ${this.spec.id}`);
      this.spec.onCgroup?.(this.cpuCgroup.path);
    }
    await this.cpuCgroup.setLimit(cores);
    const pid = this.pid;
    if (pid !== undefined && cores !== undefined) await this.cpuCgroup.addProcess(pid);
    this.emit('cpu_limit', cores, { cores: cores ?? null, cgroup: this.cpuCgroup.path });
  }

  /** Fault injection: signal the process; its exit is recorded as `killed` and it is restarted. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    const pid = this.pid;
    if (pid === undefined) return;
    this.killRequested = true;
    process.kill(pid, signal);
  }

  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    this.wakeBackoff?.();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    await this.loop;
    await this.cgroup?.remove();
    await this.cpuCgroup?.remove();
  }

  private async launch(): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const log = openSync(this.spec.logFile, 'a');
    this.oomBaseline = (await this.cgroup?.oomKills()) ?? 0;
    // With cgroups, a shell joins them and then execs the controller, so no allocation of the
    // controller ever happens outside the limits.
    const cgroups = this.cgroupPaths;
    const joinCgroups = cgroups.map((_, i) => (i === 0 ? 'echo $$ > "$0/cgroup.procs" && ' : 'echo $$ > "$1/cgroup.procs" && shift && ')).join('');
    const [command, args] =
      cgroups.length > 0 ? ['/bin/sh', ['-c', `${joinCgroups}exec "$@"`, ...cgroups, this.spec.command, ...this.spec.args]] : [this.spec.command, this.spec.args];
    const child = spawn(command, args as string[], {
      env: this.spec.env,
      stdio: ['ignore', log, log],
      // Its own process group: teardown signals the whole group, and a Ctrl-C meant for the
      // runner does not kill controllers before an orderly stop.
      detached: true,
    });
    closeSync(log);
    this.child = child;
    this.startedAt = Date.now();
    this.killRequested = false;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    this.spec.onPid?.(child.pid!);
    this.emit('start', undefined, { pid: child.pid, restarts: this.restarts });
  }

  private async superviseLoop(): Promise<void> {
    for (;;) {
      const child = this.child!;
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve([child.exitCode, child.signalCode]);
        else child.once('exit', (c, s) => resolve([c, s]));
      });
      const oomAfter = (await this.cgroup?.oomKills()) ?? 0;
      const cause = classifyExit({
        code,
        signal,
        stopping: this.stopping,
        killRequested: this.killRequested,
        oomKillsBefore: this.oomBaseline,
        oomKillsAfter: oomAfter,
      });
      const ranMs = Date.now() - this.startedAt;
      const record: ExitRecord = { at: Date.now(), pid: child.pid ?? -1, code, signal, cause, ranMs };
      this.exits.push(record);
      this.emit('exit', undefined, { ...record, restarts: this.restarts });
      if (cause === 'OOMKilled') this.emit('oom_killed', undefined, { ...record });
      if (this.stopping) return;

      const policy = this.spec.backoff ?? defaultBackoff;
      if (ranMs >= policy.resetAfterMs) this.restarts = 0;
      this.restarts += 1;
      const delay = backoffDelay(policy, this.restarts);
      await new Promise<void>((resolve) => {
        this.wakeBackoff = resolve;
        void sleep(delay).then(resolve);
      });
      this.wakeBackoff = undefined;
      if (this.stopping) return;
      await this.launch();
      this.emit('restart', this.restarts, { pid: this.child?.pid, afterMs: delay, previousCause: cause });
    }
  }

  private emit(name: string, value: number | undefined, detail: Record<string, unknown>): void {
    this.spec.sink.write({
      ts: Date.now(),
      kind: 'process',
      name,
      ...(value !== undefined ? { value } : {}),
      labels: this.spec.labels,
      detail,
    });
  }
}
