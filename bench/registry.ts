/**
 * bench:registry — pull throughput through the registry gateway (identity, pull limits on but
 * high, a no-op fault set, accounting) against the Distribution registry directly, same
 * artifacts, same concurrency, same run, rounds alternating which goes first; then the
 * registry's memory after 1,000 artifacts, and its version.
 *
 *   npm run bench:registry         (ARTIFACTS=400 CONCURRENCY=8 ROUNDS=5 TOTAL=1000 by default; PIN=0: shared cores only)
 *
 * A pull is what a client makes: the manifest GET, then a GET of each blob it names. The load
 * runs in a child process, as clients are other processes in a run (the gateway lives in the
 * runner), so the gateway has this process to itself. Measured twice: first with every process
 * on the shared cores (informational: on two cores it measures CPU contention more than the
 * layer), then with the registry pinned to a core of its own and the clients and the gateway on
 * the other (see pin(); the target is checked there, or on the shared cores when pinning is
 * impossible). Prints pulls/s for both targets, the ratio gateway/direct (target >= 0.9), the
 * gateway's and the registry's CPU per request, and VmRSS/VmHWM of the registry process. Starts no cluster; pinning needs taskset and 2 cores.
 */
import { execFileSync, fork } from 'node:child_process';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { Agent } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockTicksPerSecond, readProcSnapshot } from '../src/metrics/proc.ts';
import { basic, pullArtifact, pushArtifact, type OciClient } from '../test/support/oci-http.ts';

const artifacts = Number(process.env.ARTIFACTS ?? 400);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const rounds = Number(process.env.ROUNDS ?? 5);
const total = Number(process.env.TOTAL ?? 1_000);

interface LoadJob {
  url: string;
  authorization: string;
  repositories: string[];
  concurrency: number;
}

interface LoadResult {
  pulls: number;
  failed: number;
  seconds: number;
}

/** Runs `task(i)` for i in [0, count) with at most `width` in flight. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** The load client: pulls every repository's `v1` once, `concurrency` at a time, over keep-alive connections. */
async function load(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const client: OciClient = { url: job.url, authorization: job.authorization, agent };
  let failed = 0;
  const started = performance.now();
  await inParallel(job.repositories.length, job.concurrency, async (i) => {
    const statuses = await pullArtifact(client, job.repositories[i]!, 'v1');
    if (statuses.some((s) => s !== 200)) failed += 1;
  });
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { pulls: job.repositories.length - failed, failed, seconds };
}

/** One load round in a child process of its own. */
function inClient(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, FLUXBENCH_BENCH_LOAD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => (code !== 0 ? reject(new Error(`load client exited with ${code}`)) : undefined));
    child.send(job);
  });
}

/**
 * Pins the registry to CPU 1 and this process (the gateway, and the load clients it forks from
 * then on) to CPU 0 with taskset, for the rest of the bench. Why: on two shared cores the Go
 * registry's idle scheduler threads spin on whichever core the gateway or client is using
 * (unpinned, the registry burns about 1.5 times the CPU a request it does pinned), so unpinned
 * rounds mostly measure that scheduling contention. Pinned, the registry is the bottleneck with
 * a core of its own, as it is on a machine with cores to spare, and the ratio shows what the
 * layer costs its throughput.
 * Should the second taskset fail, the registry stays on CPU 1 for the rest of the bench (the
 * memory figures do not depend on it).
 * @returns why pinning is impossible here (one core, no taskset), or undefined when done.
 */
