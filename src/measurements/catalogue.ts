/**
 * The metric catalogue: every summary metric any measurement produces, as patterns with named
 * placeholders (`memory.<controller>.max`, `lag.<stage>.p95`), and lookups that match a concrete
 * name or a `*` glob to the entries it can stand for.
 */
import { isMetricGlob, metricGlobToRegExp } from './metric-glob.ts';
import { measurements } from './registry.ts';
import type { CatalogueEntry, MetricEntry, Placeholder } from './types.ts';

let cached: readonly CatalogueEntry[] | undefined;

/** Every catalogue entry, in registry order, each with the measurement contributing it. */
export function catalogue(): readonly CatalogueEntry[] {
  cached ??= measurements.flatMap((m) => m.catalogue.map((entry): CatalogueEntry => ({ ...entry, measurement: m.name })));
  return cached;
}

/** The placeholder a pattern segment names (`<stage>` → stage), or undefined for literal text. */
export function placeholderName(segment: string): string | undefined {
  return /^<([a-z][a-zA-Z0-9]*)>$/.exec(segment)?.[1];
}

/** The placeholder spec behind a pattern segment; throws when the entry does not describe it (a catalogue bug). */
export function placeholderOf(entry: MetricEntry, name: string): Placeholder {
  const spec = entry.placeholders?.[name];
  if (!spec) throw new Error(`catalogue entry "${entry.pattern}" does not describe its placeholder <${name}>`);
  return spec;
}

// Fillers tried for the `*` of a glob segment against a free-text placeholder: an empty run and
// one letter or digit, which is what the placeholders' own patterns accept at either end.
const globFillers = ['', 'a', '0'];

/** Whether one name segment (concrete or glob) can be a value of the pattern segment. */
function segmentMatches(entry: MetricEntry, patternSegment: string, segment: string): boolean {
  const placeholder = placeholderName(patternSegment);
  const glob = isMetricGlob(segment) ? metricGlobToRegExp(segment) : undefined;
  if (placeholder === undefined) return glob ? glob.test(patternSegment) : segment === patternSegment;
  const spec = placeholderOf(entry, placeholder);
  if (spec.values?.some((value) => (glob ? glob.test(value) : value === segment))) return true;
  if (!spec.free) return false;
  if (!glob) return spec.free.test(segment);
  return globFillers.some((filler) => spec.free!.test(segment.replaceAll('*', filler)));
}

/** Whether `nameOrGlob` names (or, as a glob, can match) a metric the entry produces. */
export function entryMatches(entry: MetricEntry, nameOrGlob: string): boolean {
  const pattern = entry.pattern.split('.');
  const segments = nameOrGlob.split('.');
  return pattern.length === segments.length && pattern.every((p, i) => segmentMatches(entry, p, segments[i]!));
}

const lookups = new Map<string, CatalogueEntry[]>();

/**
 * The entries a metric name (`memory.kustomize-controller-shard1.max`) or glob (`memory.*.max`,
 * `*.*.max`) matches; [] for a name no measurement produces. A `*` stands for part of one
 * dot-separated segment, as in thresholds.
 */
export function findMetric(nameOrGlob: string): CatalogueEntry[] {
  let found = lookups.get(nameOrGlob);
  if (!found) {
    found = catalogue().filter((entry) => entryMatches(entry, nameOrGlob));
    if (lookups.size > 10_000) lookups.clear();
    lookups.set(nameOrGlob, found);
  }
  return found;
}

/** The first segments of the catalogue's names (memory, cpu, lag, ...), in catalogue order. */
export function metricFamilies(): string[] {
  return [...new Set(catalogue().map((entry) => entry.pattern.split('.')[0]!))];
}
