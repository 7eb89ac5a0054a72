/**
 * summary.json: everything a report shows, computed once from samples + run.json, versioned so
 * `fluxbench compare` can refuse summaries it does not understand.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  analyzeSamples,
  apfStatsSchema,
  apiStatsSchema,
  controllerStatsSchema,
  controlPlaneStatsSchema,
  faultBandSchema,
  flatMetrics,
  fleetStatsSchema,
  githubStatsSchema,
  goProcessStatsSchema,
  harnessStatsSchema,
  hasSubsetSelector,
  lagStatsSchema,
  lagSubsets,
  measurementWarnings,
  objectsStatsSchema,
  processEventSchema,
  readyStatsSchema,
  registryStatsSchema,
  stallStatsSchema,
  reconcileStatsSchema,
  workersStatsSchema,
} from '../measurements/index.ts';
import type { Sample } from '../metrics/sample.ts';
import { evaluateThresholds, parseThreshold, type ThresholdResult } from '../scenario/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { runStatusSchema, timelineEntrySchema, type RunMeta } from './run-meta.ts';

export const SUMMARY_SCHEMA_VERSION = 1;

/** The run's outcome: the runner's status, or the thresholds' verdict when it completed. */
export const verdictSchema = z.enum(['passed', 'failed', 'error', 'timeout', 'interrupted', 'incomplete']);
export type Verdict = z.infer<typeof verdictSchema>;

export const thresholdResultSchema = z.object({
  expression: z.string(),
  metric: z.string(),
  op: z.string(),
  limit: z.number().optional(),
  unit: z.string().optional(),
  /** Absent when the metric had no data. */
  actual: z.number().optional(),
  ok: z.boolean(),
  message: z.string(),
});
export type SummaryThresholdResult = z.infer<typeof thresholdResultSchema>;

export const summarySchema = z.object({
  schemaVersion: z.literal(SUMMARY_SCHEMA_VERSION),
  run: z.object({
    runId: z.string(),
    scenarioName: z.string(),
    scenarioPath: z.string(),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    /** Wall time of the run: endedAt − startedAt, or the span of the samples when it never ended. */
    durationSeconds: z.number(),
    status: runStatusSchema,
    exitCode: z.number().optional(),
    provider: z.string(),
    versions: z.object({ flux: z.string(), kubernetes: z.string(), controllers: z.record(z.string(), z.string()).optional() }),
    error: z.string().optional(),
    sampleCount: z.number(),
    firstSampleAt: z.number().optional(),
    lastSampleAt: z.number().optional(),
  }),
  verdict: verdictSchema,
  metrics: z.record(z.string(), z.number()),
  /** Lines the verdict prints beside its result (objects never Ready, ...); absent when none. */
  warnings: z.array(z.string()).optional(),
  thresholds: z.array(thresholdResultSchema),
  regression: z.record(z.string(), z.string()).optional(),
  /** Each measurement's analysis, under the keys it has in the analysis (src/measurements). */
  controllers: z.array(controllerStatsSchema.extend({ restarts: z.number(), ooms: z.number() })),
  lag: lagStatsSchema,
  processEvents: z.array(processEventSchema),
  faults: z.array(faultBandSchema),
  github: githubStatsSchema,
  stalls: z.array(stallStatsSchema),
  stalledAtEnd: z.array(z.string()),
  api: apiStatsSchema,
  objects: objectsStatsSchema,
  /** Absent in summaries written before the go-process measurement. */
  goProcess: z.array(goProcessStatsSchema).optional(),
  /** Time-to-Ready; absent without an apply phase, and in summaries written before the ready measurement. */
  ready: readyStatsSchema.optional(),
  /** The OCI registry's traffic; absent in summaries written before the registry measurement. */
  registry: registryStatsSchema.optional(),
  /** API Priority and Fairness per priority level; absent in summaries written before the apf measurement. */
  apf: apfStatsSchema.optional(),
  /** The control plane's processes (etcd, kube-apiserver, ...) by component; absent where they are not processes of this machine, and in summaries written before the control-plane measurement. */
  controlPlane: controlPlaneStatsSchema.optional(),
  /** fluxbench's own process while the samplers ran; absent in summaries written before the harness measurement. */
  harness: harnessStatsSchema.optional(),
  /** Worker saturation per controller and reconciler; absent without worker gauges in the scrapes, and in summaries written before the workers measurement. */
  workers: workersStatsSchema.optional(),
  /** Reconcile requests (flux.reconcile) and how long each took to be handled; absent without one. */
  reconcile: reconcileStatsSchema.optional(),
  /** The spoke clusters of a fleet run, one by one; absent without a fleet, and in summaries written before the fleet measurement. */
  fleet: fleetStatsSchema.optional(),
  timeline: z.array(timelineEntrySchema).optional(),
  diagnosis: z.unknown().optional(),
});
export type Summary = z.infer<typeof summarySchema>;

