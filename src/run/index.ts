/** A scenario run as named phases over one teardown stack (see run.ts). */
export { runScenario, ensureRunToolchain } from './run.ts';
export { scenarioRunId, runTimeBoundMs, scenarioSecrets, type RunOptions, type RunContext, type PhaseName } from './context.ts';
export { exitCodeOf, judgeAgainstBaseline, type RunResult } from './phases/report.ts';
export { fluxControllersFromScenario, controllerPins } from './controllers.ts';
export { TeardownStack } from './teardown.ts';
export { LiveStatus, teeSink } from './live.ts';