function pin(registryPid: number): string | undefined {
  if (process.env.PIN === '0') return 'PIN=0';
  const cores = availableParallelism();
  if (cores < 2) return `${cores} core`;
  try {
    execFileSync('taskset', ['-a', '-cp', '1', String(registryPid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
    return undefined;
  } catch (err) {
    return `taskset failed: ${(err as Error).message}`;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  return (await readProcSnapshot(pid)).cpuTicks / clockTicksPerSecond();
}

type Target = 'gateway' | 'direct';

/** Medians over a mode's rounds: pulls/s, and CPU seconds a round cost the runner (the gateway) and the registry. */
type ModeResult = Record<Target, { pullsPerSecond: number; runnerCpu: number; registryCpu: number }>;

/** `rounds` rounds of each target, alternating which goes first; prints every round. */
async function measureMode(label: string, job: (name: Target) => LoadJob, registryPid: number): Promise<ModeResult> {
  const samples: Record<Target, { pullsPerSecond: number[]; runnerCpu: number[]; registryCpu: number[] }> = {
    gateway: { pullsPerSecond: [], runnerCpu: [], registryCpu: [] },
    direct: { pullsPerSecond: [], runnerCpu: [], registryCpu: [] },
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['gateway', 'direct'] as const) : (['direct', 'gateway'] as const);
    for (const name of order) {
      const runnerBefore = process.cpuUsage();
      const registryBefore = await cpuSeconds(registryPid);
      const result = await inClient(job(name));
      const runner = process.cpuUsage(runnerBefore);
      if (result.failed > 0) throw new Error(`${name}: ${result.failed} pulls failed`);
      const rate = result.pulls / result.seconds;
      samples[name].pullsPerSecond.push(rate);
      samples[name].runnerCpu.push((runner.user + runner.system) / 1e6);
      samples[name].registryCpu.push((await cpuSeconds(registryPid)) - registryBefore);
      console.log(`${label} round ${round + 1} ${name.padEnd(7)} ${result.pulls} pulls in ${result.seconds.toFixed(2)} s: ${rate.toFixed(0)} pulls/s`);
    }
  }
  const medians = (name: Target) => ({
    pullsPerSecond: median(samples[name].pullsPerSecond),
    runnerCpu: median(samples[name].runnerCpu),
    registryCpu: median(samples[name].registryCpu),
  });
  return { gateway: medians('gateway'), direct: medians('direct') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main(): Promise<void> {
  // Bound the whole run: a wedged registry must not hang CI.
  setTimeout(() => {
    console.error('bench:registry: gave up after 10 minutes');
    process.exit(3);
  }, 600_000).unref();
  const { ensureToolchain, formatProgress } = await import('../src/toolchain/index.ts');
  const { startRegistry, registryVersion } = await import('../src/registry/index.ts');
  const { RunRegistry, startWatchdog } = await import('../src/lifecycle/index.ts');
  const { newRunId } = await import('../src/util/run-id.ts');

  const toolchain = await ensureToolchain({ controllerBinaries: false, progress: (e) => console.error(formatProgress(e)) });
  const binary = toolchain.binaries.registry!;
  const stamp = JSON.parse(await readFile(join(binary, '..', '..', 'fluxbench-complete.json'), 'utf8').catch(() => '{}')) as { builtAt?: string };
  const runs = new RunRegistry(toolchain.cacheRoot, `bench-registry-${newRunId()}`);
  startWatchdog(runs);
  const work = await mkdtemp(join(tmpdir(), 'fb-bench-registry-'));
  const registry = await startRegistry(
    {
      rateLimits: { enabled: true, anonymous: 1_000_000_000, authenticated: 1_000_000_000 },
      // Matched against every request, never firing: the cost of having faults configured.
      faults: [
        { type: 'error', rate: 0, match: { route: '*', repository: '*' } },
        { type: 'latency', fixed: '0s', match: { route: 'manifest', repository: 'bench/*' } },
      ],
    },
    { binary, storageDir: join(work, 'storage'), onPid: (pid, name) => runs.addProcessGroup(pid, name) },
  );
  try {
    const authorization = basic(registry.username, registry.password);
    const pushAgent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const pusher: OciClient = { url: registry.url, authorization, agent: pushAgent };
    const push = async (from: number, to: number) =>
      inParallel(to - from, concurrency, async (i) => {
        const layer = Buffer.from(`artifact ${from + i}\n`.repeat(64));
        const answer = await pushArtifact(pusher, `bench/app-${from + i}`, 'v1', layer);
        if (answer.status !== 201) throw new Error(`push of bench/app-${from + i} answered ${answer.status}: ${answer.body.toString()}`);
      });
    let started = performance.now();
    await push(0, artifacts);
    console.log(`pushed ${artifacts} artifacts (manifest + 2 blobs each) through the gateway in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const repositories = Array.from({ length: artifacts }, (_, i) => `bench/app-${i}`);
    const targets = { gateway: registry.url, direct: registry.upstreamUrl };
    const job = (name: Target): LoadJob => ({ url: targets[name], authorization, repositories, concurrency });
    // A warm-up round each, not counted: connections, caches, JIT.
    for (const name of ['gateway', 'direct'] as const) await inClient(job(name));
    // Shared first: once pinned, the registry keeps using less CPU a request even after it is
    // unpinned (Go sizes its scheduler to the CPUs it may use), which would flatter the shared rounds.
    const measured: { mode: string; target: boolean; result: ModeResult }[] = [];
    measured.push({ mode: 'all processes on the shared cores', target: false, result: await measureMode('shared', job, registry.pid) });
    const whyNot = pin(registry.pid);
    if (whyNot === undefined) {
      measured.push({ mode: 'registry on CPU 1, clients and gateway on CPU 0', target: true, result: await measureMode('pinned', job, registry.pid) });
    } else {
      console.log(`(not pinned: ${whyNot}; the target is checked on the shared cores)`);
      measured[0]!.target = true;
    }
    // The runner's CPU in direct rounds (forking the client, IPC) is taken off the gateway rounds'.
    const requests = 3 * repositories.length;
    console.log(`\npulls/s (median of ${rounds} rounds, concurrency ${concurrency}, ${artifacts} artifacts, 3 requests a pull)`);
    measured.forEach(({ mode, target, result }) => {
      const ratio = result.gateway.pullsPerSecond / result.direct.pullsPerSecond;
      console.log(`  ${mode}:`);
      console.log(`    through the gateway  ${result.gateway.pullsPerSecond.toFixed(0)}   (gateway CPU ${(((result.gateway.runnerCpu - result.direct.runnerCpu) * 1000) / requests).toFixed(2)} ms a request)`);
      console.log(`    registry directly    ${result.direct.pullsPerSecond.toFixed(0)}   (registry CPU ${((result.direct.registryCpu * 1000) / requests).toFixed(2)} ms a request)`);
      console.log(`    ratio gateway/direct ${ratio.toFixed(3)}${target ? ' (target >= 0.9)' : ' (informational: what a run on these shared cores sees)'}`);
    });
    console.log(`  requests accounted   ${registry.requests().length}`);

    started = performance.now();
    await push(artifacts, Math.max(artifacts, total));
    console.log(`\npushed up to ${Math.max(artifacts, total)} artifacts in ${((performance.now() - started) / 1000).toFixed(1)} s more`);
    const { rssBytes, rssPeakBytes } = await readProcSnapshot(registry.pid);
    console.log(`registry ${await registryVersion(binary)} (built ${stamp.builtAt ?? 'unknown'}): VmRSS ${mib(rssBytes)}, VmHWM ${mib(rssPeakBytes)} at ${Math.max(artifacts, total)} artifacts`);
    pushAgent.destroy();
  } finally {
    await registry.stop();
    runs.remove();
    await rm(work, { recursive: true, force: true });
  }
}

// Last, so every declaration above is initialized before either role runs.
if (process.env.FLUXBENCH_BENCH_LOAD === '1') {
  process.once('message', (job: LoadJob) => {
    void load(job).then((result) => process.send!(result, () => process.exit(0)));
  });
} else {
  await main();
}
