import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { kwokWorkdir } from '../../src/providers/index.ts';
import type { Toolchain } from '../../src/toolchain/index.ts';
import { processAlive } from '../../src/lifecycle/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { readNdjson } from '../../src/util/ndjson.ts';
import { waitFor } from './helpers.ts';

interface UpRun {
  child: ChildProcess;
  runId: string;
  /** Every pid of the run: controllers and the cluster's components. */
  pids: number[];
  output: () => string;
}

/** The real CLI as a child process, its stdout and stderr collected. */
function spawnFluxbench(toolchain: Toolchain, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['bin/fluxbench.mjs', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLUXBENCH_CACHE: toolchain.cacheRoot },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  return { child, output: () => output };
}

/** Starts `fluxbench up` and waits until the cluster and Flux are ready. */
async function startUp(reportsDir: string): Promise<UpRun> {
  const toolchain = inject('toolchain');
  const { child, output } = spawnFluxbench(toolchain, ['up', '--nodes', '1', '--reports', reportsDir]);
  // A CLI that died will never be ready: say why at once instead of at the timeout.
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`fluxbench up exited with ${code} before it was ready:\n${output().slice(-4000)}`))),
  );
  const ready = waitFor('fluxbench up to be ready', async () => (output().includes('export KUBECONFIG=') ? true : undefined), 240_000).catch((err: Error) => {
    throw new Error(`${err.message}\n--- fluxbench up printed:\n${output().slice(-4000)}`);
  });
  await Promise.race([ready, died]);
  died.catch(() => undefined);
  const runId = readdirSync(reportsDir)[0]!;
  const controllerPids = [...output().matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  const pidsDir = join(kwokWorkdir(toolchain), 'clusters', runId, 'pids');
  const clusterPids = readdirSync(pidsDir).map((f) => Number(readFileSync(join(pidsDir, f), 'utf8')));
  return { child, runId, pids: [...controllerPids, ...clusterPids], output };
}

describe('no orphans', () => {
  const toolchain = inject('toolchain');

  it('SIGTERM mid-run stops every process and deletes the cluster', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-orphans-'));
    const run = await startUp(reports);
    expect(run.pids.length).toBeGreaterThanOrEqual(7); // 2 controllers + etcd, apiserver, kcm, scheduler, kwok
    for (const pid of run.pids) expect(processAlive(pid)).toBe(true);
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
    run.child.kill('SIGTERM');
    expect(await exited).toBe(130);
    await waitFor('every process of the run to be gone', async () => (run.pids.every((p) => !processAlive(p)) ? true : undefined), 30_000);
    expect(existsSync(join(kwokWorkdir(toolchain), 'clusters', run.runId))).toBe(false);
    expect(existsSync(join(toolchain.cacheRoot, 'runs', `${run.runId}.json`))).toBe(false);
  });

  it('SIGKILL of the runner: its watchdog stops everything', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-orphans-'));
    const run = await startUp(reports);
    const exited = new Promise<void>((resolve) => run.child.once('exit', () => resolve()));
    run.child.kill('SIGKILL');
    await exited;
    await waitFor('the watchdog to stop every process of the run', async () => (run.pids.every((p) => !processAlive(p)) ? true : undefined), 60_000);
    await waitFor(
      'the cluster to be deleted',
      async () => (!existsSync(join(kwokWorkdir(toolchain), 'clusters', run.runId)) ? true : undefined),
      60_000,
    );
  });

  it('SIGKILL of the runner and of its watchdog: `fluxbench cleanup` stops everything', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-orphans-'));
    const run = await startUp(reports);
    const record = join(toolchain.cacheRoot, 'runs', `${run.runId}.json`);
    const watchdogs = execFileSync('pgrep', ['-f', `fluxbench-watchdog ${record}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(watchdogs.length).toBeGreaterThan(0);
    for (const pid of watchdogs) process.kill(pid, 'SIGKILL');
    const exited = new Promise<void>((resolve) => run.child.once('exit', () => resolve()));
    run.child.kill('SIGKILL');
    await exited;
    // Nobody is left to clean up: everything of the run is still there.
    expect(run.pids.filter((p) => processAlive(p)).length).toBe(run.pids.length);
    const out = execFileSync(process.execPath, ['bin/fluxbench.mjs', 'cleanup'], { encoding: 'utf8', env: { ...process.env, FLUXBENCH_CACHE: toolchain.cacheRoot } });
    expect(out).toContain(`${run.runId}: deleted cluster ${run.runId}`);
    await waitFor('cleanup to stop every process of the run', async () => (run.pids.every((p) => !processAlive(p)) ? true : undefined), 30_000);
    expect(existsSync(join(kwokWorkdir(toolchain), 'clusters', run.runId))).toBe(false);
    expect(existsSync(record)).toBe(false);
  });

  it('SIGTERM during `fluxbench run`: exit 130, everything stopped, the samples and reports kept', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-run-sigterm-'));
    const { child, output } = spawnFluxbench(toolchain, ['run', 'scenarios/smoke.yaml', '--reports', reports, '--quiet']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor('the run to reach its measure phase', async () => (/settled: /.test(output()) ? true : undefined), 240_000);
    const runDir = join(reports, readdirSync(reports)[0]!);
    const runId = readdirSync(reports)[0]!;
    const samplesBefore = readNdjson<Sample>(join(runDir, 'samples.ndjson'));
    const controllerPids = samplesBefore.filter((x) => x.kind === 'process' && x.name === 'start').map((x) => Number(x.detail?.pid));
    const pidsDir = join(kwokWorkdir(toolchain), 'clusters', runId, 'pids');
    const clusterPids = readdirSync(pidsDir).map((f) => Number(readFileSync(join(pidsDir, f), 'utf8')));
    const pids = [...controllerPids, ...clusterPids];
    expect(pids.length).toBeGreaterThanOrEqual(7);
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    const cmdline = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2).join(' ');
      } catch {
        return '(gone)';
      }
    };
    await waitFor(
      'every process of the run to be gone',
      async () => (pids.every((p) => !processAlive(p)) ? true : undefined),
      15_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; still alive: ${pids.filter(processAlive).map((p) => `${p} ${cmdline(p)}`).join('; ')}`);
    });
    expect(existsSync(join(kwokWorkdir(toolchain), 'clusters', runId))).toBe(false);
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; exitCode: number };
    expect(meta).toMatchObject({ status: 'interrupted', exitCode: 130 });
    const samples = readNdjson<Sample>(join(runDir, 'samples.ndjson'));
    expect(samples.length).toBeGreaterThan(samplesBefore.length);
    expect(samples.some((x) => x.kind === 'controller' && x.name === 'rss_bytes')).toBe(true);
    for (const file of ['summary.json', 'report.md', 'report.html', 'junit.xml']) expect(existsSync(join(runDir, file))).toBe(true);
  });
});
