/**
 * fluxbench as a library, for TypeScript users: define scenarios in code, run them, or use the
 * parts (the fake GitHub, the workload generator, diagnose) on their own.
 */
export { defineScenario, loadScenario, evaluateThresholds, planTimeline, type Scenario, type ScenarioInput } from './scenario/index.ts';
export { runScenario, type RunOptions, type RunResult } from './run/index.ts';
export { startEnvironment, providers, providerDefinition, type Environment, type ProviderDefinition, type ProviderCapabilities } from './providers/index.ts';
export { ensureToolchain, type Toolchain } from './toolchain/index.ts';
export { startFakeGitHub, type StartedFakeGitHub } from './github/index.ts';
export { generateWorkload, startChurn, commitChange, type GeneratedWorkload } from './workload/index.ts';
export { collectFluxState, diagnose, renderDiagnosisText, type Diagnosis } from './diagnose/index.ts';
export { writeReports, rebuildReports, compareSummaries, readSummary, type Summary } from './report/index.ts';
export { ExitCode, FluxbenchError, UsageError } from './util/exit-codes.ts';
