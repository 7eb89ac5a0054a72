/**
 * Regression limits between a baseline run and the current one (`fluxbench compare`,
 * `run --baseline`). A limit is signed: "+20%" allows the metric to grow by at most 20%,
 * "-10%" to shrink by at most 10% (for metrics where more is better), "±5%" both ways;
 * absolute limits ("+5s", "+64Mi", "+0") work the same in base units.
 */
import { UsageError } from '../util/exit-codes.ts';
import { formatMetricValue, formatValue, matchMetricNames, metricPatternSpecificity, parseMetricValue, valueSyntaxHelp, type ValueUnit } from '../measurements/index.ts';

export type RegressionDirection = 'increase' | 'decrease' | 'either';

export interface RegressionLimit {
  text: string;
  direction: RegressionDirection;
  /** A ratio (0.2 for "+20%") when relative, else base units. */
  amount: number;
  relative: boolean;
  unit: ValueUnit;
}

export type RegressionVerdict = 'pass' | 'regression' | 'missing' | 'new';

export interface RegressionResult {
  metric: string;
  /** The limit's key in the scenario (exact name or glob). */
  pattern: string;
  limit: string;
  baseline: number | undefined;
  current: number | undefined;
  /** current - baseline, in base units. */
  delta: number | undefined;
  /** delta as a percentage of |baseline| (±Infinity when the baseline is 0 and the value moved). */
  deltaPct: number | undefined;
  /** pass; regression (beyond the limit); missing (no current value); new (no baseline value). */
  verdict: RegressionVerdict;
  ok: boolean;
  message: string;
}

export interface MetricDelta {
  metric: string;
  baseline: number | undefined;
  current: number | undefined;
  delta: number | undefined;
  deltaPct: number | undefined;
}

const signs: Record<string, RegressionDirection> = { '+': 'increase', '-': 'decrease', '±': 'either', '+-': 'either' };
const limitSyntax = /^\s*(\+-|±|\+|-)\s*(\S+)\s*$/;
/** Floating-point slack so "+20%" accepts exactly 20% more. */
const tolerance = 1e-9;

export function parseRegressionLimit(text: string): RegressionLimit {
  const match = limitSyntax.exec(text);
  if (!match) {
    throw new UsageError(
      `invalid regression limit "${text}": start with + (limits an increase), - (limits a decrease) or ± (both), e.g. "+20%", "-10%", "+5s" (allowed signs: +, -, ±)`,
    );
  }
  const [, sign = '+', valueText = ''] = match;
  let parsed;
  try {
    parsed = parseMetricValue(valueText);
  } catch {
    throw new UsageError(`invalid regression limit "${text}": "${valueText}" is not ${valueSyntaxHelp}`);
  }
  if (parsed.value < 0) throw new UsageError(`invalid regression limit "${text}": the amount after the sign must not be negative`);
  return {
    text: text.trim(),
    direction: signs[sign] ?? 'increase',
    amount: parsed.value,
    relative: parsed.unit === 'ratio',
    unit: parsed.unit,
  };
}

/** Every metric present in either run with its change; what compare tables list. */
export function diffMetrics(
  baseline: Readonly<Record<string, number>>,
  current: Readonly<Record<string, number>>,
): MetricDelta[] {
  const names = [...new Set([...measuredNames(baseline), ...measuredNames(current)])].sort();
  return names.map((metric) => deltaOf(metric, valueOf(baseline, metric), valueOf(current, metric)));
}

/**
 * Judges the current run against the baseline. Each metric is judged by the most specific
 * limit that matches it; a limit matching no metric in either run fails as "missing".
 */
