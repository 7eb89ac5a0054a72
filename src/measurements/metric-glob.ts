/**
 * Metric name patterns: `*` stands for one dot-separated segment or part of one, so
 * `memory.*.max` matches `memory.source-controller.max` but not `memory.a.b.max`.
 */

export function isMetricGlob(pattern: string): boolean {
  // A `*` inside a subset selector (`lag.applied{name=app-0*}.p95`) globs objects, not metric names.
  return pattern.replace(/\{[^{}]*\}/g, '').includes('*');
}

export function metricGlobToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${body}$`);
}

/** Names from `names` the pattern matches, sorted so results are stable across runs. */
export function matchMetricNames(pattern: string, names: Iterable<string>): string[] {
  const unique = names instanceof Set ? (names as Set<string>) : new Set(names);
  if (!isMetricGlob(pattern)) return unique.has(pattern) ? [pattern] : [];
  const regexp = metricGlobToRegExp(pattern);
  return [...unique].filter((name) => regexp.test(name)).sort();
}

/**
 * How specific a pattern is, so an exact name beats `memory.*.max`, which beats `*.*.max`:
 * exact names rank above every glob; globs rank by their count of literal characters.
 */
export function metricPatternSpecificity(pattern: string): number {
  if (!isMetricGlob(pattern)) return Number.MAX_SAFE_INTEGER;
  return pattern.replaceAll('*', '').length;
}
