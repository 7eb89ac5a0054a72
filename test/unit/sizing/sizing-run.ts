/**
 * Realistic runs of one sizing configuration for the sizing tests: samples as the samplers
 * stream them (RSS per controller, CPU, lag per pushed commit, Git host requests, API health),
 * turned into a Summary by the report module's own buildSummary and checked by parseSummary.
 */
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, parseSummary, type Summary } from '../../../src/report/index.ts';
import type { SizingConfig } from '../../../src/sizing/index.ts';
import { sizingThresholds } from '../../../src/sizing/index.ts';
import { parseDuration } from '../../../src/util/units.ts';

const Mi = 1024 ** 2;
const START = Date.parse('2026-11-25T10:00:00.000Z');

export interface RunShape {
  /** RSS max per controller, bytes. */
  rssMax: Record<string, number>;
  /** Lag applied per commit, seconds (push → applied; one lag sample each). */
  appliedLag: number[];
  /** Lag artifact per commit on the Kustomization's GitRepository, seconds (push → artifact); none when absent. */
  artifactLag?: number[];
  /** Git host requests per minute over the 3 minutes sampled. */
  githubPerMinute: number;
  /** 429 responses among them. */
  status429?: number;
  listSeconds?: number;
  oomKilled?: string;
  /** Seconds from the apply of the root objects until the last Kustomization was first Ready; absent: one never was. */
  readyAfterSeconds?: number;
  /** VmHWM per control-plane component, bytes, as the local provider's /proc reads give it; absent: the control plane is out of reach (kind, existing). */
  controlPlanePeak?: Record<string, number>;
}

/**
 * RSS grows with apps and concurrency, as the controllers' caches do. Lag is the two parts the
 * lag measurement tells apart: the source's (the wait for the next poll, spread evenly over one
 * interval, plus a 1s fetch) and the controllers' (grows with apps, shrinks with concurrency).
 */
export function typicalShape(config: SizingConfig): RunShape {
  const intervalMinutes = parseDuration(config.interval) / 60_000;
  const artifactLag = Array.from({ length: 10 }, (_, i) => (intervalMinutes * 60 * (i + 0.5)) / 10 + 1);
  const controllersLag = Array.from({ length: 10 }, (_, i) => (2 + config.apps / 25) * (config.concurrency >= 10 ? 0.6 : 1) * (0.5 + i / 10));
  return {
    rssMax: {
      'source-controller': (40 + config.apps * 0.12) * Mi,
      'kustomize-controller': (60 + config.apps * 0.35 + config.concurrency * 3) * Mi,
    },
    artifactLag,
    appliedLag: artifactLag.map((lag, i) => lag + controllersLag[i]!),
    githubPerMinute: (config.apps / 10) / intervalMinutes + 2,
    listSeconds: 0.01 + config.apps / 5000,
    readyAfterSeconds: 5 + config.apps / 10,
  };
}

