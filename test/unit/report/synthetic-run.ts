/**
 * A synthetic but realistic run for report tests: four controllers scraped every 5 s for 5
 * minutes, a kustomize-controller OOM kill and restart, lag for 20 pushed commits on 3 objects,
 * two GitHub identities hitting 429s during a rate-limit fault, a latency fault band, stalls,
 * readiness and API health. Deterministic (seeded).
 */
import type { Sample } from '../../../src/metrics/sample.ts';
import type { RunMeta } from '../../../src/report/index.ts';
import { mulberry32 } from '../../support/random.ts';

export const START_MS = Date.parse('2026-11-25T10:00:00.000Z');
export const INTERVAL_MS = 5_000;
export const ROUNDS = 61; // 0 s .. 300 s
export const CONTROLLERS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'] as const;
export const OOM_AT_MS = START_MS + 150_000;
export const LATENCY_FAULT = { start: START_MS + 60_000, end: START_MS + 90_000 };
export const RATELIMIT_FAULT = { start: START_MS + 120_000, end: START_MS + 180_000 };


export function syntheticSamples(seed = 42): Sample[] {
  const rand = mulberry32(seed);
  const out: Sample[] = [];
  const push = (s: Sample) => out.push(s);
  push({ ts: START_MS, kind: 'phase', name: 'measure' });

  const baseRss: Record<string, number> = {
    'source-controller': 90 * 2 ** 20,
    'kustomize-controller': 140 * 2 ** 20,
    'helm-controller': 70 * 2 ** 20,
    'notification-controller': 35 * 2 ** 20,
  };
  const cpuSeconds: Record<string, number> = {};
  const reconciles: Record<string, number> = {};
  for (const c of CONTROLLERS) {
    cpuSeconds[c] = 0;
    reconciles[c] = 0;
    push({ ts: START_MS, kind: 'process', name: 'start', labels: { controller: c }, detail: { pid: 1000 + CONTROLLERS.indexOf(c), restarts: 0 } });
  }

  for (let round = 0; round < ROUNDS; round++) {
    const ts = START_MS + round * INTERVAL_MS;
    for (const c of CONTROLLERS) {
      const restarted = c === 'kustomize-controller' && ts > OOM_AT_MS;
      // Memory climbs until the OOM kill, then the new process starts low again.
      const growth = c === 'kustomize-controller' ? (restarted ? (ts - OOM_AT_MS) / 1000 : (ts - START_MS) / 1000) * 2 ** 20 : round * 0.2 * 2 ** 20;
      const rss = Math.round(baseRss[c]! + growth + rand() * 4 * 2 ** 20);
      push({ ts: ts + 3, kind: 'controller', name: 'rss_bytes', value: rss, labels: { controller: c } });
      push({ ts: ts + 3, kind: 'controller', name: 'rss_peak_bytes', value: rss + 2 ** 20, labels: { controller: c } });
      push({ ts: ts + 5, kind: 'controller', name: 'go_heap_inuse_bytes', value: Math.round(rss * 0.6), labels: { controller: c } });
      const cores = 0.02 + rand() * (c === 'kustomize-controller' ? 0.4 : 0.1);
      cpuSeconds[c] = restarted && ts === START_MS + Math.ceil((OOM_AT_MS - START_MS) / INTERVAL_MS) * INTERVAL_MS ? cores * 5 : cpuSeconds[c]! + cores * 5;
      push({ ts: ts + 5, kind: 'controller', name: 'cpu_seconds_total', value: cpuSeconds[c]!, labels: { controller: c } });
      if (round > 0) push({ ts: ts + 5, kind: 'controller', name: 'cpu_cores', value: cores, labels: { controller: c } });
      const depth = Math.floor(rand() * (c === 'kustomize-controller' ? 30 : 6));
      push({ ts: ts + 5, kind: 'controller', name: 'workqueue_depth', value: depth, labels: { controller: c } });
      reconciles[c] = reconciles[c]! + Math.floor(rand() * 10);
      push({ ts: ts + 5, kind: 'controller', name: 'reconcile_total', value: reconciles[c]!, labels: { controller: c } });
      push({ ts: ts + 5, kind: 'controller', name: 'reconcile_errors_total', value: Math.floor(round / 20), labels: { controller: c } });
      push({ ts: ts + 5, kind: 'controller', name: 'reconcile_duration_p95_seconds', value: 0.05 + rand() * 0.5, labels: { controller: c } });
    }
    // Readiness: everything Ready except during the rate-limit storm.
    const storm = ts >= RATELIMIT_FAULT.start && ts < RATELIMIT_FAULT.end;
    push({ ts: ts + 10, kind: 'objects', name: 'total', value: 12, labels: { kind: 'Kustomization' } });
    push({ ts: ts + 10, kind: 'objects', name: 'ready', value: storm ? 8 : round < 4 ? round * 3 : 12, labels: { kind: 'Kustomization' } });
    push({ ts: ts + 10, kind: 'objects', name: 'total', value: 3, labels: { kind: 'GitRepository' } });
    push({ ts: ts + 10, kind: 'objects', name: 'ready', value: 3, labels: { kind: 'GitRepository' } });
    push({ ts: ts + 12, kind: 'api', name: 'list_kustomizations_seconds', value: 0.01 + rand() * 0.04 });
    push({ ts: ts + 12, kind: 'api', name: 'etcd_db_bytes', value: 20 * 2 ** 20 + round * 65_536 });
    push({ ts: ts + 12, kind: 'api', name: 'managed_fields_bytes', value: 180_000 + round * 100 });
    // A stale revision that resolves at 100 s, and one that is still there at the end.
    if (ts >= START_MS + 60_000 && ts <= START_MS + 100_000) {
      push({ ts: ts + 11, kind: 'stall', name: 'stale_revision', value: (ts - START_MS - 60_000) / 1000, labels: { object: 'Kustomization/apps/app-2' } });
    }
    if (ts >= START_MS + 250_000) {
      push({ ts: ts + 11, kind: 'stall', name: 'dependency_not_ready', value: (ts - START_MS - 250_000) / 1000, labels: { object: 'Kustomization/apps/app-7' } });
    }
  }

  push({ ts: OOM_AT_MS, kind: 'process', name: 'oom_killed', labels: { controller: 'kustomize-controller' }, detail: { pid: 1001, code: null, signal: 'SIGKILL', cause: 'memory limit 256Mi exceeded', restarts: 0 } });
  push({ ts: OOM_AT_MS + 1, kind: 'process', name: 'exit', labels: { controller: 'kustomize-controller' }, detail: { pid: 1001, code: null, signal: 'SIGKILL', cause: 'oom', restarts: 0 } });
  push({ ts: OOM_AT_MS + 1500, kind: 'process', name: 'restart', labels: { controller: 'kustomize-controller' }, detail: { pid: 2001, restarts: 1, cause: 'oom' } });

  // 20 commits, one every 12 s, each tracked on three Kustomizations.
  for (let commit = 0; commit < 20; commit++) {
    const sha = (0x1000000 + commit * 7919).toString(16).padEnd(40, 'a');
    const pushedAt = START_MS + 10_000 + commit * 12_000;
    for (let object = 0; object < 3; object++) {
      const artifact = 1 + rand() * 6;
      const applied = artifact + 3 + rand() * (pushedAt > RATELIMIT_FAULT.start && pushedAt < RATELIMIT_FAULT.end ? 40 : 12);
      const ready = applied + 0.5 + rand() * 3;
      const labels = { object: `Kustomization/apps/app-${object}`, repo: 'fleet/apps', commit: sha };
      for (const [stage, lag] of [['artifact', artifact], ['applied', applied], ['ready', ready]] as const) {
        push({ ts: pushedAt + Math.round(lag * 1000), kind: 'lag', name: stage, value: Math.round(lag * 1000) / 1000, labels: { ...labels, stage } });
      }
    }
  }

  // GitHub: two tokens polling; 429s while the rate-limit fault is active.
  const remaining: Record<string, number> = { 'token-a': 5000, 'token-b': 5000 };
  for (let t = 0; t < 300_000; t += 1_000) {
    const ts = START_MS + t + 7;
    for (const identity of ['token-a', 'token-b']) {
      const limited = ts >= RATELIMIT_FAULT.start && ts < RATELIMIT_FAULT.end;
      const status = limited ? (rand() < 0.7 ? '429' : '200') : rand() < 0.01 ? '403' : '200';
      const slow = ts >= LATENCY_FAULT.start && ts < LATENCY_FAULT.end;
      push({
        ts,
        kind: 'github',
        name: 'request',
        value: (slow ? 0.5 : 0.005) + rand() * 0.02,
        labels: { identity, repo: 'fleet/apps', route: 'git-upload-pack', method: 'POST', status },
        detail: { bytesIn: 200, bytesOut: status === '200' ? 40_000 : 120 },
      });
      remaining[identity] = Math.max(0, remaining[identity]! - (identity === 'token-a' ? 15 : 5));
      if (t % 5_000 === 0) {
        push({ ts, kind: 'github', name: 'quota_remaining', value: remaining[identity]!, labels: { identity } });
        push({ ts, kind: 'github', name: 'quota_limit', value: 5000, labels: { identity } });
      }
    }
  }

  push({ ts: LATENCY_FAULT.start, kind: 'fault', name: 'start', labels: { fault: 'latency', target: 'github' }, detail: { latency: '500ms' } });
  push({ ts: LATENCY_FAULT.end, kind: 'fault', name: 'end', labels: { fault: 'latency', target: 'github' } });
  push({ ts: RATELIMIT_FAULT.start, kind: 'fault', name: 'start', labels: { fault: 'ratelimit', target: 'token-a' }, detail: { limit: 100, window: '1m' } });
  push({ ts: RATELIMIT_FAULT.end, kind: 'fault', name: 'end', labels: { fault: 'ratelimit', target: 'token-a' } });
  push({ ts: START_MS + 300_050, kind: 'phase', name: 'verdict' });
  return out.sort((a, b) => a.ts - b.ts);
}

