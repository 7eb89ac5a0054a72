/** A/B of one scenario under two settings: interleaved runs, the noise-aware verdict, the comparison report. */
export { abVerdict, chanceOfSeparation, separation, type AbMetricVerdict, type AbVerdict, type AbVerdictKind } from './verdict.ts';
export { runAb, abTimeBoundMs, type AbPlan, type AbOptions, type AbResult, type ScenarioRunner } from './run-ab.ts';
export { renderAbMarkdown, renderAbHtml, abTable, abHeadline, type AbReport, type AbRunRecord } from './render.ts';