/** Computes the summary of one run. Thresholds come from run.json and are judged here. */
export function buildSummary(samples: readonly Sample[], runMeta: RunMeta): Summary {
  const analysis = analyzeSamples(samples);
  // Subsets exist because a threshold names them (k6's sub-metrics): computed from the samples here.
  const subset = lagSubsets(samples, subsetMetricNames(runMeta.thresholds));
  const metrics = { ...flatMetrics(analysis), ...subset.metrics };
  const thresholds = judgeThresholds(runMeta.thresholds, metrics);
  const startedMs = Date.parse(runMeta.startedAt);
  const endedMs = runMeta.endedAt ? Date.parse(runMeta.endedAt) : analysis.lastTs;
  const summary: Summary = {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    run: {
      runId: runMeta.runId,
      scenarioName: runMeta.scenarioName,
      scenarioPath: runMeta.scenarioPath,
      startedAt: runMeta.startedAt,
      durationSeconds: endedMs !== undefined ? Math.max(0, (endedMs - startedMs) / 1000) : 0,
      status: runMeta.status,
      provider: runMeta.provider,
      versions: runMeta.versions,
      sampleCount: samples.length,
    },
    verdict: verdictOf(runMeta.status, thresholds),
    metrics,
    thresholds,
    controllers: analysis.controllers.map((c) => ({
      ...c,
      restarts: analysis.restartsByInstance[c.instance] ?? 0,
      ooms: analysis.oomsByInstance[c.instance] ?? 0,
    })),
    lag: subset.subsets.length > 0 ? { ...analysis.lag, subsets: subset.subsets } : analysis.lag,
    processEvents: analysis.processEvents,
    faults: analysis.faults,
    github: analysis.github,
    stalls: analysis.stalls,
    stalledAtEnd: analysis.stalledAtEnd,
    api: analysis.api,
    objects: analysis.objects,
    goProcess: analysis.goProcess,
    registry: analysis.registry,
    apf: analysis.apf,
  };
  if (analysis.ready) summary.ready = analysis.ready;
  if (analysis.workers.reconcilers.length > 0) summary.workers = analysis.workers;
  if (analysis.reconcile) summary.reconcile = analysis.reconcile;
  if (analysis.fleet) summary.fleet = analysis.fleet;
  if (analysis.controlPlane) summary.controlPlane = analysis.controlPlane;
  if (analysis.harness) summary.harness = analysis.harness;
  const warnings = measurementWarnings(analysis);
  if (warnings.length > 0) summary.warnings = warnings;
  if (runMeta.endedAt) summary.run.endedAt = runMeta.endedAt;
  if (runMeta.exitCode !== undefined) summary.run.exitCode = runMeta.exitCode;
  if (runMeta.error) summary.run.error = runMeta.error;
  if (analysis.firstTs !== undefined) summary.run.firstSampleAt = analysis.firstTs;
  if (analysis.lastTs !== undefined) summary.run.lastSampleAt = analysis.lastTs;
  if (runMeta.regression) summary.regression = runMeta.regression;
  if (runMeta.timeline) summary.timeline = runMeta.timeline;
  if (runMeta.diagnosis !== undefined) summary.diagnosis = runMeta.diagnosis;
  return summary;
}

/** The `lag.<stage>{…}.<aggregation>` names the thresholds use; malformed thresholds are judged (and failed) elsewhere. */
function subsetMetricNames(expressions: readonly string[]): string[] {
  const names: string[] = [];
  for (const expression of expressions) {
    try {
      const { metric } = parseThreshold(expression);
      if (hasSubsetSelector(metric)) names.push(metric);
    } catch {
      continue;
    }
  }
  return names;
}

/**
 * Judges each expression on its own, so one malformed threshold in run.json becomes one
 * failed result with its parse error instead of losing the whole report.
 */
export function judgeThresholds(expressions: readonly string[], metrics: Record<string, number>): SummaryThresholdResult[] {
  const out: SummaryThresholdResult[] = [];
  for (const expression of expressions) {
    let results: ThresholdResult[];
    try {
      results = evaluateThresholds([expression], metrics);
    } catch (err) {
      out.push({ expression, metric: expression, op: '?', ok: false, message: (err as Error).message });
      continue;
    }
    for (const r of results) {
      const result: SummaryThresholdResult = { expression: r.expression, metric: r.metric, op: r.op, limit: r.limit, unit: r.unit, ok: r.ok, message: r.message };
      if (r.actual !== undefined) result.actual = r.actual;
      out.push(result);
    }
  }
  return out;
}

/** error/timeout/interrupted win over thresholds; a run without an end is incomplete. */
export function verdictOf(status: RunMeta['status'], thresholds: readonly { ok: boolean }[]): Verdict {
  switch (status) {
    case 'error':
    case 'timeout':
    case 'interrupted':
      return status;
    case 'running':
      return 'incomplete';
    case 'passed':
    case 'failed':
      return thresholds.every((t) => t.ok) && status === 'passed' ? 'passed' : 'failed';
  }
}

/** Validates parsed summary.json content; errors name the source and each bad field. */
export function parseSummary(input: unknown, source = 'summary.json'): Summary {
  if (typeof input === 'object' && input !== null && 'schemaVersion' in input && input.schemaVersion !== SUMMARY_SCHEMA_VERSION) {
    throw new UsageError(
      `${source}: schemaVersion ${String(input.schemaVersion)} is not supported (allowed: ${SUMMARY_SCHEMA_VERSION}); rebuild it with "fluxbench report <run-dir>"`,
    );
  }
  const parsed = summarySchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${source}: not a fluxbench summary:\n${formatZodIssues(parsed.error.issues, { prefix: '  ' }).join('\n')}`);
}

/** Reads and validates a summary.json file. */
export function readSummary(path: string): Summary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read summary: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return parseSummary(json, path);
}
