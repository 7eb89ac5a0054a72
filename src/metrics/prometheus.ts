/**
 * Prometheus text exposition format (version 0.0.4, and the OpenMetrics subset controllers emit):
 * parsing into metric families, and the quantile estimate PromQL's histogram_quantile makes.
 * Pure: no I/O, so every edge of the format is unit-tested.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** The series name as written (`x_bucket`, `x_sum`, `x_count` belong to family `x`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: PromSample[];
}

/** Families by name, in the order they first appear. */
export type MetricFamilies = Map<string, MetricFamily>;

export class PrometheusParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`metrics text line ${line}: ${message}`);
    this.name = 'PrometheusParseError';
  }
}

const metricTypes = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// Suffixes under which a typed family's series appear (OpenMetrics adds _total, _created, _gsum/_gcount).
const familySuffixes: Record<MetricType, string[]> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_sum', '_count', '_created', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created'],
  untyped: [],
};
const metricNameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*/;

const allSuffixes = [...new Set(Object.values(familySuffixes).flat())];

/**
 * A byte-level pre-filter for getLines (http-text.ts): accepts the lines whose series name begins
 * with one of the families' names (a `_total` name also without that suffix, as selectFamilies
 * reads OpenMetrics counters) and their `# HELP` and `# TYPE` lines, judged on the raw bytes so
 * the rejected lines are never decoded. Coarse on purpose (a prefix also admits longer names):
 * selectFamilies makes the exact choice on what is left.
 */
export function linePrefixFilter(families: Iterable<string>): (line: Buffer) => boolean {
  const names = [...families].flatMap((name) => (name.endsWith('_total') ? [name, name.slice(0, -'_total'.length)] : [name]));
  const wanted = [...new Set(names)].map((name) => Buffer.from(name, 'latin1'));
  const startsWithWanted = (line: Buffer, at: number): boolean => {
    next: for (const prefix of wanted) {
      if (line.length - at < prefix.length) continue;
      for (let i = 0; i < prefix.length; i += 1) if (line[at + i] !== prefix[i]) continue next;
      return true;
    }
    return false;
  };
  return (line) => (line[0] === 0x23 ? startsWithWanted(line, commentNameAt(line)) : startsWithWanted(line, 0));
}

/** Where the metric name starts in `#\s*(HELP|TYPE)\s+name ...`, the comments selectFamilies keeps; the line's length otherwise. */
function commentNameAt(line: Buffer): number {
  const isSpace = (i: number): boolean => line[i] === 0x20 || line[i] === 0x09;
  let i = 1;
  while (isSpace(i)) i += 1;
  const keyword = line.toString('latin1', i, i + 4);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return line.length;
  i += 4;
  if (!isSpace(i)) return line.length;
  while (isSpace(i)) i += 1;
  return i;
}

/**
 * The lines of `text` that belong to the named families: their HELP and TYPE comments and every
 * series of theirs (`x`, and `x_bucket`, `x_total`, ... as any type writes them), in order.
 * Why: a Go controller's /metrics is thousands of lines of which a scraper reads a dozen
 * families, and parsing them all every few seconds is most of the harness's own CPU (and its
 * garbage); selecting by name first is a string scan. A counter asked for as `x_total` also
 * matches its OpenMetrics family `x`.
 */
export function selectFamilies(text: string, names: Iterable<string>): string {
  const wanted = new Set<string>();
  for (const name of names) {
    wanted.add(name);
    if (name.endsWith('_total')) wanted.add(name.slice(0, -'_total'.length));
  }
  const belongs = (series: string): boolean => {
    if (wanted.has(series)) return true;
    for (const suffix of allSuffixes) if (series.endsWith(suffix) && wanted.has(series.slice(0, -suffix.length))) return true;
    return false;
  };
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      const name = /^#\s*(?:HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
      if (name !== undefined && belongs(name)) kept.push(line);
      continue;
    }
    const series = metricNameRe.exec(line)?.[0];
    if (series !== undefined && belongs(series)) kept.push(line);
  }
  return kept.join('\n');
}

/** Parses exposition text; throws PrometheusParseError naming the line of the first malformed entry. */
export function parsePrometheusText(text: string): MetricFamilies {
  const families: MetricFamilies = new Map();
  const declared = new Map<string, MetricType>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.replace(/\r$/, '');
    const lineNo = index + 1;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      parseComment(line, lineNo, families, declared);
      continue;
    }
    const sample = parseSampleLine(line, lineNo);
    const familyName = familyOf(sample.name, declared);
    let family = families.get(familyName);
    if (!family) {
      family = { name: familyName, type: declared.get(familyName) ?? 'untyped', samples: [] };
      families.set(familyName, family);
    }
    family.samples.push(sample);
  }
  return families;
}

