export {
  parseRunMeta,
  readRunMeta,
  runMetaSchema,
  runStatusSchema,
  plannedActionSchema,
  timelineEntrySchema,
  type RunMeta,
  type RunMetaInput,
  type RunStatus,
  type PlannedAction,
  type TimelineEntry,
} from './run-meta.ts';
export {
  buildSummary,
  judgeThresholds,
  parseSummary,
  readSummary,
  summarySchema,
  verdictOf,
  SUMMARY_SCHEMA_VERSION,
  type Summary,
  type SummaryThresholdResult,
  type Verdict,
} from './summary.ts';
export { analyzeSamples, flatMetrics, LAG_STAGES, distribution, type SampleAnalysis, type LagStage, type Distribution } from '../measurements/index.ts';
export { renderMarkdown, mdTable } from './markdown.ts';
export { renderHtml, escapeHtml } from './html.ts';
export { renderJunit } from './junit.ts';
export { buildChartData, type ChartData, type ChartSpec } from './chart-data.ts';
export { compareSummaries, defaultLimits, parseLimitsOption, renderComparison, type Comparison, type LimitsSource } from './compare.ts';
export { readRunDir, rebuildReports, writeReports, REPORT_FILES, type ReportPaths } from './write-reports.ts';
