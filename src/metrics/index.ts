export type { Sample, SampleKind, SampleSink } from './sample.ts';
export {
  type ControllerTarget,
  type Measurement,
  type MeasurementContext,
  type SpokeTarget,
  type Ticker,
  rateLimitedLog,
  startTicker,
  validateInterval,
} from './measurement.ts';
export {
  type HistogramBucket,
  type HistogramSeries,
  type MetricFamilies,
  type MetricFamily,
  type MetricType,
  type PromSample,
  PrometheusParseError,
  histogramQuantile,
  histogramSeries,
  mergeHistogramBuckets,
  parsePrometheusText,
  subtractHistogramBuckets,
  sumFamily,
} from './prometheus.ts';
export { ControllerScraper, type ControllerScraperOptions, type ScrapeMemory, type ScrapeStats, type ScrapedSample, controllerSamples } from './controller-scraper.ts';
export { ProcSampler, type ProcSamplerOptions, type ProcStat, type ProcStatus, clockTicksPerSecond, parseProcStat, parseProcStatus, procSamples, readProcSnapshot } from './proc.ts';
export {
  type FluxKind,
  type FluxObjectSnapshot,
  type FluxResource,
  fluxResources,
  helmControllerKinds,
  repoFromUrl,
  revisionMatchesSha,
  sameCommit,
  toSnapshot,
} from './flux-objects.ts';
export { LagStateMachine, type LagStage, type LagStateOptions, type Push } from './lag-state.ts';
export { type DependencyChain, StallDetector, type StallDetectorOptions, type StallName, dependencyChain, readinessSamples } from './stalls.ts';
export { LagTracker, type LagTrackerOptions } from './lag-tracker.ts';
export { type FirstReady, type NeverReady, ReadinessLog, type ReadySampleName, expectedReadySample } from './ready-state.ts';
export { ApiHealthSampler, type ApiHealthOptions, etcdDbBytes, managedFieldsBytes } from './api-health.ts';
export { type MeasurementsHandle, startSamplers } from './start.ts';
export { MemorySink, fanOutSink } from './sinks.ts';
