/**
 * Overhead of the measurement stack while it observes 1,000 Kustomizations.
 *
 * A child process serves a fake Kubernetes API on 127.0.0.1 (1,000 Kustomizations, 50
 * GitRepositories, a bounded steady stream of status updates and a push every few seconds) and
 * four fake controller /metrics endpoints, so the servers' CPU is not counted here. This
 * process first idles for the same duration (baseline), then runs startMeasurements (scrapes,
 * /proc, lag/stall/readiness watches, API health lists) and reports its own CPU and RSS.
 *
 * Usage: npm run bench:overhead [-- --seconds 30 --interval 2000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Push } from '../src/metrics/lag-state.ts';
import { startMeasurements } from '../src/measurements/start.ts';
import { NdjsonWriter } from '../src/util/ndjson.ts';
import { formatBytes } from '../src/util/units.ts';
import {
  FakeKubeApi,
  FakeMetricsEndpoint,
  controllerMetricsText,
  gitRepositoriesPath,
  gitRepository,
  kustomization,
  kustomizationsPath,
} from '../test/unit/metrics/support/fake-kube-api.ts';

const KUSTOMIZATIONS = 1000;
const REPOS = 50;
const UPDATES_PER_SECOND = 50;
const PUSH_EVERY_MS = 3000;

function sha(n: number): string {
  return n.toString(16).padStart(8, '0').repeat(5);
}

/** Child: the fake servers and their bounded update stream; prints its URLs, then pushes. */
async function runServers(maxSeconds: number): Promise<void> {
  const api = new FakeKubeApi();
  await api.start();
  api.addResource('/apis/helm.toolkit.fluxcd.io/v2/helmreleases');
  const repoSha = new Map<number, string>();
  for (let r = 0; r < REPOS; r += 1) {
    repoSha.set(r, sha(r));
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', `repo-${r}`, `acme/repo-${r}`, sha(r)));
  }
  const ksRepo = (i: number): number => i % REPOS;
  const ksName = (i: number): string => `ks-${i}`;
  for (let i = 0; i < KUSTOMIZATIONS; i += 1) {
    api.upsert(kustomizationsPath, kustomization(`team-${i % 10}`, ksName(i), `repo-${ksRepo(i)}`, { applied: repoSha.get(ksRepo(i)), ready: 'True', managedFieldsBytes: 1500 }));
  }
  const endpoints = await Promise.all(
    ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'].map(async () => {
      const endpoint = new FakeMetricsEndpoint();
      endpoint.body = controllerMetricsText({ rssBytes: 120e6, cpuSeconds: 12, queueDepth: 4, reconciles: 5000, errors: 3 });
      await endpoint.start();
      return endpoint;
    }),
  );
  process.stdout.write(`${JSON.stringify({ port: api.port, metricsUrls: endpoints.map((e) => e.url) })}\n`);

  let cursor = 0;
  let pushes = 0;
  // Steady reconcile noise: status refreshes of Kustomizations at their current revision.
  const steady = setInterval(() => {
    for (let n = 0; n < UPDATES_PER_SECOND / 10; n += 1) {
      const i = cursor++ % KUSTOMIZATIONS;
      api.upsert(kustomizationsPath, kustomization(`team-${i % 10}`, ksName(i), `repo-${ksRepo(i)}`, { applied: repoSha.get(ksRepo(i)), ready: 'True', managedFieldsBytes: 1500 }));
    }
  }, 100);
  // A push: artifact after 200 ms, every dependent applied (Unknown) then Ready after 500 ms.
  const churn = setInterval(() => {
    const r = pushes % REPOS;
    const commit = sha(100_000 + pushes);
    pushes += 1;
    process.stdout.write(`${JSON.stringify({ push: { repo: `acme/repo-${r}`, sha: commit, pushedAt: Date.now() } })}\n`);
    setTimeout(() => {
      repoSha.set(r, commit);
      api.upsert(gitRepositoriesPath, gitRepository('flux-system', `repo-${r}`, `acme/repo-${r}`, commit));
      for (let i = r; i < KUSTOMIZATIONS; i += REPOS) {
        api.upsert(kustomizationsPath, kustomization(`team-${i % 10}`, ksName(i), `repo-${r}`, { applied: commit, ready: 'Unknown', managedFieldsBytes: 1500 }));
      }
      setTimeout(() => {
        for (let i = r; i < KUSTOMIZATIONS; i += REPOS) {
          api.upsert(kustomizationsPath, kustomization(`team-${i % 10}`, ksName(i), `repo-${r}`, { applied: commit, ready: 'True', managedFieldsBytes: 1500 }));
        }
      }, 500);
    }, 200);
  }, PUSH_EVERY_MS);
  const shutdown = async (): Promise<void> => {
    clearInterval(steady);
    clearInterval(churn);
    await Promise.all([api.stop(), ...endpoints.map((e) => e.stop())]);
    process.exit(0);
  };
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  setTimeout(() => void shutdown(), maxSeconds * 1000).unref();
}

interface Usage {
  cpuPercent: number;
  /** CPU over the first WARMUP_SECONDS (initial lists, informer sync, lazy module loads). */
  warmupCpuPercent: number;
  /** CPU after that: the steady cost of observing. */
  steadyCpuPercent: number;
  rssBytes: number;
  peakRssBytes: number;
}

