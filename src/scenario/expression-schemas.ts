/**
 * Schemas for the text expressions in `thresholds` and `regression`: parsed by their own parsers,
 * then checked against the metric catalogue (the whole name, and the limit's unit), so a misspelt
 * metric fails `fluxbench validate` instead of showing as "no data" after a whole run.
 */
import { z } from 'zod';
import { limitUnitProblem, metricFamilies as catalogueFamilies, metricProblem } from '../measurements/index.ts';
import { parseRegressionLimit } from './regression.ts';
import { parseThreshold } from './thresholds.ts';

/** First segments of the summary metrics (memory, cpu, lag, ...), from the catalogue. */
export const metricFamilies: readonly string[] = catalogueFamilies();

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const thresholdExpressionSchema = z
  .string({ error: 'expected a threshold such as "lag.applied.p95 < 60s"' })
  .superRefine((text, ctx) => {
    try {
      const threshold = parseThreshold(text);
      const problem = metricProblem(threshold.metric) ?? limitUnitProblem(threshold.metric, { value: threshold.value, unit: threshold.unit });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: messageOf(error) });
    }
  })
  .meta({ examples: ['lag.applied.p95 < 60s', 'memory.*.max < 1Gi', 'stalled.count == 0'] });

export const metricPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/, { error: 'expected a metric name or glob such as "memory.*.max"' })
  .refine((metric) => metricProblem(metric) === undefined, { error: (issue) => metricProblem(String(issue.input)) ?? 'unknown metric' });

export const regressionLimitSchema = z
  .string({ error: 'expected a limit such as "+20%", "-10%" or "+5s"' })
  .superRefine((text, ctx) => {
    try {
      parseRegressionLimit(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: messageOf(error) });
    }
  })
  .meta({ examples: ['+20%', '-10%', '±5%', '+64Mi'] });

/**
 * Regression limits per metric glob. An absolute limit must be in the metric's unit ("+5s" for
 * lag, "+64Mi" for memory); a relative one ("+20%") fits every metric. The key and the limit are
 * each checked by their own schema first; the unit needs both, so it is checked here.
 */
export const regressionLimitsSchema = z.record(metricPatternSchema, regressionLimitSchema).superRefine((limits, ctx) => {
  for (const [pattern, text] of Object.entries(limits)) {
    let limit;
    try {
      limit = parseRegressionLimit(text);
    } catch {
      continue; // reported by regressionLimitSchema
    }
    if (limit.relative || metricProblem(pattern) !== undefined) continue;
    const problem = limitUnitProblem(pattern, { value: limit.amount, unit: limit.unit });
    if (problem) ctx.addIssue({ code: 'custom', path: [pattern], message: problem });
  }
});
