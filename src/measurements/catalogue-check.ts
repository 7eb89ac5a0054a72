/**
 * Checks a threshold's or regression limit's metric against the catalogue before a run: the whole
 * name (every segment, the aggregation included), and that the limit is written in a unit the
 * metric is measured in. k6 checks its thresholds against its metric registry the same way.
 */
import { distance as editDistance } from 'fastest-levenshtein';
import { catalogue, findMetric, metricFamilies, placeholderName, placeholderOf } from './catalogue.ts';
import { hasSubsetSelector, parseLagSubsetMetric, withoutSelector } from './lag-subset.ts';
import { isMetricGlob } from './metric-glob.ts';
import { formatValue, type MetricValue, type ValueUnit } from './metric-value.ts';
import type { CatalogueEntry, MetricUnit } from './types.ts';

/**
 * Why `nameOrGlob` is not a summary metric, with the nearest catalogue name suggested, e.g.
 * `unknown metric "lag.aplied.p95"; did you mean "lag.applied.p95"?`; undefined when it is one
 * (a glob: when it can match one).
 */
export function metricProblem(nameOrGlob: string): string | undefined {
  if (hasSubsetSelector(nameOrGlob)) {
    try {
      parseLagSubsetMetric(nameOrGlob);
    } catch (error) {
      return `invalid metric ${(error as Error).message}`;
    }
    return undefined;
  }
  if (findMetric(nameOrGlob).length > 0) return undefined;
  const suggestion = nearestMetric(nameOrGlob);
  const didYouMean = suggestion ? `; did you mean "${suggestion}"?` : '';
  const segments = nameOrGlob.split('.');
  const family = segments[0] ?? '';
  const families = metricFamilies();
  if (!isMetricGlob(family) && !families.includes(family)) {
    return `unknown metric "${nameOrGlob}": no summary metric starts with "${family}." (allowed: ${families.join(', ')})${didYouMean}`;
  }
  const lastChoices = choicesAfter(segments.slice(0, -1));
  if (lastChoices.length > 0) {
    return `unknown metric "${nameOrGlob}"${didYouMean} (after "${segments.slice(0, -1).join('.')}." come: ${lastChoices.join(', ')})`;
  }
  return `unknown metric "${nameOrGlob}"${didYouMean || ': no summary metric has this name (the catalogue is in docs/metrics.md)'}`;
}

/** The last segments the catalogue allows after a name's other segments (its aggregations: p50, max, count, ...). */
function choicesAfter(prefix: string[]): string[] {
  const choices = new Set<string>();
  for (const entry of catalogue()) {
    const pattern = entry.pattern.split('.');
    if (pattern.length !== prefix.length + 1) continue;
    const last = pattern.at(-1)!;
    if (placeholderName(last) !== undefined) continue;
    if (findMetric([...prefix, last].join('.')).includes(entry)) choices.add(last);
  }
  return [...choices];
}

/**
 * The catalogue name nearest to `nameOrGlob` by edit distance, when close enough to be a typo
 * (at most 2 edits, or a third of the name's length). Candidates are the catalogue patterns with
 * each finite placeholder expanded to its values and each free one filled from the same segment
 * of the input (so a controller name survives) or with `*`.
 */
export function nearestMetric(nameOrGlob: string): string | undefined {
  const segments = nameOrGlob.split('.');
  let best: { name: string; distance: number } | undefined;
  for (const entry of catalogue()) {
    for (const candidate of instances(entry, segments)) {
      if (candidate === nameOrGlob || findMetric(candidate).length === 0) continue;
      const distance = editDistance(nameOrGlob, candidate);
      if (!best || distance < best.distance) best = { name: candidate, distance };
    }
  }
  const allowed = Math.max(2, Math.ceil(nameOrGlob.length / 3));
  return best && best.distance <= allowed ? best.name : undefined;
}

function instances(entry: CatalogueEntry, segments: readonly string[]): string[] {
  const pattern = entry.pattern.split('.');
  const aligned = pattern.length === segments.length;
  let names = [''];
  pattern.forEach((patternSegment, index) => {
    const placeholder = placeholderName(patternSegment);
    let options: string[];
    if (placeholder === undefined) options = [patternSegment];
    else {
      const spec = placeholderOf(entry, placeholder);
      const given = aligned ? segments[index] : undefined;
      options = [...(spec.values ?? [])];
      if (given !== undefined && (isMetricGlob(given) || spec.free)) options.push(given);
      if (spec.free) options.push('*');
    }
    names = names.flatMap((prefix) => options.map((option) => (index === 0 ? option : `${prefix}.${option}`)));
  });
  return names;
}

/** What a limit of each written form is called in messages. */
const writtenAs: Record<ValueUnit, string> = {
  seconds: 'a duration',
  bytes: 'a binary quantity',
  quantity: 'a decimal quantity',
  ratio: 'a percentage',
  number: 'a plain number',
};

/** Per metric unit: how a metric is described, the forms its limits may take, and how to write one. */
const accepted: Record<MetricUnit, { is: string; forms: readonly ValueUnit[]; hint: string }> = {
  // A plain number is seconds, the base unit (thresholds written before the catalogue say "< 30").
  seconds: { is: 'measured in seconds', forms: ['seconds', 'number'], hint: 'a duration such as "30s", "2m" or "250ms"' },
  bytes: { is: 'measured in bytes', forms: ['bytes', 'quantity', 'number'], hint: 'a quantity such as "512Mi" or "1Gi"' },
  count: { is: 'a count', forms: ['number', 'quantity'], hint: 'a plain number such as "0" or "100"' },
  cores: { is: 'measured in cores', forms: ['number'], hint: 'a number of cores such as "0.5"' },
  ratio: { is: 'a ratio', forms: ['ratio', 'number'], hint: 'a percentage such as "5%"' },
  per_second: { is: 'a rate per second', forms: ['number'], hint: 'a plain number per second such as "2.5"' },
  // Written like bytes: "< 1Mi" on a slope is 1 MiB per minute.
  bytes_per_minute: { is: 'measured in bytes per minute', forms: ['bytes', 'quantity', 'number'], hint: 'a quantity per minute such as "1Mi"' },
};

/** Whether a limit written as `limit` can be compared with values in `unit` (0 is 0 in every unit). */
export function limitFits(unit: MetricUnit, limit: MetricValue): boolean {
  return (limit.unit === 'number' && limit.value === 0) || accepted[unit].forms.includes(limit.unit);
}

/**
 * Why `limit` cannot be compared with the metric(s) `nameOrGlob` names, e.g. a duration for a
 * metric in bytes; undefined when it fits, or when no entry matches (metricProblem reports that).
 * A glob across units (`*.*.max < 1Gi`) passes when the limit fits one of them: the metrics of
 * the other units are compared too, but that is what the glob says.
 */
export function limitUnitProblem(nameOrGlob: string, limit: MetricValue): string | undefined {
  // A subset (`lag.applied{name=a*}.p95`) is measured in its metric's unit.
  const entries = findMetric(withoutSelector(nameOrGlob));
  if (entries.length === 0 || entries.some((entry) => limitFits(entry.unit, limit))) return undefined;
  const units = [...new Set(entries.map((entry) => entry.unit))];
  const is = units.map((unit) => accepted[unit].is).join(' or ');
  const hint = units.map((unit) => accepted[unit].hint).join(', or ');
  return `"${nameOrGlob}" is ${is}, but the limit ${formatValue(limit.value, limit.unit)} is ${writtenAs[limit.unit]}; write ${hint}`;
}