export function evaluateRegression(
  baseline: Readonly<Record<string, number>>,
  current: Readonly<Record<string, number>>,
  limits: Readonly<Record<string, string>>,
): RegressionResult[] {
  const parsed = Object.entries(limits).map(([pattern, text]) => ({ pattern, limit: parseRegressionLimit(text) }));
  const names = new Set([...measuredNames(baseline), ...measuredNames(current)]);
  const chosen = new Map<string, (typeof parsed)[number]>();
  const results: RegressionResult[] = [];
  for (const entry of parsed) {
    const matches = matchMetricNames(entry.pattern, names);
    if (matches.length === 0) {
      results.push({
        metric: entry.pattern,
        pattern: entry.pattern,
        limit: entry.limit.text,
        baseline: undefined,
        current: undefined,
        delta: undefined,
        deltaPct: undefined,
        verdict: 'missing',
        ok: false,
        message: `no data for ${entry.pattern} in either run`,
      });
    }
    for (const metric of matches) {
      const previous = chosen.get(metric);
      if (!previous || metricPatternSpecificity(entry.pattern) > metricPatternSpecificity(previous.pattern)) chosen.set(metric, entry);
    }
  }
  for (const [metric, entry] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
    results.push(judge(metric, entry.pattern, entry.limit, valueOf(baseline, metric), valueOf(current, metric)));
  }
  return results;
}

function judge(
  metric: string,
  pattern: string,
  limit: RegressionLimit,
  baselineValue: number | undefined,
  currentValue: number | undefined,
): RegressionResult {
  const delta = deltaOf(metric, baselineValue, currentValue);
  const base = { ...delta, pattern, limit: limit.text };
  if (currentValue === undefined) {
    return { ...base, verdict: 'missing', ok: false, message: `${metric}: no data in the current run (baseline ${formatMetricValue(metric, baselineValue ?? NaN)})` };
  }
  if (baselineValue === undefined) {
    return { ...base, verdict: 'new', ok: true, message: `${metric}: not in the baseline (now ${formatMetricValue(metric, currentValue)})` };
  }
  const change = limit.relative ? ratioChange(baselineValue, currentValue) : currentValue - baselineValue;
  const grewTooMuch = limit.direction !== 'decrease' && change > limit.amount + tolerance;
  const shrankTooMuch = limit.direction !== 'increase' && -change > limit.amount + tolerance;
  const ok = !grewTooMuch && !shrankTooMuch;
  const described = `${metric}: ${formatMetricValue(metric, baselineValue)} → ${formatMetricValue(metric, currentValue)} (${describeChange(metric, delta)})`;
  return {
    ...base,
    verdict: ok ? 'pass' : 'regression',
    ok,
    message: ok ? `${described} within ${limit.text}` : `${described} exceeds ${limit.text}`,
  };
}

function ratioChange(baseline: number, current: number): number {
  if (baseline === 0) return current === 0 ? 0 : Math.sign(current) * Infinity;
  return (current - baseline) / Math.abs(baseline);
}

function deltaOf(metric: string, baseline: number | undefined, current: number | undefined): MetricDelta {
  if (baseline === undefined || current === undefined) return { metric, baseline, current, delta: undefined, deltaPct: undefined };
  return { metric, baseline, current, delta: current - baseline, deltaPct: ratioChange(baseline, current) * 100 };
}

function describeChange(metric: string, delta: MetricDelta): string {
  if (delta.delta === undefined || delta.deltaPct === undefined) return 'n/a';
  const sign = delta.delta > 0 ? '+' : delta.delta < 0 ? '-' : '±';
  const pct = Number.isFinite(delta.deltaPct) ? `${sign}${formatValue(Math.abs(delta.deltaPct) / 100, 'ratio')}` : `${sign}∞%`;
  return `${sign}${formatMetricValue(metric, Math.abs(delta.delta))}, ${pct}`;
}

/** One ✓/✗ line per judged metric, then a tally; what compare prints. */
export function renderRegressionSummary(results: readonly RegressionResult[]): string {
  if (results.length === 0) return 'REGRESSION\n  (no limits defined)\n';
  const lines = results.map((result) => `  ${result.ok ? '✓' : '✗'} ${result.message}`);
  const failed = results.filter((result) => !result.ok).length;
  return ['REGRESSION', ...lines, '', `  ${results.length} checked: ${results.length - failed} passed, ${failed} failed`, ''].join('\n');
}

function measuredNames(metrics: Readonly<Record<string, number>>): string[] {
  return Object.keys(metrics).filter((name) => valueOf(metrics, name) !== undefined);
}

function valueOf(metrics: Readonly<Record<string, number>>, name: string): number | undefined {
  const value = metrics[name];
  return typeof value === 'number' && !Number.isNaN(value) ? value : undefined;
}
