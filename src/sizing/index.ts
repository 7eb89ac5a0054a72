/** Sizing: sweeps of app count × interval × concurrency, the measured table, recommended limits, target checks. */
export { sizingSpecSchema, sweepSchema, targetsSchema, churnSchema, parseSizingSpec, loadSizingSpec, parseMemoryLimit, sizingApiVersion } from './spec.ts';
export type { SizingSpec, SizingSpecInput, SizingTargets, LagJudged } from './spec.ts';
export { LAG_JUDGED } from './spec.ts';
export { lagThresholds, lagMet, lagLever, lagPartsOf, lagPartsText, describeLagBudget, sourceBoundSeconds } from './lag-budget.ts';
export type { LagBudget, LagParts } from './lag-budget.ts';
export { planSweep, buildScenario, configName, compareLoad, churnTimeline, sizingThresholds, overlay, describeConfig, apiClientLimitsNote } from './plan.ts';
export type { SizingConfig, PlannedRun, BuildOptions } from './plan.ts';
export { sizingTable, sizingRow, recommend } from './table.ts';
export type { SizingResult, SizingRow, SizingRecommendation, AppsRecommendation, MemoryRecommendation } from './table.ts';
export { roundUpMemory, formatMemoryQuantity } from './quantity.ts';
export { renderSizingMarkdown, renderSizingJson, SIZING_SCHEMA_VERSION } from './render.ts';
export type { SizingReport } from './render.ts';
export { runSweep, sweepTimeBoundMs } from './sweep.ts';
export type { SweepOptions, SweepResult, ScenarioRunner } from './sweep.ts';
export { targetScenario, targetAnswer, checkTarget } from './target.ts';
export type { SizingTarget, TargetAnswer, TargetCheckOptions } from './target.ts';
