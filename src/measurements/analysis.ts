/**
 * From a run's samples to what reports show and thresholds judge: every registered
 * measurement's analysis, and the flat summary metrics (`memory.<controller>.max`,
 * `lag.applied.p95`, ...) they produce.
 */
import type { Sample, SampleKind } from '../metrics/sample.ts';
import { groupBy } from './collections.ts';
import { measurements, type SampleAnalysis } from './registry.ts';
import type { AnalysisInput, FlatMetrics, MeasurementDefinition } from './types.ts';

// The registry's definitions differ in their analysis types; here each is only called with the
// whole analysis, which holds every part (SampleAnalysis is their intersection).
const definitions = measurements as readonly MeasurementDefinition<string, object, object>[];

/** Analyses one run's samples (any order). Pure; an empty list gives empty stats. */
export function analyzeSamples(samples: readonly Sample[]): SampleAnalysis {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const byKind = groupBy(sorted, (s) => s.kind);
  const input: AnalysisInput = {
    sorted,
    of: (kind: SampleKind) => byKind.get(kind) ?? [],
    firstTs: sorted[0]?.ts,
    lastTs: sorted[sorted.length - 1]?.ts,
  };
  const analysis: Record<string, unknown> = { firstTs: input.firstTs, lastTs: input.lastTs };
  for (const definition of definitions) if (definition.analyze) Object.assign(analysis, definition.analyze(input));
  return analysis as SampleAnalysis;
}

/** The measurements' warnings for the verdict (objects never Ready, ...), in registry order. */
export function measurementWarnings(analysis: SampleAnalysis): string[] {
  return definitions.flatMap((definition) => definition.warnings?.(analysis) ?? []);
}

/**
 * The flat summary metrics, sorted by name, in base units (seconds, bytes, cores, counts).
 * Undefined and non-finite values are left out: a metric without data is absent, never NaN.
 * With several shards of a controller `<controller>` stands for the worst shard and each shard
 * also appears as `<controller>-shard<N>`.
 */
export function flatMetrics(analysis: SampleAnalysis): Record<string, number> {
  const out: Record<string, number> = {};
  for (const definition of definitions) {
    if (!definition.summarize) continue;
    const metrics: FlatMetrics = definition.summarize(analysis);
    for (const [name, value] of Object.entries(metrics)) if (value !== undefined && Number.isFinite(value)) out[name] = value;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => a[0].localeCompare(b[0])));
}
