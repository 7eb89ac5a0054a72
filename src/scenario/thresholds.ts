/**
 * Pass/fail criteria in k6's spirit: "<metric> <op> <value>" on the run's summary metrics.
 * A threshold whose metric was never measured fails: a check that cannot see its data must
 * not turn a broken run green.
 */
import { UsageError } from '../util/exit-codes.ts';
import { formatValue, isMetricGlob, matchMetricNames, parseMetricValue, valueSyntaxHelp, withoutSelector, type ValueUnit } from '../measurements/index.ts';

export const comparisonOps = ['<', '<=', '>', '>=', '==', '!='] as const;
export type ComparisonOp = (typeof comparisonOps)[number];

export interface Threshold {
  /** The expression as written, e.g. "lag.applied.p95 < 60s". */
  expression: string;
  /** A summary metric name, possibly with `*` globs. */
  metric: string;
  op: ComparisonOp;
  /** The limit in base units (seconds, bytes, ratio or plain number). */
  value: number;
  /** How the limit was written; actual values are printed the same way. */
  unit: ValueUnit;
}

export interface ThresholdResult {
  expression: string;
  /** The concrete metric checked (a glob expands to one result per matching metric). */
  metric: string;
  op: ComparisonOp;
  limit: number;
  unit: ValueUnit;
  /** undefined when the metric has no data. */
  actual: number | undefined;
  ok: boolean;
  message: string;
}

// The metric may carry one `{…}` subset selector (see lag-subset.ts), whose terms use = and !=.
const thresholdSyntax = /^\s*([A-Za-z0-9_.*-]+(?:\{[^{}]*\}[A-Za-z0-9_.*-]*)?)\s*(<=|>=|==|!=|<|>)\s*(\S.*?)\s*$/;
const metricNameSyntax = /^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/;

/** Parses "lag.applied.p95 < 60s" into its metric, operator and limit in base units. */
export function parseThreshold(expression: string): Threshold {
  const match = thresholdSyntax.exec(expression);
  if (!match) {
    throw new UsageError(
      `invalid threshold "${expression}": expected "<metric> <op> <value>", e.g. "lag.applied.p95 < 60s" (allowed ops: ${comparisonOps.join(', ')})`,
    );
  }
  const [, written = '', op = '', limitText = ''] = match;
  const metric = written.replace(/\s+/g, '');
  if (!metricNameSyntax.test(withoutSelector(metric))) {
    throw new UsageError(`invalid threshold "${expression}": metric "${metric}" must be dot-separated names, e.g. "memory.*.max"`);
  }
  let limit;
  try {
    limit = parseMetricValue(limitText);
  } catch {
    throw new UsageError(`invalid threshold "${expression}": limit "${limitText}" is not ${valueSyntaxHelp}`);
  }
  return { expression: expression.trim(), metric, op: op as ComparisonOp, value: limit.value, unit: limit.unit };
}

export function compare(actual: number, op: ComparisonOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    case '!=':
      return actual !== limit;
  }
}

/** Checks each threshold against the summary metrics; globs expand to every matching metric. */
export function evaluateThresholds(
  thresholds: readonly (string | Threshold)[],
  metrics: Readonly<Record<string, number>>,
): ThresholdResult[] {
  const measured = Object.keys(metrics).filter((name) => isMeasured(metrics[name]));
  const measuredSet = new Set(measured);
  const results: ThresholdResult[] = [];
  for (const entry of thresholds) {
    const threshold = typeof entry === 'string' ? parseThreshold(entry) : entry;
    const exact = !isMetricGlob(threshold.metric);
    const names = exact ? (measuredSet.has(threshold.metric) ? [threshold.metric] : []) : matchMetricNames(threshold.metric, measured);
    if (names.length === 0) {
      results.push(resultFor(threshold, threshold.metric, undefined));
      continue;
    }
    for (const name of names) results.push(resultFor(threshold, name, metrics[name]));
  }
  return results;
}

function resultFor(threshold: Threshold, metric: string, actual: number | undefined): ThresholdResult {
  const limitText = formatValue(threshold.value, threshold.unit);
  const base = { expression: threshold.expression, metric, op: threshold.op, limit: threshold.value, unit: threshold.unit };
  if (actual === undefined) {
    const what = isMetricGlob(metric) ? `no data for ${metric} (no metric matches)` : `no data for ${metric}`;
    return { ...base, actual, ok: false, message: what };
  }
  const ok = compare(actual, threshold.op, threshold.value);
  const actualText = formatValue(actual, threshold.unit);
  const message = ok
    ? `${metric} = ${actualText} (${threshold.op} ${limitText})`
    : `${metric} = ${actualText}, expected ${threshold.op} ${limitText}`;
  return { ...base, actual, ok, message };
}

function isMeasured(value: number | undefined): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** k6-like end-of-test lines: one ✓/✗ line per checked metric, then a tally. */
export function renderThresholdSummary(results: readonly ThresholdResult[]): string {
  if (results.length === 0) return 'THRESHOLDS\n  (none defined)\n';
  const labels = results.map((result) => `${result.metric} ${result.op} ${formatValue(result.limit, result.unit)}`);
  const width = Math.max(...labels.map((label) => label.length)) + 3;
  const lines = results.map((result, index) => {
    const label = labels[index] ?? '';
    const actual = result.actual === undefined ? 'no data' : formatValue(result.actual, result.unit);
    return `  ${result.ok ? '✓' : '✗'} ${label} ${'.'.repeat(width - label.length)} ${actual}`;
  });
  const failed = results.filter((result) => !result.ok).length;
  const tally = `  ${results.length} checked: ${results.length - failed} passed, ${failed} failed`;
  return ['THRESHOLDS', ...lines, '', tally, ''].join('\n');
}
