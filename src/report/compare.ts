/**
 * A/B comparison of two runs' summaries: every metric's change, and the verdict of the
 * regression limits (judged by src/scenario's evaluateRegression).
 */
import { UsageError } from '../util/exit-codes.ts';
import { diffMetrics, evaluateRegression, formatMetricValue, parseRegressionLimit, type MetricDelta, type RegressionResult } from '../scenario/index.ts';
import type { Summary } from './summary.ts';
import { metricProblem } from '../measurements/index.ts';

export type LimitsSource = 'option' | 'current' | 'baseline' | 'none';

export interface Comparison {
  baseline: { runId: string; scenarioName: string; verdict: Summary['verdict'] };
  current: { runId: string; scenarioName: string; verdict: Summary['verdict'] };
  limits: Record<string, string>;
  deltas: MetricDelta[];
  results: RegressionResult[];
  /** True when at least one limit failed (beyond its allowance, or its metric went missing). */
  regressed: boolean;
}

/** Compares `current` against `baseline` under `limits` (metric name or glob → "+20%", "-10%", "±5%", "+5s", ...). */
export function compareSummaries(baseline: Summary, current: Summary, limits: Record<string, string>): Comparison {
  const results = evaluateRegression(baseline.metrics, current.metrics, limits);
  return {
    baseline: { runId: baseline.run.runId, scenarioName: baseline.run.scenarioName, verdict: baseline.verdict },
    current: { runId: current.run.runId, scenarioName: current.run.scenarioName, verdict: current.verdict },
    limits,
    deltas: diffMetrics(baseline.metrics, current.metrics),
    results,
    regressed: results.some((r) => !r.ok),
  };
}

/** Limits when none are given: the current run's scenario's, else the baseline's, else none. */
export function defaultLimits(baseline: Summary, current: Summary): { limits: Record<string, string>; source: LimitsSource } {
  if (current.regression && Object.keys(current.regression).length > 0) return { limits: current.regression, source: 'current' };
  if (baseline.regression && Object.keys(baseline.regression).length > 0) return { limits: baseline.regression, source: 'baseline' };
  return { limits: {}, source: 'none' };
}

/** Parses `--limits "lag.applied.p95=+20%,memory.*.max=+15%"`; each limit is validated. */
export function parseLimitsOption(text: string, option = '--limits'): Record<string, string> {
  const limits: Record<string, string> = {};
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) {
      throw new UsageError(`${option}: "${item}" must be <metric>=<limit>, e.g. "lag.applied.p95=+20%" or "memory.*.max=+64Mi"`);
    }
    const metric = item.slice(0, eq).trim();
    const limit = item.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9_*-]+(\.[A-Za-z0-9_*-]+)*$/.test(metric)) {
      throw new UsageError(`${option}: metric "${metric}" must be dot-separated names with optional * globs, e.g. "memory.*.max"`);
    }
    // The same catalogue check as a scenario's regression keys: a typo fails now, not as "missing".
    const unknown = metricProblem(metric);
    if (unknown) throw new UsageError(`${option}: ${unknown}`);
    try {
      parseRegressionLimit(limit);
    } catch (err) {
      throw new UsageError(`${option}: ${(err as Error).message}`);
    }
    limits[metric] = limit;
  }
  return limits;
}

/** The text table `fluxbench compare` prints, ending with the verdict line. */
export function renderComparison(comparison: Comparison, source: LimitsSource = 'option'): string {
  const judged = new Map(comparison.results.map((r) => [r.metric, r]));
  const header = ['metric', 'baseline', 'current', 'delta', 'delta %', 'limit', 'verdict'];
  const rows: string[][] = comparison.deltas.map((d) => {
    const r = judged.get(d.metric);
    return [
      d.metric,
      d.baseline === undefined ? '—' : formatMetricValue(d.metric, d.baseline),
      d.current === undefined ? '—' : formatMetricValue(d.metric, d.current),
      d.delta === undefined ? '—' : signed(d.delta, (v) => formatMetricValue(d.metric, v)),
      d.deltaPct === undefined ? '—' : percentText(d.deltaPct),
      r?.limit ?? '',
      r ? verdictText(r) : '',
    ];
  });
  for (const r of comparison.results) {
    if (r.verdict === 'missing' && !comparison.deltas.some((d) => d.metric === r.metric)) {
      rows.push([r.metric, '—', '—', '—', '—', r.limit, verdictText(r)]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => [...row[i]!].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`baseline: ${comparison.baseline.runId} (${comparison.baseline.scenarioName}, ${comparison.baseline.verdict})`);
  out.push(`current:  ${comparison.current.runId} (${comparison.current.scenarioName}, ${comparison.current.verdict})`);
  if (comparison.baseline.scenarioName !== comparison.current.scenarioName) {
    out.push('note: the two runs come from different scenarios');
  }
  const sourceText: Record<LimitsSource, string> = {
    option: 'from --limits',
    current: "from the current run's scenario",
    baseline: "from the baseline run's scenario",
    none: 'none given: deltas only',
  };
  out.push(`limits:   ${sourceText[source]}`);
  out.push('');
  out.push(line(header));
  out.push(line(header.map((_, i) => '-'.repeat(widths[i]!))));
  for (const row of rows) out.push(line(row));
  out.push('');
  const failed = comparison.results.filter((r) => !r.ok);
  for (const r of failed) out.push(`✗ ${r.message}`);
  out.push(
    comparison.regressed
      ? `REGRESSION: ${failed.length} of ${comparison.results.length} limits failed`
      : comparison.results.length === 0
        ? 'NO LIMITS: nothing judged'
        : `OK: ${comparison.results.length} limits within bounds`,
  );
  return `${out.join('\n')}\n`;
}

function verdictText(r: RegressionResult): string {
  return `${r.ok ? '✓' : '✗'} ${r.verdict}`;
}

function signed(value: number, format: (v: number) => string): string {
  if (value === 0) return '0';
  return `${value > 0 ? '+' : '-'}${format(Math.abs(value))}`;
}

function percentText(pct: number): string {
  if (!Number.isFinite(pct)) return pct > 0 ? '+∞%' : '-∞%';
  if (pct === 0) return '0%';
  return `${pct > 0 ? '+' : ''}${Math.round(pct * 10) / 10}%`;
}
