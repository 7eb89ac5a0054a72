/**
 * The contract every measurement module fulfils: the summary metrics it contributes to the
 * catalogue, how it analyses a run's samples, how it flattens that analysis into summary metrics,
 * and, when it samples at run time, how its sampler is built. One module per measurement, listed
 * once in registry.ts (kube-burner's factory map, in TypeScript).
 */
import type { ScrapedSample } from '../metrics/controller-scraper.ts';
import type { Measurement, MeasurementContext } from '../metrics/measurement.ts';
import type { Sample, SampleKind } from '../metrics/sample.ts';

export type { ScrapedSample };

/** The base unit a summary metric's value is in. */
export type MetricUnit = 'seconds' | 'bytes' | 'cores' | 'count' | 'ratio' | 'per_second' | 'bytes_per_minute';

/** How the samples behind a summary metric are reduced to its one value. */
export type Aggregation =
  | 'max'
  | 'avg'
  | 'last'
  | 'min'
  | 'p50'
  | 'p95'
  | 'p99'
  /** A number of events or samples. */
  | 'count'
  /** How much a counter grew over the run (resets after restarts counted). */
  | 'increase'
  /** The earliest moment over several series (e.g. the first identity to run out of quota). */
  | 'earliest'
  /** The total of a run's values (e.g. the CPU seconds of every background repack). */
  | 'sum'
  /** The least-squares slope of a series over time (e.g. memory growth per minute). */
  | 'slope';

/**
 * What a `<name>` segment of a metric pattern stands for: one of `values` when the set is finite
 * (a lag stage), or any text matching `free` (controller names: shard instances are
 * `<controller>-shard<N>`, and a scenario may run controllers fluxbench has no list of).
 */
export interface Placeholder {
  description: string;
  values?: readonly string[];
  free?: RegExp;
}

/**
 * One family of summary metrics. `pattern` is dot-separated; a segment is either literal text or
 * a whole `<name>` placeholder described in `placeholders` (e.g. `lag.<stage>.p95`).
 */
export interface MetricEntry {
  pattern: string;
  unit: MetricUnit;
  aggregation: Aggregation;
  /** One line, shown in docs/metrics.md. */
  description: string;
  placeholders?: Readonly<Record<string, Placeholder>>;
}

/** A catalogue entry with the measurement that contributes it. */
export interface CatalogueEntry extends MetricEntry {
  measurement: string;
}

/** A run's samples, sorted by time and grouped by kind, as every analysis reads them. */
export interface AnalysisInput {
  /** All samples, oldest first. */
  sorted: readonly Sample[];
  /** The samples of one kind, oldest first ([] when none). */
  of(kind: SampleKind): readonly Sample[];
  /** Epoch ms of the run's first and last sample (undefined without samples). */
  firstTs: number | undefined;
  lastTs: number | undefined;
}

/** Summary metric name → value in the entry's base unit; undefined or non-finite values are dropped. */
export type FlatMetrics = Record<string, number | undefined>;

/** What a sampler factory may ask about the run being built. */
export interface SamplerBuild {
  /** Whether a measurement is on (every sampling measurement is, unless its option is `false`). */
  enabled(measurement: string): boolean;
  /** The extra samples measurements read from each controller scrape (for the scraper to take). */
  scrapedSamples: readonly ScrapedSample[];
}

/**
 * Builds the sampler of a measurement that samples at run time (the classes live in src/metrics;
 * a factory may import its class on demand, so reports and validation never load a sampler's
 * dependencies). Resolves to undefined when the run lacks an optional input (no cluster, no etcd
 * URL); throws (rejects) UsageError when a required one is missing.
 */
export interface SamplerFactory<Settings extends object = object> {
  create(ctx: MeasurementContext, settings: Settings, build: SamplerBuild): Measurement | undefined | Promise<Measurement | undefined>;
}

/** A table as plain text cells; the report renders it as markdown and HTML alike. */
export interface ReportTable {
  header: string[];
  rows: string[][];
  /** Columns holding numbers (right-aligned in HTML). */
  numeric?: number[];
}

/** A report section a measurement renders from its own part of summary.json. */
export interface ReportSection<Analysis extends object> {
  /** HTML id of the table. */
  id: string;
  title: string;
  /** Shown instead of an empty table. */
  empty: string;
  /** Left out of the report when its table is empty (the registry's sections in a run without one). */
  optional?: boolean;
  /** `summary` holds the measurement's analysis keys; an older summary.json may lack them. */
  table(summary: Partial<Analysis>): ReportTable;
}

/**
 * One measurement. `Analysis` is the part of the run's analysis (and of summary.json) it owns,
 * e.g. `{ lag: Partial<Record<LagStage, Distribution>> }`.
 */
export interface MeasurementDefinition<Name extends string = string, Analysis extends object = object, Settings extends object = never> {
  /** Also the option key that turns its sampler off (`{ lag: false }`). */
  name: Name;
  /** One line: what it measures and where the samples come from. */
  description: string;
  catalogue: readonly MetricEntry[];
  /** Its typed stats for the report and summary.json; pure (`input` holds the samples sorted and grouped). */
  analyze?(input: AnalysisInput): Analysis;
  /** Its summary metrics, every name matching one of its catalogue entries. */
  summarize?(analysis: Analysis): FlatMetrics;
  /**
   * Lines the verdict prints beside its result, and the reports show under it: something a
   * reader must not miss but that fails nothing unless a threshold says so (objects never Ready).
   */
  warnings?(analysis: Analysis): string[];
  /** Present when it samples at run time; its settings type is then that of the option `name`. */
  sampler?: SamplerFactory<Settings>;
  /** Samples it reads from each controller scrape, when it needs no sampler of its own. */
  scrape?: readonly ScrapedSample[];
  /** A report section of its own, or several (one table each, in this order). */
  report?: ReportSection<Analysis> | readonly ReportSection<Analysis>[];
}

/** Declares a measurement; only here to infer its literal name, analysis and settings types. */
export function defineMeasurement<Name extends string, Analysis extends object = object, Settings extends object = never>(
  definition: MeasurementDefinition<Name, Analysis, Settings>,
): MeasurementDefinition<Name, Analysis, Settings> {
  return definition;
}