const WARMUP_SECONDS = 5;

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function measure(seconds: number): Promise<Usage> {
  const before = process.cpuUsage();
  const startedAt = performance.now();
  let atWarmup: { cpu: NodeJS.CpuUsage; wall: number } | undefined;
  let peak = process.memoryUsage().rss;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!atWarmup && performance.now() - startedAt >= WARMUP_SECONDS * 1000) atWarmup = { cpu: process.cpuUsage(before), wall: performance.now() - startedAt };
  }
  const used = process.cpuUsage(before);
  const wallMs = performance.now() - startedAt;
  const warm = atWarmup ?? { cpu: used, wall: wallMs };
  return {
    cpuPercent: (cpuMs(used) / wallMs) * 100,
    warmupCpuPercent: (cpuMs(warm.cpu) / warm.wall) * 100,
    steadyCpuPercent: wallMs > warm.wall ? ((cpuMs(used) - cpuMs(warm.cpu)) / (wallMs - warm.wall)) * 100 : Number.NaN,
    rssBytes: process.memoryUsage().rss,
    peakRssBytes: peak,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '30' }, interval: { type: 'string', default: '2000' }, servers: { type: 'boolean', default: false } },
  });
  const seconds = Number(values.seconds);
  const interval = Number(values.interval);
  if (!Number.isFinite(seconds) || seconds < 3 || seconds > 600) throw new Error(`--seconds ${values.seconds}: must be between 3 and 600`);
  if (values.servers) {
    await runServers(seconds * 3 + 60);
    return;
  }

  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--servers', '--seconds', String(seconds)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'fluxbench-overhead-'));
  const writer = new NdjsonWriter(join(dir, 'samples.ndjson'));
  let handle: Awaited<ReturnType<typeof startMeasurements>> | undefined;
  try {
    const lines = createInterface({ input: child.stdout! });
    const pending: Push[] = [];
    let pushes = 0;
    const ready = new Promise<{ port: number; metricsUrls: string[] }>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`fake servers exited early with code ${code}`)));
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { port?: number; metricsUrls?: string[]; push?: Push };
        if (message.push) {
          pushes += 1;
          if (handle) handle.recordPush(message.push);
          else pending.push(message.push);
        } else resolve(message as { port: number; metricsUrls: string[] });
      });
    });
    const { port, metricsUrls } = await ready;
    const fake = new FakeKubeApi();
    fake.port = port;

    console.log(`baseline: idling ${seconds}s next to the fake servers (pid ${child.pid})...`);
    const baseline = await measure(seconds);

    let samples = 0;
    const sink = { write: (s: Parameters<typeof writer.write>[0]) => ((samples += 1), writer.write(s)) };
    const names = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];
    console.log(`measuring: ${KUSTOMIZATIONS} Kustomizations, ${UPDATES_PER_SECOND} updates/s, a push every ${PUSH_EVERY_MS / 1000}s, interval ${interval} ms, ${seconds}s...`);
    pushes = 0;
    handle = await startMeasurements({
      kubeConfig: fake.kubeConfig(),
      sink,
      controllers: names.map((controller, i) => ({ controller, metricsUrl: metricsUrls[i]!, pid: () => child.pid })),
      interval,
    });
    pending.length = 0;
    const loaded = await measure(seconds);
    const lagSnapshots = handle.lag?.snapshots().size ?? 0;
    await handle.stop();
    handle = undefined;

    const overheadCpu = loaded.cpuPercent - baseline.cpuPercent;
    const rows = [
      ['', 'CPU % (whole run)', `first ${WARMUP_SECONDS}s`, 'after', 'RSS', 'peak RSS'],
      ...(
        [
          ['baseline (idle)', baseline],
          ['measurement stack', loaded],
        ] as const
      ).map(([label, u]) => [label, u.cpuPercent.toFixed(2), u.warmupCpuPercent.toFixed(2), u.steadyCpuPercent.toFixed(2), formatBytes(u.rssBytes), formatBytes(u.peakRssBytes)]),
    ];
    for (const row of rows) console.log(row.map((c) => c.padEnd(19)).join(''));
    console.log(`steady added CPU (after the first ${WARMUP_SECONDS}s): ${(loaded.steadyCpuPercent - baseline.steadyCpuPercent).toFixed(2)}% of one core`);
    console.log(`objects watched: ${lagSnapshots}; samples written: ${samples}; pushes during run: ${pushes}`);
    console.log(`CPU ratio measured/baseline: ${(loaded.cpuPercent / Math.max(baseline.cpuPercent, 0.01)).toFixed(1)}x; added CPU: ${overheadCpu.toFixed(2)}% of one core (budget 5%) → ${overheadCpu < 5 ? 'within' : 'OVER'} budget`);
    console.log(`RSS ratio measured/baseline: ${(loaded.peakRssBytes / baseline.peakRssBytes).toFixed(2)}x; peak RSS ${formatBytes(loaded.peakRssBytes)} (budget 300Mi) → ${loaded.peakRssBytes < 300 * 1024 * 1024 ? 'within' : 'OVER'} budget`);
  } finally {
    await handle?.stop();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
    child.stdin!.end();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve();
      else {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(kill), resolve()));
      }
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
