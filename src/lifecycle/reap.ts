import { execa } from 'execa';
import { rmSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRunRecords, type RunRecord } from './registry.ts';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Stops everything a run record names: process groups (TERM, then KILL), clusters, cgroups. */
export async function reapRun(record: RunRecord, graceMs = 3_000): Promise<string[]> {
  const actions: string[] = [];
  const live = record.processGroups.filter((g) => processAlive(g.pid));
  for (const group of live) signalGroup(group.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.some((g) => processAlive(g.pid)) && Date.now() < deadline) await sleep(100);
  for (const group of live) {
    if (processAlive(group.pid)) signalGroup(group.pid, 'SIGKILL');
    actions.push(`stopped ${group.name} (pid ${group.pid})`);
  }
  for (const cluster of record.kwokClusters) {
    await execa(cluster.kwokctl, ['--name', cluster.name, 'delete', 'cluster'], {
      env: { ...process.env, KWOK_WORKDIR: cluster.workdir },
      reject: false,
      timeout: 60_000,
    });
    actions.push(`deleted cluster ${cluster.name}`);
  }
  for (const cluster of record.kindClusters ?? []) {
    await execa(cluster.kind, ['delete', 'cluster', '--name', cluster.name, '--kubeconfig', cluster.kubeconfig], { reject: false, timeout: 120_000 });
    actions.push(`deleted kind cluster ${cluster.name}`);
  }
  for (const dir of record.tempDirs ?? []) {
    // Only what a run makes (…/fluxbench-<run id>): a hand-edited record must not delete more.
    if (!/\/fluxbench-[\w.-]+$/.test(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    actions.push(`removed ${dir}`);
  }
  for (const cgroup of record.cgroups) {
    try {
      rmdirSync(cgroup);
    } catch {
      // busy or gone
    }
  }
  return actions;
}

/** Reaps the runs whose owner is gone (a SIGKILLed runner); returns what was done. */
export async function reapOrphanedRuns(cacheRoot: string, opts: { includeLive?: boolean } = {}): Promise<string[]> {
  const actions: string[] = [];
  for (const { path, record } of readRunRecords(cacheRoot)) {
    if (record.ownerPid === process.pid) continue;
    if (!opts.includeLive && processAlive(record.ownerPid)) continue;
    actions.push(...(await reapRun(record)).map((a) => `${record.runId}: ${a}`));
    rmSync(path, { force: true });
  }
  return actions;
}
