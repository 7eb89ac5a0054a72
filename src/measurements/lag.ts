/**
 * lag: seconds from a pushed commit to each stage on each object that concerns it (GitRepository
 * or OCIRepository artifact, Kustomization/HelmRelease applied, Ready at that revision), from watches. The same
 * sampler writes the stall and readiness samples (stalls.ts, objects.ts).
 */
import { z } from 'zod';
import type { LagTrackerOptions } from '../metrics/lag-tracker.ts';
import type { LagStage as SampledLagStage } from '../metrics/lag-state.ts';
import type { Sample } from '../metrics/sample.ts';
import { UsageError } from '../util/exit-codes.ts';
import { distribution, distributionSchema, type Distribution } from './stats.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry } from './types.ts';

export const LAG_STAGES = ['artifact', 'applied', 'ready'] as const satisfies readonly SampledLagStage[];
export type LagStage = (typeof LAG_STAGES)[number];

export const lagStatsSchema = z.partialRecord(z.enum(LAG_STAGES), distributionSchema);
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
];

/** Lag seconds per stage. The stage is the sample name; a `stage` label is accepted too. */
export function lagValuesByStage(samples: readonly Sample[]): Record<LagStage, number[]> {
  const out: Record<LagStage, number[]> = { artifact: [], applied: [], ready: [] };
  for (const s of samples) {
    if (s.kind !== 'lag' || typeof s.value !== 'number') continue;
    const stage = (LAG_STAGES as readonly string[]).includes(s.name) ? s.name : s.labels?.stage;
    if (stage && stage in out) out[stage as LagStage].push(s.value);
  }
  return out;
}

function analyzeLag(sorted: readonly Sample[]): LagStats {
  const values = lagValuesByStage(sorted);
  const out: Partial<Record<LagStage, Distribution>> = {};
  for (const stage of LAG_STAGES) {
    const d = distribution(values[stage]);
    if (d) out[stage] = d;
  }
  return out;
}

export const lagMeasurement = defineMeasurement({
  name: 'lag',
  description: 'watches (informers, no polling) GitRepositories, Kustomizations and HelmReleases in all namespaces',
  catalogue,
  analyze: (input) => ({ lag: analyzeLag(input.of('lag')) }),
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
