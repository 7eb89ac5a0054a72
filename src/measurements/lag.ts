/**
 * lag: seconds from a pushed commit to each stage on each object that concerns it (GitRepository
 * or OCIRepository artifact, Kustomization/HelmRelease applied, Ready at that revision), from watches. The same
 * sampler writes the stall and readiness samples (stalls.ts, objects.ts).
 *
 * It also splits `applied` in two: the source's part (push → artifact, mostly the wait for the
 * next poll unless a webhook triggers the fetch) is `lag.artifact`; the controllers' part
 * (artifact → applied, the work kustomize- and helm-controller do once the artifact exists) is
 * `lag.controllers`. Sizing judges the second, since more memory or concurrency cannot shorten a poll.
 *
 * Commits not applied by the end of the run have no lag yet; `lag.applied.pending` counts them
 * (lag-pending.ts), so an outage cannot hide behind the percentiles of the commits that arrived.
 */
import { z } from 'zod';
import type { LagTrackerOptions } from '../metrics/lag-tracker.ts';
import type { LagStage as SampledLagStage } from '../metrics/lag-state.ts';
import type { Sample } from '../metrics/sample.ts';
import { UsageError } from '../util/exit-codes.ts';
import { lagPendingAtEnd, lagPendingSchema } from './lag-pending.ts';
import { lagSubsetSchema } from './lag-subset.ts';
import { distribution, distributionSchema } from './stats.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry } from './types.ts';

export const LAG_STAGES = ['artifact', 'applied', 'ready'] as const satisfies readonly SampledLagStage[];
export type LagStage = (typeof LAG_STAGES)[number];

/**
 * The stages, plus `controllers`: artifact → applied of the same commit (see controllersLagValues),
 * and `pending`: the commits not applied by the end (absent without pending samples: the lag
 * sampler off, or a run recorded before they existed).
 */
export const lagStatsSchema = z.object({
  artifact: distributionSchema.optional(),
  applied: distributionSchema.optional(),
  ready: distributionSchema.optional(),
  controllers: distributionSchema.optional(),
  pending: lagPendingSchema.optional(),
  /** Subsets of objects the thresholds name (`lag.applied{name=app-0*}.p95`), see lag-subset.ts. */
  subsets: z.array(lagSubsetSchema).optional(),
});
export type LagStats = z.infer<typeof lagStatsSchema>;

const placeholders = { stage: { description: 'artifact (GitRepository), applied or ready (Kustomization, HelmRelease)', values: LAG_STAGES } };
const percentile = (aggregation: 'p50' | 'p95' | 'p99'): MetricEntry => ({
  pattern: `lag.<stage>.${aggregation}`,
  unit: 'seconds',
  aggregation,
  description: `${aggregation} of the seconds from a push to the stage, over every commit and object`,
  placeholders,
});
const catalogue: MetricEntry[] = [
  percentile('p50'),
  percentile('p95'),
  percentile('p99'),
  { pattern: 'lag.<stage>.max', unit: 'seconds', aggregation: 'max', description: 'The longest push-to-stage time', placeholders },
  { pattern: 'lag.<stage>.count', unit: 'count', aggregation: 'count', description: '(commit, object) pairs that reached the stage; 0 when no commit was tracked', placeholders },
  ...(['p50', 'p95', 'max'] as const).map(
    (aggregation): MetricEntry => ({
      pattern: `lag.controllers.${aggregation}`,
      unit: 'seconds',
      aggregation,
      description: `${aggregation === 'max' ? 'The longest' : `${aggregation} of the`} controllers' part of lag.applied: seconds from a commit's artifact on an object's source to the object applying it`,
    }),
  ),
  {
    pattern: 'lag.applied.pending',
    unit: 'count',
    aggregation: 'last',
    description:
      "(commit, object) pairs pushed during the run and not applied by its end; applying a later commit of the repo delivers the earlier ones; objects the run's ground truth says never get Ready left out",
  },
  { pattern: 'lag.applied.pending_oldest', unit: 'seconds', aggregation: 'last', description: 'Seconds from the push of the oldest of those pairs to the end of the run; 0 when none' },
];

/** A lag sample's stage: its name, or a `stage` label. */
const stageOf = (s: Sample) => ((LAG_STAGES as readonly string[]).includes(s.name) ? s.name : s.labels?.stage);

