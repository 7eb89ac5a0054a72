/**
 * The A/B verdict: per metric, the values of the A runs against those of the B runs, judged
 * against the run-to-run noise the same runs show. Pure: summaries' metrics in, verdicts out.
 *
 * A difference is called only when the two sides' ranges do not overlap (every B run above every
 * A run, or below). When the two sides are samples of one distribution, that happens by chance
 * with probability 2 / C(2n, n) for n runs a side: 10 % at n = 3, 2.9 % at n = 4, 0.8 % at n = 5
 * (an exact permutation argument, the most extreme outcome of a two-sided Mann-Whitney U test;
 * see `chanceOfSeparation`). Interleaving A B B A … keeps slow drift on the machine (page cache,
 * thermal, other load) from landing on one side only.
 *
 * Whether a separated difference is a regression is the scenario's call, as for `compare`: its
 * regression limits say which direction is worse and by how much; a metric without a limit is
 * reported as higher or lower, never as a regression.
 */
import { median } from 'simple-statistics';
import { evaluateRegression, formatMetricValue, parseRegressionLimit } from '../scenario/index.ts';

export type AbVerdictKind = 'no difference' | 'higher' | 'lower' | 'regression' | 'improvement' | 'missing';

export interface AbMetricVerdict {
  metric: string;
  /** The values of each side, in run order (one per round that measured it). */
  a: number[];
  b: number[];
  /** Medians of each side; undefined when a side has no value. */
  medianA?: number;
  medianB?: number;
  /** (medianB - medianA) / |medianA|, as a ratio; undefined when medianA is 0 or missing. */
  change?: number;
  verdict: AbVerdictKind;
  /** The regression limit that judged it (e.g. "+20%"), when the scenario has one for it. */
  limit?: string;
  /** One line a person reads: the medians, ranges and why the verdict. */
  message: string;
}

export interface AbVerdict {
  metrics: AbMetricVerdict[];
  /** True when some metric regressed beyond its limit and beyond the noise: exit code 5. */
  regressed: boolean;
  /** The chance that a metric with no real difference is called different, at these run counts. */
  falseCallChance: number;
}

/**
 * P(the two sides' ranges do not overlap) when all m + n values come from one distribution:
 * 2 / C(m + n, m) (each of the C(m+n, m) orderings of the ranks is equally likely; two of them
 * separate the sides). 1 when a side is empty.
 */
export function chanceOfSeparation(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  let combinations = 1;
  for (let i = 1; i <= m; i += 1) combinations = (combinations * (n + i)) / i;
  return Math.min(1, 2 / combinations);
}

/** The side B lies on when the ranges do not overlap; undefined when they do (or a side is empty). */
export function separation(a: readonly number[], b: readonly number[]): 'higher' | 'lower' | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  if (Math.min(...b) > Math.max(...a)) return 'higher';
  if (Math.max(...b) < Math.min(...a)) return 'lower';
  return undefined;
}

/**
 * Judges every metric present on either side. `limits` are the scenario's regression limits
 * (metric name or glob → "+20%" …); a metric that separated in the direction its limit guards
 * and whose median moved beyond the limit is a regression; separated the other way, an
 * improvement.
 */
export function abVerdict(a: ReadonlyArray<Readonly<Record<string, number>>>, b: ReadonlyArray<Readonly<Record<string, number>>>, limits: Readonly<Record<string, string>> = {}): AbVerdict {
  const names = [...new Set([...a, ...b].flatMap((m) => Object.keys(m)))].sort();
  const metrics = names.map((metric) => judgeMetric(metric, valuesOf(a, metric), valuesOf(b, metric), limits));
  return { metrics, regressed: metrics.some((m) => m.verdict === 'regression'), falseCallChance: chanceOfSeparation(a.length, b.length) };
}

function valuesOf(runs: ReadonlyArray<Readonly<Record<string, number>>>, metric: string): number[] {
  return runs.map((m) => m[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function judgeMetric(metric: string, a: number[], b: number[], limits: Readonly<Record<string, string>>): AbMetricVerdict {
  const medianA = a.length > 0 ? median(a) : undefined;
  const medianB = b.length > 0 ? median(b) : undefined;
  const change = medianA !== undefined && medianB !== undefined && medianA !== 0 ? (medianB - medianA) / Math.abs(medianA) : undefined;
  const base = { metric, a, b, ...(medianA !== undefined ? { medianA } : {}), ...(medianB !== undefined ? { medianB } : {}), ...(change !== undefined ? { change } : {}) };
  const ranges = `A ${describe(metric, a)}, B ${describe(metric, b)}`;
  if (medianA === undefined || medianB === undefined) return { ...base, verdict: 'missing', message: `${metric}: only on side ${medianA === undefined ? 'B' : 'A'} (${ranges})` };
  // The limit guarding this metric, judged on the medians; "missing"/"new" cannot happen here.
  const judged = evaluateRegression({ [metric]: medianA }, { [metric]: medianB }, limits).find((r) => r.metric === metric);
  const limit = judged ? { limit: judged.limit } : {};
  const side = separation(a, b);
  if (!side) return { ...base, ...limit, verdict: 'no difference', message: `${metric}: no difference beyond the noise (${ranges}: the ranges overlap)` };
  if (!judged) return { ...base, verdict: side, message: `${metric}: B ${side} than A beyond the noise (${ranges})` };
  if (!judged.ok) return { ...base, ...limit, verdict: 'regression', message: `${metric}: regression beyond the noise and the limit ${judged.limit} (${ranges})` };
  // The direction the limit guards is the worse one; "±" guards both, so nothing is an improvement.
  const direction = parseRegressionLimit(judged.limit).direction;
  const verdict: AbVerdictKind = direction !== 'either' && (direction === 'increase' ? 'higher' : 'lower') !== side ? 'improvement' : side;
  return { ...base, ...limit, verdict, message: `${metric}: B ${side} than A beyond the noise, ${verdict === 'improvement' ? 'an improvement' : `within the limit ${judged.limit}`} (${ranges})` };
}

/** "median 1.2s [1.1s–1.4s]" in the metric's unit. */
function describe(metric: string, values: readonly number[]): string {
  if (values.length === 0) return 'no value';
  const fmt = (v: number) => formatMetricValue(metric, v);
  return `median ${fmt(median([...values]))} [${fmt(Math.min(...values))}–${fmt(Math.max(...values))}]`;
}
