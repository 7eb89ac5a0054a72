/**
 * Background maintenance of the served repositories, like GitHub's background gc: after pushes
 * (receive-pack, or commits written straight into a bare repo and announced with notifyPush) a
 * repository is repacked incrementally a moment later, off the request path, so thousands of
 * churn commits never leave thousands of packs or loose objects for every fetch to wade through.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleSink } from '../metrics/sample.ts';
import { incrementalRepackArgs } from '../util/git-storage.ts';
import type { Clock } from './clock.ts';
import type { GitProcesses } from './git-processes.ts';

export interface MaintenanceOptions {
  /** false: never repack (packs from pushes then pile up, as on a host without gc). Default true. */
  enabled?: boolean;
  /**
   * How long after the first push not yet repacked a repository is repacked, ms; pushes in the
   * meantime join that repack (so a steady stream of pushes never postpones it). Default 2000.
   */
  delayMs?: number;
  /** Repositories repacked at the same time across the host. Default 1. */
  concurrency?: number;
}

interface RepoState {
  dir: string;
  timer?: NodeJS.Timeout;
  queued: boolean;
  running?: Promise<void>;
  /** A push arrived while it was being repacked: repack again afterwards. */
  dirty: boolean;
}

/** The command maintenance runs, as shown in samples and docs. */
export const maintenanceCommand = `git ${incrementalRepackArgs.filter((a) => a !== '-q').join(' ')}`;

/**
 * Schedules and runs `git repack --geometric=2 -d --write-midx --write-bitmap-index` per
 * repository: debounced (`delayMs` after the first push not yet repacked; later pushes join it),
 * at most one run per repository at a time (a push during a run schedules one more), at most
 * `concurrency` runs host-wide. Each run writes
 * a `github`/`maintenance` sample labelled `{repo}` whose value is the CPU seconds git used (user
 * + system, its children included) and whose detail has the wall time, the packs before and
 * after, and the exit code.
 */
export class RepoMaintenance {
  private readonly repos = new Map<string, RepoState>();
  private readonly queue: string[] = [];
  private active = 0;
  private stopped = false;
  private readonly enabled: boolean;
  private readonly delayMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly deps: { processes: GitProcesses; clock: Clock; sink: SampleSink | undefined },
    options: MaintenanceOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.delayMs = options.delayMs ?? 2000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Notes a push to `fullName` (bare repo at `dir`); its repack starts once pushes pause. */
  schedule(fullName: string, dir: string): void {
    if (!this.enabled || this.stopped) return;
    let repo = this.repos.get(fullName);
    if (!repo) {
      repo = { dir, queued: false, dirty: false };
      this.repos.set(fullName, repo);
    }
    if (repo.running) {
      repo.dirty = true;
      return;
    }
    // Already due (waiting or queued): this push joins that repack.
    if (repo.timer || repo.queued) return;
    repo.timer = setTimeout(() => this.enqueue(fullName), this.delayMs);
    repo.timer.unref();
  }

  /** Resolves once no repack is pending, queued or running (timers included). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.repos.values()].filter((r) => r.timer !== undefined || r.queued || r.running);
      if (pending.length === 0) return;
      const running = pending.flatMap((r) => (r.running ? [r.running] : []));
      await (running.length > 0 ? Promise.allSettled(running) : new Promise((resolve) => setTimeout(resolve, 20)));
    }
  }

  /**
   * Drops pending repacks and waits for running ones to end; the caller kills the git children
   * (GitProcesses.killAll) so that a long repack does not hold up the stop.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const repo of this.repos.values()) {
      clearTimeout(repo.timer);
      repo.timer = undefined;
      repo.queued = false;
    }
    await Promise.allSettled([...this.repos.values()].flatMap((r) => (r.running ? [r.running] : [])));
  }

  private enqueue(fullName: string): void {
    const repo = this.repos.get(fullName);
    if (!repo || this.stopped) return;
    repo.timer = undefined;
    if (!repo.queued) {
      repo.queued = true;
      this.queue.push(fullName);
    }
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.queue.length > 0) {
      const fullName = this.queue.shift()!;
      const repo = this.repos.get(fullName)!;
      repo.queued = false;
      this.active += 1;
      repo.running = this.repack(fullName, repo.dir).finally(() => {
        this.active -= 1;
        repo.running = undefined;
        if (repo.dirty) {
          repo.dirty = false;
          this.schedule(fullName, repo.dir);
        }
        this.pump();
      });
    }
  }

  private async repack(fullName: string, dir: string): Promise<void> {
    const ts = this.deps.clock.now();
    const packsBefore = await countPacks(dir);
    const run = this.deps.processes.run(['--git-dir', dir, ...incrementalRepackArgs]);
    const usage = await run.usage;
    const detail: Record<string, unknown> = { wallSeconds: usage.wallSeconds, exitCode: usage.exitCode, packsBefore, packsAfter: await countPacks(dir), command: maintenanceCommand };
    if (usage.exitCode !== 0) detail.error = this.stopped ? 'stopped with the fake GitHub' : run.output().trim().slice(0, 500);
    this.deps.sink?.write({
      ts,
      kind: 'github',
      name: 'maintenance',
      ...(usage.cpuSeconds !== undefined ? { value: usage.cpuSeconds } : {}),
      labels: { repo: fullName },
      detail,
    });
  }
}

async function countPacks(dir: string): Promise<number> {
  try {
    return (await readdir(join(dir, 'objects', 'pack'))).filter((f) => f.endsWith('.pack')).length;
  } catch {
    return 0;
  }
}