function parseComment(line: string, lineNo: number, families: MetricFamilies, declared: Map<string, MetricType>): void {
  const match = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
  if (!match) return; // free comment, or OpenMetrics "# EOF" / "# UNIT"
  const [, keyword, name, rest = ''] = match;
  const family = families.get(name!) ?? { name: name!, type: 'untyped' as MetricType, samples: [] };
  if (keyword === 'TYPE') {
    const type = rest.trim() as MetricType;
    if (!metricTypes.has(type)) {
      throw new PrometheusParseError(`unknown metric type "${rest.trim()}" for ${name}; allowed: ${[...metricTypes].join(', ')}`, lineNo);
    }
    family.type = type;
    declared.set(name!, type);
  } else {
    family.help = unescapeHelp(rest);
  }
  families.set(name!, family);
}

function familyOf(seriesName: string, declared: Map<string, MetricType>): string {
  if (declared.has(seriesName)) return seriesName;
  for (const [familyName, type] of declared) {
    if (!seriesName.startsWith(familyName)) continue;
    if (familySuffixes[type].includes(seriesName.slice(familyName.length))) return familyName;
  }
  return seriesName;
}

function parseSampleLine(line: string, lineNo: number): PromSample {
  const nameMatch = metricNameRe.exec(line);
  if (!nameMatch) throw new PrometheusParseError(`expected a metric name, got "${line.slice(0, 40)}"`, lineNo);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos = parseLabels(line, pos + 1, labels, lineNo);
  }
  // An OpenMetrics exemplar (" # {...} v") follows the value and timestamp: not part of the sample.
  const afterLabels = line.slice(pos);
  const exemplar = afterLabels.indexOf('#');
  const rest = (exemplar === -1 ? afterLabels : afterLabels.slice(0, exemplar)).trim().split(/\s+/);
  if (rest.length === 0 || rest[0] === '') throw new PrometheusParseError(`missing value for ${name}`, lineNo);
  if (rest.length > 2) throw new PrometheusParseError(`unexpected text after the value of ${name}`, lineNo);
  const value = parseValue(rest[0]!, lineNo);
  const sample: PromSample = { name, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isFinite(ts)) throw new PrometheusParseError(`invalid timestamp "${rest[1]}" for ${name}`, lineNo);
    sample.timestampMs = ts;
  }
  return sample;
}

/** Parses `name="value",...}` starting just after `{`; returns the index after `}`. */
function parseLabels(line: string, start: number, labels: Record<string, string>, lineNo: number): number {
  let pos = start;
  for (;;) {
    while (line[pos] === ' ' || line[pos] === '\t') pos += 1;
    if (line[pos] === '}') return pos + 1;
    const labelMatch = labelNameRe.exec(line.slice(pos));
    if (!labelMatch) throw new PrometheusParseError(`expected a label name at column ${pos + 1}`, lineNo);
    const labelName = labelMatch[0];
    pos += labelName.length;
    while (line[pos] === ' ') pos += 1;
    if (line[pos] !== '=') throw new PrometheusParseError(`expected "=" after label ${labelName}`, lineNo);
    pos += 1;
    while (line[pos] === ' ') pos += 1;
    if (line[pos] !== '"') throw new PrometheusParseError(`expected a quoted value for label ${labelName}`, lineNo);
    pos += 1;
    let value = '';
    for (;;) {
      const ch = line[pos];
      if (ch === undefined) throw new PrometheusParseError(`unterminated value for label ${labelName}`, lineNo);
      if (ch === '"') break;
      if (ch === '\\') {
        const next = line[pos + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else value += `\\${next ?? ''}`;
        pos += 2;
        continue;
      }
      value += ch;
      pos += 1;
    }
    // A plain assignment to "__proto__" would set the prototype, not a label.
    Object.defineProperty(labels, labelName, { value, enumerable: true, writable: true, configurable: true });
    pos += 1;
    while (line[pos] === ' ') pos += 1;
    if (line[pos] === ',') {
      pos += 1;
      continue;
    }
    if (line[pos] === '}') return pos + 1;
    throw new PrometheusParseError(`expected "," or "}" after label ${labelName}`, lineNo);
  }
}

function parseValue(text: string, lineNo: number): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new PrometheusParseError(`invalid value "${text}"`, lineNo);
  return value;
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, ch: string) => (ch === 'n' ? '\n' : '\\'));
}

