import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a run has started, written to disk as it happens so that whoever outlives the run
 * (its watchdog, the next run, `fluxbench cleanup`) can stop all of it: no orphans even when
 * the runner itself is SIGKILLed.
 */
export interface RunRecord {
  runId: string;
  ownerPid: number;
  startedAt: number;
  /** Process groups to kill (supervised controllers are group leaders). */
  processGroups: Array<{ pid: number; name: string }>;
  /** kwokctl clusters to delete. */
  kwokClusters: Array<{ name: string; kwokctl: string; workdir: string }>;
  /** Memory cgroups to remove once empty. */
  cgroups: string[];
  /** kind clusters to delete (absent in records written before kind was driven by runs). */
  kindClusters?: Array<{ name: string; kind: string; kubeconfig: string }>;
  /** RAM-backed temp folders (under /dev/shm) to delete: their files hold memory until then. */
  tempDirs?: string[];
}

export function runsDir(cacheRoot: string): string {
  return join(cacheRoot, 'runs');
}

/** The run's record file; every change rewrites it atomically (write + rename). */
export class RunRegistry {
  readonly path: string;
  private record: RunRecord;

  constructor(cacheRoot: string, runId: string) {
    mkdirSync(runsDir(cacheRoot), { recursive: true });
    this.path = join(runsDir(cacheRoot), `${runId}.json`);
    this.record = { runId, ownerPid: process.pid, startedAt: Date.now(), processGroups: [], kwokClusters: [], cgroups: [] };
    this.flush();
  }

  addProcessGroup(pid: number, name: string): void {
    this.record.processGroups.push({ pid, name });
    this.flush();
  }

  addKwokCluster(cluster: RunRecord['kwokClusters'][number]): void {
    this.record.kwokClusters.push(cluster);
    this.flush();
  }

  addKindCluster(cluster: NonNullable<RunRecord['kindClusters']>[number]): void {
    (this.record.kindClusters ??= []).push(cluster);
    this.flush();
  }

  addCgroup(path: string): void {
    if (!this.record.cgroups.includes(path)) this.record.cgroups.push(path);
    this.flush();
  }

  addTempDir(path: string): void {
    const dirs = (this.record.tempDirs ??= []);
    if (!dirs.includes(path)) dirs.push(path);
    this.flush();
  }

  /** The run ended cleanly: nothing is left to reap. */
  remove(): void {
    rmSync(this.path, { force: true });
  }

  private flush(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.record));
    renameSync(tmp, this.path);
  }
}

export function readRunRecords(cacheRoot: string): Array<{ path: string; record: RunRecord }> {
  const dir = runsDir(cacheRoot);
  if (!existsSync(dir)) return [];
  const out: Array<{ path: string; record: RunRecord }> = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    const path = join(dir, file);
    try {
      out.push({ path, record: JSON.parse(readFileSync(path, 'utf8')) as RunRecord });
    } catch {
      rmSync(path, { force: true });
    }
  }
  return out;
}
