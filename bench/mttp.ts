/**
 * Time to Ready in the shape of the Flux maintainers' MTTP benchmark (fluxcd/flux-benchmark), on
 * the local cluster, beside the published figures, each as a ratio:
 *
 * - measured: `ready.all_after` of N Kustomizations (wait: true, timeout 1m, interval 60m,
 *   retryInterval 2m, prune, targetNamespace; kustomize-controller --concurrent=20 with its temp
 *   dir on tmpfs, source-controller --concurrent=10), from the apply of the root objects;
 * - the polling floor: ceil(N / concurrency) × 5 s, kustomize-controller's health-check poll;
 * - published: fluxcd/flux-benchmark RESULTS.md, "Flux v2.9.0" (ubuntu-latest-16-cores runner,
 *   kind with 3 nodes, kustomize-controller 2 CPU / 1Gi / concurrency 20), and the first published
 *   table, "Flux v2.2.0" (commit 97b9dee, 2023-12-05: ubuntu-latest-16-cores, kind v1.28,
 *   kustomize-controller limited to 1 CPU), which is the one the 38 s / 3m50s figures come from;
 * - the runner's own CPU (this Node process: samplers, watches, the fake GitHub's HTTP layer and
 *   the registry gateway; not its git, registry or CLI children) as a share of one core.
 *
 * Differences from flux-benchmark's app (Deployment scaled to zero, ServiceAccount, Service,
 * Ingress; 50–500 dummy CRDs): here a Deployment at 0 replicas, a Service, a ConfigMap and an
 * Ingress, no extra CRDs. One run at a time; each is bounded by its settle timeout.
 *
 * Usage: npm run bench:mttp [-- --objects 100,500 --source git,oci]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenario } from '../src/run/index.ts';
import { defineScenario } from '../src/scenario/index.ts';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '100' }, source: { type: 'string', default: 'git' } } });
const counts = values.objects.split(',').map(Number);
const sources = values.source.split(',');
for (const n of counts) if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--objects ${n}: expected whole numbers 1-1000`);
for (const s of sources) if (s !== 'git' && s !== 'oci') throw new Error(`--source ${s}: expected git or oci`);

/** Kustomization time to Ready, seconds, from the published tables (source in the docstring). */
const published: Record<number, { v290: number; v220: number }> = {
  100: { v290: 26, v220: 38 },
  500: { v290: 120, v220: 230 },
  1000: { v290: 253, v220: 290 },
};
const kustomizeConcurrency = 20;
const healthPollSeconds = 5;

function scenarioFor(n: number, source: string) {
  return defineScenario({
    name: `mttp-${source}-${n}`,
    controllers: {
      source: { concurrent: 10 },
      kustomize: { concurrent: kustomizeConcurrency, tmpfs: true },
    },
    workload: {
      source: source as 'git' | 'oci',
      ...(source === 'oci' ? { oci: { layout: 'per-app' as const } } : {}),
      layout: 'monorepo',
      teams: 1,
      apps: n,
      app: { replicas: 0, ingress: true },
      flux: { wait: true, timeout: '1m', interval: '60m', retryInterval: '2m', prune: true, targetNamespace: true, sourceInterval: '10m' },
    },
    duration: '5s',
    sampling: { interval: '5s' },
    // Long enough for 1,000 on 2 cores; the run reports what was not Ready when it is reached.
    settle: { timeout: '20m', until: 'ready' },
  });
}

const cpuBefore = process.cpuUsage();
const started = performance.now();
const rows: string[] = [];
for (const source of sources) {
  for (const n of counts) {
    const reports = mkdtempSync(join(tmpdir(), 'fb-bench-mttp-'));
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    const result = await runScenario(scenarioFor(n, source), { scenarioPath: '<bench:mttp>', reportsDir: reports, quiet: true, log: () => {} });
    const cpu = process.cpuUsage(t0);
    const wallS = (performance.now() - w0) / 1000;
    const metrics = result.summary?.metrics ?? {};
    const measured = metrics['ready.kustomization.all_after'] ?? metrics['ready.all_after'];
    const notReady = metrics['ready.not_ready'];
    const floor = Math.ceil(n / kustomizeConcurrency) * healthPollSeconds;
    const pub = published[n];
    const ratio = (x: number | undefined) => (measured !== undefined && x ? `${(measured / x).toFixed(2)}x` : '—');
    const harnessPct = ((cpu.user + cpu.system) / 1e6 / wallS) * 100;
    rows.push(
      [
        `${source.padEnd(4)} ${String(n).padStart(5)} Kustomizations`,
        `ready after ${measured !== undefined ? `${measured.toFixed(1)} s` : `— (${notReady ?? '?'} never Ready)`}`,
        `floor ${floor} s (${ratio(floor)})`,
        pub ? `published 2.9.0 ${pub.v290} s (${ratio(pub.v290)}), 2.2.0 ${pub.v220} s (${ratio(pub.v220)})` : 'no published figure',
        `peak kustomize-controller ${((metrics['memory.kustomize-controller.max'] ?? 0) / 2 ** 20).toFixed(0)} MiB`,
        `runner CPU ${harnessPct.toFixed(1)} % of a core`,
        `run ${result.runDir}`,
      ].join(' | '),
    );
    console.log(rows.at(-1));
  }
}
const total = process.cpuUsage(cpuBefore);
console.log(`\nrunner CPU over ${((performance.now() - started) / 1000).toFixed(0)} s: ${(((total.user + total.system) / 1e6 / ((performance.now() - started) / 1000)) * 100).toFixed(1)} % of a core`);