export interface HistogramBucket {
  /** Upper bound (the `le` label); the last bucket is +Inf. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

export interface HistogramSeries {
  /** The series' labels without `le`. */
  labels: Record<string, string>;
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

/** Groups a histogram family's `_bucket`/`_sum`/`_count` series by their labels (without `le`). */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  const byKey = new Map<string, HistogramSeries>();
  const seriesFor = (labels: Record<string, string>): HistogramSeries => {
    const { le: _le, ...rest } = labels;
    const key = labelKey(rest);
    let series = byKey.get(key);
    if (!series) {
      series = { labels: rest, buckets: [], sum: 0, count: 0 };
      byKey.set(key, series);
    }
    return series;
  };
  for (const sample of family.samples) {
    const suffix = sample.name.slice(family.name.length);
    if (suffix === '_bucket' && sample.labels.le !== undefined) {
      const le = bucketBound(sample.labels.le);
      // A bound that is no number has no place among the others (Prometheus refuses such a scrape): skipped.
      if (le !== undefined) seriesFor(sample.labels).buckets.push({ le, count: sample.value });
    } else if (suffix === '_sum') {
      seriesFor(sample.labels).sum = sample.value;
    } else if (suffix === '_count') {
      seriesFor(sample.labels).count = sample.value;
    }
  }
  for (const series of byKey.values()) series.buckets.sort((a, b) => a.le - b.le);
  return [...byKey.values()];
}

function bucketBound(text: string): number | undefined {
  try {
    const le = parseValue(text, 0);
    return Number.isNaN(le) ? undefined : le;
  } catch {
    return undefined;
  }
}

/** Adds histograms bucket by bucket (same bounds assumed, as one metric's series have). */
export function mergeHistogramBuckets(bucketSets: HistogramBucket[][]): HistogramBucket[] {
  const byLe = new Map<number, number>();
  for (const buckets of bucketSets) {
    for (const bucket of buckets) byLe.set(bucket.le, (byLe.get(bucket.le) ?? 0) + bucket.count);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/** Bucket counts observed between two scrapes of the same histogram (a counter reset gives `after`). */
export function subtractHistogramBuckets(after: HistogramBucket[], before: HistogramBucket[]): HistogramBucket[] {
  const previous = new Map(before.map((b) => [b.le, b.count]));
  const delta = after.map((b) => ({ le: b.le, count: b.count - (previous.get(b.le) ?? 0) }));
  return delta.some((b) => b.count < 0) ? after.map((b) => ({ ...b })) : delta;
}

/**
 * The q-quantile of cumulative buckets, estimated as PromQL's histogram_quantile does: linear
 * interpolation inside the bucket holding the rank, 0 as the lower bound of the first bucket
 * (when positive), and the highest finite bound when the rank falls into the +Inf bucket.
 * NaN when there are no observations or no +Inf bucket; ±Inf for q outside [0, 1].
 */
export function histogramQuantile(buckets: HistogramBucket[], q: number): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]!.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  // Cumulative counts must not decrease; scrapes racing observations can break that slightly.
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i]!.count < sorted[i - 1]!.count) sorted[i] = { le: sorted[i]!.le, count: sorted[i - 1]!.count };
  }
  const total = sorted[sorted.length - 1]!.count;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let index = sorted.findIndex((b) => b.count >= rank);
  if (index === -1) index = sorted.length - 1;
  if (index === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  if (index === 0 && sorted[0]!.le <= 0) return sorted[0]!.le;
  const upper = sorted[index]!;
  const lowerBound = index === 0 ? 0 : sorted[index - 1]!.le;
  const lowerCount = index === 0 ? 0 : sorted[index - 1]!.count;
  const inBucket = upper.count - lowerCount;
  if (inBucket <= 0) return upper.le;
  return lowerBound + (upper.le - lowerBound) * ((rank - lowerCount) / inBucket);
}

/** Sum of a family's samples, optionally only the series named `seriesName` (e.g. `x_total`). */
export function sumFamily(families: MetricFamilies, familyName: string, seriesName?: string): number | undefined {
  const family = families.get(familyName);
  if (!family || family.samples.length === 0) return undefined;
  let total = 0;
  let seen = false;
  for (const sample of family.samples) {
    if (seriesName !== undefined && sample.name !== seriesName) continue;
    if (Number.isNaN(sample.value)) continue;
    total += sample.value;
    seen = true;
  }
  return seen ? total : undefined;
}

/** A stable key for a label set, independent of label order. */
export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}