export function syntheticRunMeta(overrides: Partial<RunMeta> = {}): RunMeta {
  // The runner's form of the timeline is planTimeline's output; run.json parsing normalises it.
  return {
    runId: '20261125-100000-synthetic',
    scenarioName: 'synthetic',
    scenarioPath: 'scenarios/synthetic.yaml',
    startedAt: new Date(START_MS).toISOString(),
    endedAt: new Date(START_MS + 301_000).toISOString(),
    status: 'failed',
    exitCode: 1,
    provider: 'local',
    versions: { flux: '2.7.3', kubernetes: '1.34.1' },
    thresholds: [
      'lag.applied.p95 < 60s',
      'memory.*.max < 1Gi',
      'github.status_429.count == 0',
      'stalled.count == 0',
      'restarts.count <= 1',
    ],
    regression: { 'lag.applied.p95': '+20%', 'memory.*.max': '+15%' },
    timeline: [
      { atMs: 60_000, endMs: 90_000, label: 'github.fault latency' },
      { atMs: 120_000, endMs: 180_000, label: 'github.ratelimit' },
    ],
    ...overrides,
  };
}

/**
 * The synthetic run with time-to-Ready data, as a run writes it: the apply at the start, the
 * runner's list of the 15 objects that can be Ready (a cycle member left out), and each object's
 * first sight and first Ready (GitRepositories within 4 s, Kustomizations one every 2.5 s).
 * Kept apart from syntheticSamples so the summary names recorded before the ready measurement stay.
 */
export function withReadiness(samples: readonly Sample[]): Sample[] {
  const ids = [...['fleet', 'team-a', 'team-b'].map((r) => `GitRepository/flux-system/${r}`), ...Array.from({ length: 12 }, (_, i) => `Kustomization/apps/app-${i}`)];
  const out: Sample[] = [
    ...samples,
    { ts: START_MS, kind: 'phase', name: 'apply' },
    { ts: START_MS + 1, kind: 'ready', name: 'expected', value: ids.length, detail: { objects: ids, neverReady: [{ object: 'Kustomization/apps/app-99', cause: 'cycle' }] } },
  ];
  ids.forEach((id, i) => {
    const [kind, namespace, name] = id.split('/') as [string, string, string];
    const labels = { kind, namespace, name };
    out.push({ ts: START_MS + 500, kind: 'ready', name: 'seen', labels });
    out.push({ ts: START_MS + (kind === 'GitRepository' ? 1_000 + i * 1_000 : 2_500 * (i - 2)), kind: 'ready', name: 'ready', labels });
  });
  return out.sort((a, b) => a.ts - b.ts);
}
