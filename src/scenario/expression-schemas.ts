/** Schemas for the text expressions in `thresholds` and `regression`, checked by their own parsers. */
import { z } from 'zod';
import { parseRegressionLimit } from './regression.ts';
import { parseThreshold } from './thresholds.ts';

/** First segments of the summary metrics the report computes (the metric catalogue). */
export const metricFamilies = ['memory', 'cpu', 'queue', 'reconcile', 'restarts', 'oom', 'lag', 'github', 'stalled', 'api', 'etcd', 'objects'] as const;

/** A misspelt family would only show up as "no data" after a whole run; catch it when loading. */
function familyProblem(metric: string): string | undefined {
  const family = metric.split('.')[0] ?? '';
  if (family.includes('*') || (metricFamilies as readonly string[]).includes(family)) return undefined;
  return `unknown metric "${metric}": no summary metric starts with "${family}." (allowed: ${metricFamilies.join(', ')})`;
}

function checkedBy(parse: (text: string) => unknown) {
  return (text: string, ctx: z.RefinementCtx) => {
    try {
      parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  };
}

export const thresholdExpressionSchema = z
  .string({ error: 'expected a threshold such as "lag.applied.p95 < 60s"' })
  .superRefine((text, ctx) => {
    try {
      const problem = familyProblem(parseThreshold(text).metric);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  })
  .meta({ examples: ['lag.applied.p95 < 60s', 'memory.*.max < 1Gi', 'stalled.count == 0'] });

export const metricPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/, { error: 'expected a metric name or glob such as "memory.*.max"' })
  .refine((metric) => familyProblem(metric) === undefined, { error: (issue) => familyProblem(String(issue.input)) ?? 'unknown metric' });

export const regressionLimitSchema = z
  .string({ error: 'expected a limit such as "+20%", "-10%" or "+5s"' })
  .superRefine(checkedBy(parseRegressionLimit))
  .meta({ examples: ['+20%', '-10%', '±5%', '+64Mi'] });
