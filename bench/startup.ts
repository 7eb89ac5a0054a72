/**
 * bench:startup — time to "cluster + Flux ready" on the local provider, next to
 * `kwokctl create cluster` alone with the same binaries, measured in the same run.
 *
 *   npm run bench:startup            (ROUNDS=3 by default)
 *
 * Prints each round, then medians and the ratio harness-cluster / kwokctl-alone (the harness
 * overhead; target <= 1.15) and the cluster+Flux ready median (target < 20 s on 2 cores).
 */
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteKwokCluster, kwokctlCreateArgs, kwokWorkdir, renderKwokctlConfig } from '../src/providers/index.ts';
import { RunRegistry, startWatchdog } from '../src/lifecycle/index.ts';
import { startEnvironment } from '../src/providers/index.ts';
import { ensureToolchain, formatProgress } from '../src/toolchain/index.ts';
import { newRunId } from '../src/util/run-id.ts';

const rounds = Number(process.env.ROUNDS ?? 3);
const toolchainStarted = Date.now();
const toolchain = await ensureToolchain({ progress: (e) => console.error(formatProgress(e)) });
const toolchainMs = Date.now() - toolchainStarted;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function kwokctlAlone(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fb-bench-kwokctl-'));
  const name = newRunId();
  const configPath = join(dir, 'kwokctl.yaml');
  const b = toolchain.binaries;
  writeFileSync(
    configPath,
    renderKwokctlConfig({
      kubeVersion: toolchain.versions.kubernetes,
      etcdVersion: toolchain.versions.etcd,
      binaries: {
        etcd: b.etcd!,
        kubeApiserver: b['kube-apiserver']!,
        kubeControllerManager: b['kube-controller-manager']!,
        kubeScheduler: b['kube-scheduler']!,
        kubectl: b.kubectl!,
        kwok: b.kwok!,
      },
    }),
  );
  const env = { ...process.env, KWOK_WORKDIR: kwokWorkdir(toolchain) };
  const started = Date.now();
  try {
    await execa(b.kwokctl!, kwokctlCreateArgs({ name, configPath, kubeconfigPath: join(dir, 'kubeconfig'), waitSeconds: 120 }), { env });
    await execa(b.kwokctl!, ['--name', name, 'scale', 'node', '--replicas', '2'], { env });
    return Date.now() - started;
  } finally {
    await deleteKwokCluster(toolchain, name);
  }
}

async function harness(): Promise<{ clusterMs: number; fluxMs: number }> {
  const runId = newRunId();
  const runDir = mkdtempSync(join(tmpdir(), 'fb-bench-harness-'));
  const registry = new RunRegistry(toolchain.cacheRoot, runId);
  startWatchdog(registry);
  const env = await startEnvironment({ toolchain, runId, runDir, nodes: 2, sink: { write: () => {} }, registry });
  await env.stop();
  registry.remove();
  return { clusterMs: env.timings.clusterReadyMs, fluxMs: env.timings.fluxReadyMs };
}

const alone: number[] = [];
const cluster: number[] = [];
const flux: number[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate the order so drift on a noisy machine does not favour one side.
  const first = round % 2 === 1 ? 'alone' : 'harness';
  for (const side of first === 'alone' ? ['alone', 'harness'] : ['harness', 'alone']) {
    if (side === 'alone') alone.push(await kwokctlAlone());
    else {
      const h = await harness();
      cluster.push(h.clusterMs);
      flux.push(h.fluxMs);
    }
  }
  console.log(
    `round ${round}${round === 1 ? ' (cold)' : ''}: kwokctl alone ${(alone.at(-1)! / 1000).toFixed(2)}s | harness cluster ${(cluster.at(-1)! / 1000).toFixed(2)}s, cluster+Flux ready ${(flux.at(-1)! / 1000).toFixed(2)}s`,
  );
}
const warm = (xs: number[]) => (xs.length > 1 ? xs.slice(1) : xs);
console.log(`toolchain check/build: ${(toolchainMs / 1000).toFixed(1)}s`);
console.log(`cold: kwokctl alone ${(alone[0]! / 1000).toFixed(2)}s, cluster+Flux ready ${(flux[0]! / 1000).toFixed(2)}s`);
console.log(`warm median: kwokctl alone ${(median(warm(alone)) / 1000).toFixed(2)}s, harness cluster ${(median(warm(cluster)) / 1000).toFixed(2)}s, cluster+Flux ready ${(median(warm(flux)) / 1000).toFixed(2)}s (target < 20s)`);
console.log(`ratio harness cluster / kwokctl alone (warm medians): ${(median(warm(cluster)) / median(warm(alone))).toFixed(3)} (target <= 1.15)`);
