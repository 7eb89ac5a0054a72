/**
 * Generator throughput against raw `git fast-import` of the very same stream, in one run:
 * the stream is pre-serialised to a file and replayed into a fresh bare repo, so the ratio
 * shows what the generator costs on top of git itself. Then a large monorepo is timed.
 *
 * Env: FLUXBENCH_BENCH_APPS (200), FLUXBENCH_BENCH_COMMITS (500), FLUXBENCH_BENCH_MB (50),
 * FLUXBENCH_BENCH_ROUNDS (4), FLUXBENCH_BENCH_LARGE_MB (200, 0 skips the large run),
 * FLUXBENCH_BENCH_LARGE_COMMITS (1000).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastImportWriter, fastImportArgs, fileSink } from '../src/workload/fast-import.ts';
import { generateWorkload, writeRepo } from '../src/workload/generate.ts';
import { git, initBareRepo } from '../src/workload/git.ts';
import { writeRepoHistory } from '../src/workload/history.ts';
import { parseGeneratorOptions } from '../src/workload/options.ts';
import { planWorkload } from '../src/workload/plan.ts';
import { formatBytes, formatDuration } from '../src/util/units.ts';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};

const apps = env('FLUXBENCH_BENCH_APPS', 200);
const commits = Math.max(1, env('FLUXBENCH_BENCH_COMMITS', 500));
const megabytes = env('FLUXBENCH_BENCH_MB', 50);
const rounds = Math.max(1, env('FLUXBENCH_BENCH_ROUNDS', 4));
const largeMegabytes = env('FLUXBENCH_BENCH_LARGE_MB', 200);
const largeCommits = Math.max(1, env('FLUXBENCH_BENCH_LARGE_COMMITS', 1000));

const work = mkdtempSync(join(tmpdir(), 'fluxbench-bench-generate-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function rawFastImport(streamFile: string, gitDir: string): Promise<void> {
  await initBareRepo(gitDir);
  const input = openSync(streamFile, 'r');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('git', [...fastImportArgs], { cwd: gitDir, env: { ...process.env, GIT_DIR: gitDir }, stdio: [input, 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`))));
    });
  } finally {
    closeSync(input);
  }
}

try {
  const options = parseGeneratorOptions({ seed: 42, apps, teams: 4, layout: 'monorepo', history: { commits, appsPerCommit: 2 }, repoSizeBytes: megabytes * 1024 * 1024 });
  const plan = planWorkload(options, 'http://127.0.0.1:1');
  const streamFile = join(work, 'fleet.stream');
  const serialiser = new FastImportWriter(fileSink(streamFile));
  await writeRepoHistory(plan, plan.fleet, serialiser);
  await serialiser.end();
  console.log(
    `stream: ${apps} apps, ${serialiser.commits} commits, ${formatBytes(serialiser.blobBytes)} of blobs, ${formatBytes(serialiser.streamBytes)} stream; ${rounds} rounds, median`,
  );

  const generatorSeconds: number[] = [];
  const rawSeconds: number[] = [];
  const generatorCpuSeconds: number[] = [];
  const timeRaw = async (round: number) => {
    const rawDir = join(work, `raw-${round}.git`);
    const started = performance.now();
    await rawFastImport(streamFile, rawDir);
    rawSeconds.push((performance.now() - started) / 1000);
    rmSync(rawDir, { recursive: true, force: true });
  };
  const timeGenerator = async (round: number) => {
    const genDir = join(work, `gen-${round}.git`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const { headSha } = await writeRepo(plan, plan.fleet.name, genDir);
    generatorSeconds.push((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpu);
    generatorCpuSeconds.push((used.user + used.system) / 1e6);
    if (headSha !== expectedHead) throw new Error(`generator wrote ${headSha}, the replayed stream ${expectedHead}: not the same stream`);
    rmSync(genDir, { recursive: true, force: true });
  };
  // Same stream, same result: the replay's head is what the generator must produce.
  const probe = join(work, 'probe.git');
  await rawFastImport(streamFile, probe);
  const expectedHead = (await git(['rev-parse', 'refs/heads/main'], { gitDir: probe })).trim();
  rmSync(probe, { recursive: true, force: true });
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always pays for the other's disk writeback.
    if (round % 2 === 0) {
      await timeRaw(round);
      await timeGenerator(round);
    } else {
      await timeGenerator(round);
      await timeRaw(round);
    }
  }
  const gen = median(generatorSeconds);
  const raw = median(rawSeconds);
  const mb = serialiser.blobBytes / 1024 / 1024;
  console.log(`raw git ${fastImportArgs.join(' ')} < file: ${(mb / raw).toFixed(1)} MB/s, ${(serialiser.commits / raw).toFixed(0)} commits/s (${raw.toFixed(2)} s)`);
  console.log(`generator (plan → stream → git): ${(mb / gen).toFixed(1)} MB/s, ${(serialiser.commits / gen).toFixed(0)} commits/s (${gen.toFixed(2)} s)`);
  console.log(`rounds (s): raw ${rawSeconds.map((t) => t.toFixed(2)).join(' ')}; generator ${generatorSeconds.map((t) => t.toFixed(2)).join(' ')} (its own CPU ${generatorCpuSeconds.map((t) => t.toFixed(2)).join(' ')})`);
  console.log(`ratio generator/raw throughput: ${(raw / gen).toFixed(2)} median, ${(Math.min(...rawSeconds) / Math.min(...generatorSeconds)).toFixed(2)} best-of (target >= 0.80)`);
  console.log(`generator's own CPU: ${median(generatorCpuSeconds).toFixed(2)} s = ${((100 * median(generatorCpuSeconds)) / raw).toFixed(0)}% of the raw import's wall time (the rest is git)`);

  if (largeMegabytes > 0) {
    const storageRoot = join(work, 'large');
    const started = performance.now();
    const workload = await generateWorkload(
      { seed: 7, apps: 500, teams: 10, layout: 'monorepo', history: { commits: largeCommits, appsPerCommit: 3 }, repoSizeBytes: largeMegabytes * 1024 * 1024 },
      { storageRoot, gitBaseUrl: 'http://127.0.0.1:1' },
    );
    const seconds = (performance.now() - started) / 1000;
    const repo = workload.repos[0]!;
    console.log(
      `large monorepo: ${repo.commits} commits, ${formatBytes(repo.bytes)} on disk in ${formatDuration(seconds * 1000)} (${(repo.bytes / 1024 / 1024 / seconds).toFixed(1)} MB/s, ${(repo.commits / seconds).toFixed(0)} commits/s; target < 60s for 200 MB / 1000 commits)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
