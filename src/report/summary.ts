/**
 * summary.json: everything a report shows, computed once from samples + run.json, versioned so
 * `fluxbench compare` can refuse summaries it does not understand.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { evaluateThresholds, type ThresholdResult } from '../scenario/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { analyzeSamples, flatMetrics, LAG_STAGES } from './metrics-from-samples.ts';
import { formatZodIssues, runStatusSchema, timelineEntrySchema, type RunMeta } from './run-meta.ts';

export const SUMMARY_SCHEMA_VERSION = 1;

/** The run's outcome: the runner's status, or the thresholds' verdict when it completed. */
export const verdictSchema = z.enum(['passed', 'failed', 'error', 'timeout', 'interrupted', 'incomplete']);
export type Verdict = z.infer<typeof verdictSchema>;

const seriesStatsSchema = z.object({ count: z.number(), min: z.number(), max: z.number(), avg: z.number(), last: z.number() });
const distributionSchema = z.object({
  count: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
});

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
    versions: z.object({ flux: z.string(), kubernetes: z.string() }),
    error: z.string().optional(),
    sampleCount: z.number(),
    firstSampleAt: z.number().optional(),
    lastSampleAt: z.number().optional(),
  }),
  verdict: verdictSchema,
  metrics: z.record(z.string(), z.number()),
  thresholds: z.array(thresholdResultSchema),
  regression: z.record(z.string(), z.string()).optional(),
  controllers: z.array(
    z.object({
      instance: z.string(),
      controller: z.string(),
      shard: z.string().optional(),
      memory: seriesStatsSchema.optional(),
      rssPeakBytes: z.number().optional(),
      residentMemoryMaxBytes: z.number().optional(),
      heapInuseMaxBytes: z.number().optional(),
      cpu: seriesStatsSchema.optional(),
      queue: seriesStatsSchema.optional(),
      reconciles: z.number().optional(),
      reconcileErrors: z.number().optional(),
      reconcileP95MaxSeconds: z.number().optional(),
      restClientRequests: z.number().optional(),
      restarts: z.number(),
      ooms: z.number(),
    }),
  ),
  lag: z.partialRecord(z.enum(LAG_STAGES), distributionSchema),
  processEvents: z.array(
    z.object({
      ts: z.number(),
      controller: z.string(),
      instance: z.string().optional(),
      event: z.string(),
      pid: z.number().optional(),
      code: z.number().nullable().optional(),
      signal: z.string().nullable().optional(),
      cause: z.string().optional(),
      restarts: z.number().optional(),
      value: z.number().optional(),
    }),
  ),
  faults: z.array(
    z.object({
      fault: z.string(),
      target: z.string(),
      start: z.number(),
      end: z.number().optional(),
      detail: z.record(z.string(), z.unknown()).optional(),
      error: z.string().optional(),
    }),
  ),
  github: z.object({
    requests: z.number(),
    statusCounts: z.record(z.string(), z.number()),
    status403: z.number(),
    status429: z.number(),
    bytesIn: z.number(),
    bytesOut: z.number(),
    minQuotaRemaining: z.number().optional(),
    identities: z.record(
      z.string(),
      z.object({
        requests: z.number(),
        status403: z.number(),
        status429: z.number(),
        minRemaining: z.number().optional(),
        lastRemaining: z.number().optional(),
        limit: z.number().optional(),
        exhaustedAfterMs: z.number().optional(),
        predictedExhaustionMs: z.number().optional(),
        quotaBackAfterMs: z.number().optional(),
      }),
    ),
    webhookDeliveries: z.record(z.string(), z.number()),
  }),
  stalls: z.array(
    z.object({
      object: z.string(),
      reason: z.string(),
      maxSeconds: z.number(),
      firstTs: z.number(),
      lastTs: z.number(),
      atEnd: z.boolean(),
    }),
  ),
  stalledAtEnd: z.array(z.string()),
  api: z.object({
    listKustomizations: distributionSchema.optional(),
    etcdDbMaxBytes: z.number().optional(),
    managedFieldsMaxBytes: z.number().optional(),
    objectCounts: z.record(z.string(), z.number()),
  }),
  objects: z.object({
    readyLast: z.number().optional(),
    totalLast: z.number().optional(),
    byKind: z.record(z.string(), z.object({ ready: z.number().optional(), total: z.number().optional() })),
  }),
  timeline: z.array(timelineEntrySchema).optional(),
  diagnosis: z.unknown().optional(),
});
export type Summary = z.infer<typeof summarySchema>;

/** Computes the summary of one run. Thresholds come from run.json and are judged here. */
export function buildSummary(samples: readonly Sample[], runMeta: RunMeta): Summary {
  const analysis = analyzeSamples(samples);
  const metrics = flatMetrics(analysis);
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
    lag: analysis.lag,
    processEvents: analysis.processEvents,
    faults: analysis.faults,
    github: analysis.github,
    stalls: analysis.stalls,
    stalledAtEnd: analysis.stalledAtEnd,
    api: analysis.api,
    objects: analysis.objects,
  };
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
  throw new UsageError(`${source}: not a fluxbench summary:\n${formatZodIssues(parsed.error.issues)}`);
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