/** Lag seconds per stage. The stage is the sample name; a `stage` label is accepted too. */
export function lagValuesByStage(samples: readonly Sample[]): Record<LagStage, number[]> {
  const out: Record<LagStage, number[]> = { artifact: [], applied: [], ready: [] };
  for (const s of samples) {
    if (s.kind !== 'lag' || typeof s.value !== 'number') continue;
    const stage = stageOf(s);
    if (stage && stage in out) out[stage as LagStage].push(s.value);
  }
  return out;
}

/**
 * The controllers' part of each `applied` sample, in seconds: its lag minus the `artifact` lag of
 * the same commit on the object's source (both count from the same push, so the difference is
 * artifact → applied). The source is the `source` label of the applied sample; samples written
 * before that label existed are paired with the earliest artifact of the commit in the same repo.
 * An applied sample whose artifact was never seen gives no value. Never negative: the two are
 * observed by different watches, so a few milliseconds of order may be lost.
 */
export function controllersLagValues(samples: readonly Sample[]): number[] {
  const bySource = new Map<string, number>();
  const byRepo = new Map<string, number>();
  const earliest = (map: Map<string, number>, key: string, value: number) => map.set(key, Math.min(map.get(key) ?? value, value));
  const applied: Array<{ value: number; commit: string; source: string | undefined; repo: string }> = [];
  for (const s of samples) {
    const commit = s.labels?.commit;
    if (s.kind !== 'lag' || typeof s.value !== 'number' || !commit) continue;
    const stage = stageOf(s);
    if (stage === 'artifact') {
      if (s.labels?.object) earliest(bySource, `${s.labels.object}\u0000${commit}`, s.value);
      earliest(byRepo, `${s.labels?.repo ?? ''}\u0000${commit}`, s.value);
    } else if (stage === 'applied') {
      applied.push({ value: s.value, commit, source: s.labels?.source, repo: s.labels?.repo ?? '' });
    }
  }
  const out: number[] = [];
  for (const a of applied) {
    const artifact = a.source !== undefined ? bySource.get(`${a.source}\u0000${a.commit}`) : byRepo.get(`${a.repo}\u0000${a.commit}`);
    if (artifact !== undefined) out.push(Math.max(0, a.value - artifact));
  }
  return out;
}

function analyzeLag(sorted: readonly Sample[], pendingSamples: readonly Sample[], readySamples: readonly Sample[]): LagStats {
  const values = lagValuesByStage(sorted);
  const out: LagStats = {};
  for (const stage of LAG_STAGES) {
    const d = distribution(values[stage]);
    if (d) out[stage] = d;
  }
  const controllers = distribution(controllersLagValues(sorted));
  if (controllers) out.controllers = controllers;
  const pending = lagPendingAtEnd(pendingSamples, readySamples);
  if (pending) out.pending = pending;
  return out;
}

export const lagMeasurement = defineMeasurement({
  name: 'lag',
  description: 'watches (informers, no polling) GitRepositories, Kustomizations and HelmReleases in all namespaces',
  catalogue,
  analyze: (input) => ({ lag: analyzeLag(input.of('lag'), input.of('pending'), input.of('ready')) }),
  summarize: (analysis: { lag: LagStats }) => {
    const out: FlatMetrics = {};
    for (const stage of LAG_STAGES) {
      const d = analysis.lag[stage];
      out[`lag.${stage}.count`] = d?.count ?? 0;
      if (!d) continue;
      out[`lag.${stage}.p50`] = d.p50;
      out[`lag.${stage}.p95`] = d.p95;
      out[`lag.${stage}.p99`] = d.p99;
      out[`lag.${stage}.max`] = d.max;
    }
    const controllers = analysis.lag.controllers;
    if (controllers) {
      out['lag.controllers.p50'] = controllers.p50;
      out['lag.controllers.p95'] = controllers.p95;
      out['lag.controllers.max'] = controllers.max;
    }
    const pending = analysis.lag.pending;
    if (pending) {
      out['lag.applied.pending'] = pending.pairs;
      out['lag.applied.pending_oldest'] = pending.oldestSeconds;
    }
    return out;
  },
  sampler: {
    create: async (ctx, settings: LagTrackerOptions) => {
      if (!ctx.kubeConfig) throw new UsageError('measurement "lag" needs a cluster (kubeConfig); turn it off with lag: false');
      // Loaded on demand: the Kubernetes client it watches with is not needed to validate or report.
      const { LagTracker } = await import('../metrics/lag-tracker.ts');
      return new LagTracker(settings);
    },
  },
});
