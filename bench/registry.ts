/**
 * bench:registry — pull throughput through the registry gateway (identity, pull limits on but
 * high, a no-op fault set, accounting) against the Distribution registry directly, same
 * artifacts, same concurrency, same run, rounds alternating which goes first; then the
 * registry's memory after 1,000 artifacts, and its version.
 *
 *   npm run bench:registry         (ARTIFACTS=200 CONCURRENCY=8 ROUNDS=3 TOTAL=1000 by default)
 *
 * A pull is what a client makes: the manifest GET, then a GET of each blob it names. The load
 * runs in a child process, as clients are other processes in a run (the gateway lives in the
 * runner), so the gateway has this process to itself. Prints pulls/s for both, the ratio gateway/direct (target >= 0.9) and
 * VmRSS/VmHWM of the registry process. Starts no cluster.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basic, pullArtifact, pushArtifact, type OciClient } from '../test/support/oci-http.ts';

const artifacts = Number(process.env.ARTIFACTS ?? 200);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const rounds = Number(process.env.ROUNDS ?? 3);
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

async function procStatus(pid: number, field: string): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
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
    const rates: Record<'gateway' | 'direct', number[]> = { gateway: [], direct: [] };
    // A warm-up round each, not counted: connections, caches, JIT.
    for (const url of Object.values(targets)) await inClient({ url, authorization, repositories, concurrency });
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['gateway', 'direct'] as const) : (['direct', 'gateway'] as const);
      for (const name of order) {
        const result = await inClient({ url: targets[name], authorization, repositories, concurrency });
        if (result.failed > 0) throw new Error(`${name}: ${result.failed} pulls failed`);
        rates[name].push(result.pulls / result.seconds);
        console.log(`round ${round + 1} ${name.padEnd(7)} ${result.pulls} pulls in ${result.seconds.toFixed(2)} s: ${(result.pulls / result.seconds).toFixed(0)} pulls/s`);
      }
    }
    const gateway = median(rates.gateway);
    const direct = median(rates.direct);
    console.log(`\npulls/s (median of ${rounds}, concurrency ${concurrency}, ${artifacts} artifacts, 3 requests a pull)`);
    console.log(`  through the gateway  ${gateway.toFixed(0)}`);
    console.log(`  registry directly    ${direct.toFixed(0)}`);
    console.log(`  ratio gateway/direct ${(gateway / direct).toFixed(3)} (target >= 0.9)`);
    console.log(`  requests accounted   ${registry.requests().length}`);

    started = performance.now();
    await push(artifacts, Math.max(artifacts, total));
    console.log(`\npushed up to ${Math.max(artifacts, total)} artifacts in ${((performance.now() - started) / 1000).toFixed(1)} s more`);
    const rss = await procStatus(registry.pid, 'VmRSS');
    const hwm = await procStatus(registry.pid, 'VmHWM');
    console.log(`registry ${await registryVersion(binary)} (built ${stamp.builtAt ?? 'unknown'}): VmRSS ${mib(rss)}, VmHWM ${mib(hwm)} at ${Math.max(artifacts, total)} artifacts`);
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