export function samplesOf(shape: RunShape): Sample[] {
  const out: Sample[] = [{ ts: START, kind: 'phase', name: 'measure' }];
  // The apply of the root objects, then each Kustomization's first Ready (at the start, so the
  // sampled span the request rate is averaged over stays the 3 minutes).
  const applyAt = START;
  const objects = ['app-1', 'app-2'];
  out.push({ ts: applyAt, kind: 'phase', name: 'apply' });
  out.push({ ts: applyAt, kind: 'ready', name: 'expected', value: 2, detail: { objects: objects.map((o) => `Kustomization/flux-system/${o}`), neverReady: [] } });
  objects.forEach((name, i) => {
    const labels = { kind: 'Kustomization', namespace: 'flux-system', name };
    out.push({ ts: applyAt + 1_000, kind: 'ready', name: 'seen', labels });
    const readyAfter = shape.readyAfterSeconds === undefined ? undefined : (shape.readyAfterSeconds * (i + 1)) / objects.length;
    if (readyAfter !== undefined) out.push({ ts: applyAt + readyAfter * 1000, kind: 'ready', name: 'ready', labels });
  });
  const controllers = Object.keys(shape.rssMax);
  for (const controller of controllers) out.push({ ts: START, kind: 'process', name: 'start', labels: { controller }, detail: { pid: 100, restarts: 0 } });
  for (let round = 0; round <= 36; round++) {
    const ts = START + round * 5_000;
    for (const controller of controllers) {
      // Climbs to the max at the middle of the run, then stays near it.
      const rss = Math.round(shape.rssMax[controller]! * (round >= 18 ? (round === 18 ? 1 : 0.97) : 0.6 + (round / 18) * 0.35));
      out.push({ ts, kind: 'controller', name: 'rss_bytes', value: rss, labels: { controller } });
      if (round > 0) out.push({ ts, kind: 'controller', name: 'cpu_cores', value: 0.05 + (round % 5) * 0.02, labels: { controller } });
      out.push({ ts, kind: 'controller', name: 'workqueue_depth', value: round % 4, labels: { controller } });
      out.push({ ts, kind: 'controller', name: 'reconcile_errors_total', value: 0, labels: { controller } });
    }
    out.push({ ts: ts + 1, kind: 'api', name: 'list_kustomizations_seconds', value: shape.listSeconds ?? 0.02 });
    out.push({ ts: ts + 1, kind: 'api', name: 'etcd_db_bytes', value: 20 * Mi + round * 4096 });
    for (const [component, peak] of Object.entries(shape.controlPlanePeak ?? {})) {
      // VmRSS below the peak the process reached at its start (the CRD phase), VmHWM the peak.
      out.push({ ts: ts + 1, kind: 'component', name: 'rss_bytes', value: Math.round(peak * 0.8), labels: { component } });
      out.push({ ts: ts + 1, kind: 'component', name: 'rss_peak_bytes', value: peak, labels: { component } });
    }
    out.push({ ts: ts + 2, kind: 'objects', name: 'ready', value: 10, labels: { kind: 'Kustomization' } });
    out.push({ ts: ts + 2, kind: 'objects', name: 'total', value: 10, labels: { kind: 'Kustomization' } });
  }
  const source = 'GitRepository/flux-system/fleet';
  shape.appliedLag.forEach((lag, i) => {
    const pushedAt = START + 5_000 + i * 10_000;
    const commit = `${i}`.padStart(40, 'a');
    const artifact = shape.artifactLag?.[i];
    if (artifact !== undefined) {
      const labels = { object: source, repo: 'fleet/apps', commit, stage: 'artifact' };
      out.push({ ts: pushedAt + artifact * 1000, kind: 'lag', name: 'artifact', value: artifact, labels });
    }
    const labels = { object: 'Kustomization/flux-system/app-1', repo: 'fleet/apps', commit, stage: 'applied', ...(artifact !== undefined ? { source } : {}) };
    out.push({ ts: pushedAt + lag * 1000, kind: 'lag', name: 'applied', value: lag, labels });
  });
  const requests = Math.round(shape.githubPerMinute * 3);
  for (let i = 0; i < requests; i++) {
    const status = i < (shape.status429 ?? 0) ? '429' : '200';
    out.push({
      ts: START + Math.floor((i * 180_000) / requests),
      kind: 'github',
      name: 'request',
      value: 0.01,
      labels: { identity: 'flux', repo: 'fleet/apps', route: 'git.upload-pack', method: 'POST', status },
      detail: { bytesIn: 100, bytesOut: 1000 },
    });
  }
  if (shape.oomKilled) {
    out.push({ ts: START + 100_000, kind: 'process', name: 'oom_killed', labels: { controller: shape.oomKilled }, detail: { pid: 100, code: null, signal: 'SIGKILL', cause: 'oom', restarts: 0 } });
    out.push({ ts: START + 101_000, kind: 'process', name: 'restart', labels: { controller: shape.oomKilled }, detail: { pid: 101, restarts: 1, cause: 'oom' } });
  }
  out.push({ ts: START + 180_000, kind: 'phase', name: 'verdict' });
  return out.sort((a, b) => a.ts - b.ts);
}

export function summaryOf(config: SizingConfig, shape: RunShape = typicalShape(config), thresholds = sizingThresholds({})): Summary {
  const summary = buildSummary(samplesOf(shape), {
    runId: `sizing-a${config.apps}-i${config.interval}-c${config.concurrency}`,
    scenarioName: 'sizing',
    scenarioPath: 'scenarios/sizing.yaml',
    startedAt: new Date(START - 60_000).toISOString(),
    endedAt: new Date(START + 181_000).toISOString(),
    status: 'passed',
    provider: 'local',
    versions: { flux: '2.7.3', kubernetes: '1.34.1' },
    thresholds,
  });
  // The shape parseSummary accepts is the one summary.json readers get.
  return parseSummary(JSON.parse(JSON.stringify(summary)));
}
