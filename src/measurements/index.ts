/**
 * Measurements: one module per measurement (its metric catalogue entries, analysis, summary
 * metrics, sampler and report section), the registry listing them, the metric catalogue with its
 * checks, and the values and globs thresholds use. Imports only src/metrics and src/util.
 */
export type {
  Aggregation,
  AnalysisInput,
  CatalogueEntry,
  FlatMetrics,
  MeasurementDefinition,
  MetricEntry,
  MetricUnit,
  Placeholder,
  ReportSection,
  ReportTable,
  SamplerBuild,
  SamplerFactory,
  ScrapedSample,
} from './types.ts';
export { defineMeasurement } from './types.ts';
export { measurements, measurementSections, type MeasurementOptions, type MeasurementSection, type RunSpan, type SampleAnalysis } from './registry.ts';
export { analyzeSamples, flatMetrics, measurementWarnings } from './analysis.ts';
export { catalogue, findMetric, metricFamilies } from './catalogue.ts';
export { limitFits, limitUnitProblem, metricProblem, nearestMetric } from './catalogue-check.ts';
export { buildMeasurements, samplingMeasurementNames, startMeasurements } from './start.ts';
export { parseMetricValue, formatValue, formatMetricValue, metricUnit, valueSyntaxHelp, type MetricValue, type ValueUnit } from './metric-value.ts';
export { hasSubsetSelector, lagSubsets, parseLagSubsetMetric, withoutSelector, SUBSET_KEYS, type LagSubset } from './lag-subset.ts';
export { isMetricGlob, matchMetricNames, metricGlobToRegExp, metricPatternSpecificity } from './metric-glob.ts';
export {
  counterIncrease,
  counterRates,
  distribution,
  distributionSchema,
  medianGap,
  percentileSorted,
  seriesStats,
  seriesStatsSchema,
  type Distribution,
  type SeriesStats,
  type TimePoint,
} from './stats.ts';
export { controllerInstance, controllerSeries, cpuSeries, queueSeries } from './controller-series.ts';
export { controllerStatsSchema, type ControllerStats } from './controllers.ts';
export { processEventSchema, type ProcessEvent, type ProcessEventsAnalysis } from './process-events.ts';
export { LAG_STAGES, controllersLagValues, lagStatsSchema, lagValuesByStage, type LagStage, type LagStats } from './lag.ts';
export { lagPendingLabel, type LagPending } from './lag-pending.ts';
export { githubStatsSchema, identityStatsSchema, type GithubStats, type IdentityStats } from './github.ts';
export { DEFAULT_SAMPLING_INTERVAL_MS, stallStatsSchema, type StallStats, type StallsAnalysis } from './stalls.ts';
export { apiStatsSchema, type ApiStats } from './api.ts';
export { apfStatsSchema, type ApfLevelStats } from './apf.ts';
export { controlPlaneStatsSchema, type ComponentStats, type ControlPlaneStats } from './control-plane.ts';
export { harnessStatsSchema, type HarnessStats } from './harness.ts';
export { objectsStatsSchema, type ObjectsStats } from './objects.ts';
export { faultBandSchema, pairFaults, type FaultBand } from './faults.ts';
export { goProcessStatsSchema, type GoProcessStats } from './go-process.ts';
export { notReadyWarning, READY_KINDS, readyStatsSchema, type ReadyAnalysis, type ReadyStats } from './ready.ts';
export { readyCurveSeries, type ReadyGroup } from './ready-analysis.ts';
export { type ReadyBurst } from './ready-bursts.ts';
export {
  registryStatsSchema,
  registryStatusClass,
  registryStatusClasses,
  type RegistryStats,
  registryQuotaSeries,
  type RegistryStatusClass,
} from './oci-registry-stats.ts';
export { workersStatsSchema } from './workers.ts';
export { analyzeFleet, fleetStatsSchema, type FleetStats, type SpokeStats } from './fleet.ts';
export { reconcileStatsSchema } from './reconcile.ts';
