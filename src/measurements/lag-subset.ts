/**
 * Lag of a subset of objects: `lag.<stage>{<selector>}.<aggregation>`, e.g.
 * `lag.applied{name=app-0*}.p95 < 30s` or `lag.applied{namespace=team-1,name!=broken-*}.max`.
 * Like k6's sub-metrics (`http_req_duration{status:200}`), a subset exists because a threshold
 * names it: the summary computes it from the lag samples of the objects the selector matches, so
 * "the healthy apps keep deploying while the broken ones time out" can be asserted.
 *
 * A selector is comma-separated `key=glob` or `key!=glob` terms, all of which must hold; keys
 * are the parts of the object a lag sample names (`kind`, `namespace`, `name`) and the
 * repository the commit was pushed to (`repo`, `owner/name`); globs use `*` and `?`.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { globToRegExp } from '../util/glob.ts';
import { distribution, distributionSchema } from './stats.ts';

export const SUBSET_KEYS = ['kind', 'namespace', 'name', 'repo'] as const;
export type SubsetKey = (typeof SUBSET_KEYS)[number];

const SUBSET_STAGES = ['artifact', 'applied', 'ready'] as const;
const SUBSET_AGGREGATIONS = ['p50', 'p95', 'p99', 'max', 'count'] as const;

export interface SubsetTerm {
  key: SubsetKey;
  negate: boolean;
  glob: string;
}

/** A parsed subset metric name. */
export interface LagSubsetMetric {
  /** The name as written, without spaces: the key its value has in the summary's metrics. */
  name: string;
  stage: (typeof SUBSET_STAGES)[number];
  /** The selector as written between the braces, without spaces. */
  selector: string;
  terms: SubsetTerm[];
  aggregation: (typeof SUBSET_AGGREGATIONS)[number];
}

export const lagSubsetSchema = z.object({
  stage: z.enum(SUBSET_STAGES),
  selector: z.string(),
  /** Absent when no sample of the subset reached the stage. */
  distribution: distributionSchema.optional(),
});
/** One subset's lag, for the report: the stage, the selector and its distribution (seconds). */
export type LagSubset = z.infer<typeof lagSubsetSchema>;

const subsetSyntax = /^([^{}]*)\{([^{}]*)\}((?:\.[^{}.]+)*)$/;

/** True when a metric name carries a `{…}` selector. */
export function hasSubsetSelector(name: string): boolean {
  return name.includes('{');
}

/** The metric name with its selector removed (`lag.applied.p95`), for unit and catalogue lookups. */
export function withoutSelector(name: string): string {
  return name.replace(/\{[^{}]*\}/g, '');
}

/**
 * Parses `lag.applied{name=app-0*}.p95`.
 * @throws Error naming the part that is wrong and the allowed values.
 */
export function parseLagSubsetMetric(written: string): LagSubsetMetric {
  const name = written.replace(/\s+/g, '');
  const match = subsetSyntax.exec(name);
  if (!match) throw new Error(`"${written}": a subset is written lag.<stage>{<key>=<glob>,...}.<aggregation>, e.g. lag.applied{name=app-0*}.p95`);
  const [, head = '', selector = '', tail = ''] = match;
  const [family, stage, ...extra] = head.split('.');
  if (family !== 'lag' || extra.length > 0 || !(SUBSET_STAGES as readonly string[]).includes(stage ?? '')) {
    throw new Error(`"${written}": selectors are allowed on lag.<stage> only (stages: ${SUBSET_STAGES.join(', ')})`);
  }
  const aggregation = tail.slice(1);
  if (!(SUBSET_AGGREGATIONS as readonly string[]).includes(aggregation)) {
    throw new Error(`"${written}": a lag subset ends in one of ${SUBSET_AGGREGATIONS.join(', ')}`);
  }
  const terms = selector.split(',').map((term) => parseTerm(term, written));
  return { name, stage: stage as LagSubsetMetric['stage'], selector, terms, aggregation: aggregation as LagSubsetMetric['aggregation'] };
}

function parseTerm(term: string, written: string): SubsetTerm {
  const match = /^([a-z]+)(!=|=)(.+)$/.exec(term);
  if (!match) throw new Error(`"${written}": selector term "${term}" is not <key>=<glob> or <key>!=<glob> (keys: ${SUBSET_KEYS.join(', ')})`);
  const [, key = '', op, glob = ''] = match;
  if (!(SUBSET_KEYS as readonly string[]).includes(key)) throw new Error(`"${written}": unknown selector key "${key}" (allowed: ${SUBSET_KEYS.join(', ')})`);
  return { key: key as SubsetKey, negate: op === '!=', glob };
}

/** The fields a term can test, from a lag sample's labels (`object` is `Kind/namespace/name`). */
function fieldsOf(sample: Sample): Record<SubsetKey, string> | undefined {
  const object = sample.labels?.object;
  if (!object) return undefined;
  const [kind = '', namespace = '', ...rest] = object.split('/');
  return { kind, namespace, name: rest.join('/'), repo: sample.labels?.repo ?? '' };
}

function matcher(terms: readonly SubsetTerm[]): (sample: Sample) => boolean {
  const compiled = terms.map((t) => ({ ...t, re: globToRegExp(t.glob) }));
  return (sample) => {
    const fields = fieldsOf(sample);
    return fields !== undefined && compiled.every((t) => t.re.test(fields[t.key]) !== t.negate);
  };
}

/**
 * The subsets `names` ask for, computed from the lag samples: one entry per distinct stage and
 * selector, and a flat metric for each name (absent when the subset has no sample, so a
 * threshold on it reports "no data" rather than passing on nothing; `count` is then 0). Names that do not parse
 * are skipped: validation reports them before a run.
 */
export function lagSubsets(samples: readonly Sample[], names: readonly string[]): { subsets: LagSubset[]; metrics: Record<string, number> } {
  const parsed: LagSubsetMetric[] = [];
  for (const name of names) {
    try {
      parsed.push(parseLagSubsetMetric(name));
    } catch {
      continue;
    }
  }
  const byKey = new Map<string, { metric: LagSubsetMetric; values: number[] }>();
  for (const metric of parsed) byKey.set(`${metric.stage}{${metric.selector}}`, { metric, values: [] });
  const tests = [...byKey.values()].map((entry) => ({ entry, matches: matcher(entry.metric.terms) }));
  for (const sample of samples) {
    if (sample.kind !== 'lag' || typeof sample.value !== 'number') continue;
    const stage = sample.labels?.stage ?? sample.name;
    for (const { entry, matches } of tests) if (entry.metric.stage === stage && matches(sample)) entry.values.push(sample.value);
  }
  const subsets: LagSubset[] = [];
  const metrics: Record<string, number> = {};
  const distributions = new Map<string, ReturnType<typeof distribution>>();
  for (const [key, { metric, values }] of byKey) {
    const d = distribution(values);
    distributions.set(key, d);
    subsets.push({ stage: metric.stage, selector: metric.selector, ...(d ? { distribution: d } : {}) });
  }
  for (const metric of parsed) {
    const d = distributions.get(`${metric.stage}{${metric.selector}}`);
    if (d) metrics[metric.name] = d[metric.aggregation];
    else if (metric.aggregation === 'count') metrics[metric.name] = 0;
  }
  return { subsets, metrics };
}
