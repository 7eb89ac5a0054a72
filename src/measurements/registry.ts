/**
 * Every measurement, listed once. Adding one is a module beside this file and a line here: its
 * catalogue entries, analysis, summary metrics, sampler and report section follow from it.
 * The order is the order samplers start in and sections appear in.
 */
import { apfMeasurement } from './apf.ts';
import { apiMeasurement } from './api.ts';
import { controllersMeasurement } from './controllers.ts';
import { controlPlaneMeasurement } from './control-plane.ts';
import { faultsMeasurement } from './faults.ts';
import { fleetMeasurement } from './fleet.ts';
import { githubMeasurement } from './github.ts';
import { goProcessMeasurement } from './go-process.ts';
import { harnessMeasurement } from './harness.ts';
import { lagMeasurement } from './lag.ts';
import { registryMeasurement } from './oci-registry.ts';
import { objectsMeasurement } from './objects.ts';
import { processEventsMeasurement } from './process-events.ts';
import { procMeasurement } from './proc.ts';
import { readyMeasurement } from './ready.ts';
import { reconcileMeasurement } from './reconcile.ts';
import { stallsMeasurement } from './stalls.ts';
import type { MeasurementDefinition, ReportTable } from './types.ts';
import { workersMeasurement } from './workers.ts';

export const measurements = [
  controllersMeasurement,
  procMeasurement,
  processEventsMeasurement,
  lagMeasurement,
  githubMeasurement,
  registryMeasurement,
  stallsMeasurement,
  apiMeasurement,
  apfMeasurement,
  controlPlaneMeasurement,
  objectsMeasurement,
  readyMeasurement,
  reconcileMeasurement,
  faultsMeasurement,
  goProcessMeasurement,
  workersMeasurement,
  fleetMeasurement,
  // Last: its first reading is taken once the other samplers have started, as the settle phase begins.
  harnessMeasurement,
] as const;

type Registered = (typeof measurements)[number];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type AnalysisOf<D> = D extends MeasurementDefinition<string, infer Analysis, infer _Settings> ? Analysis : never;

/** The run's sampling span, beside what the measurements analyse. */
export interface RunSpan {
  /** Epoch ms of the first and last sample; undefined without samples. */
  firstTs: number | undefined;
  lastTs: number | undefined;
}

/** One run's analysis: the span plus every measurement's own part (`controllers`, `lag`, `github`, ...). */
export type SampleAnalysis = RunSpan & UnionToIntersection<AnalysisOf<Registered>>;

type SettingsOf<D> = D extends MeasurementDefinition<string, infer _Analysis, infer Settings> ? Settings : never;

/**
 * The options of the measurements that sample at run time, keyed by their names; each is on
 * unless set to `false`, `true` or an object (its settings) turns it on.
 */
export type MeasurementOptions = {
  [D in Registered as [SettingsOf<D>] extends [never] ? never : D['name']]?: boolean | SettingsOf<D>;
};

/** A measurement's own report section, for any summary that carries its analysis keys. */
export interface MeasurementSection {
  measurement: string;
  id: string;
  title: string;
  empty: string;
  /** Left out of the report when its table is empty. */
  optional: boolean;
  table(summary: object): ReportTable;
}

/** The report sections measurements render themselves, in registry order. */
export function measurementSections(): MeasurementSection[] {
  // summary.json holds each measurement's analysis under the same keys, so a summary is the
  // (possibly partial, for older files) analysis the section was written for.
  return (measurements as readonly MeasurementDefinition<string, object, object>[]).flatMap((m) =>
    [m.report ?? []].flat().map((section) => ({
      measurement: m.name,
      id: section.id,
      title: section.title,
      empty: section.empty,
      optional: section.optional === true,
      table: (summary: object) => section.table(summary),
    })),
  );
}
