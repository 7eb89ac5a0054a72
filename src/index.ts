/**
 * fluxbench as a library, for TypeScript users: define scenarios in code, run them, or use the
 * parts (the fake GitHub, the workload generator, diagnose) on their own.
 */
export { defineScenario, loadScenario, evaluateThresholds, planTimeline, type Scenario, type ScenarioInput } from './scenario/index.ts';
export { runScenario, type RunOptions, type RunResult } from './scenario/runner.ts';
export { startEnvironment, startPodEnvironment, type Environment } from './scenario/runner-env.ts';
export { ensureToolchain, type Toolchain } from './toolchain/index.ts';
export { startFakeGitHub, type StartedFakeGitHub } from './github/index.ts';
export { generateWorkload, startChurn, commitChange, type GeneratedWorkload } from './workload/index.ts';
export { collectFluxState, diagnose, renderDiagnosisText, type Diagnosis } from './diagnose/index.ts';
export { writeReports, rebuildReports, compareSummaries, readSummary, type Summary } from './report/index.ts';
export { ExitCode, FluxbenchError, UsageError } from './util/exit-codes.ts';
