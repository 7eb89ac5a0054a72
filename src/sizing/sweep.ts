/**
 * Running a sweep: one run after the other (two cores cannot host two clusters), each bounded
 * by the runner's own time bound and the whole sweep by the sum of those bounds; progress per
 * run; the table written after every run so an interrupted sweep still leaves its rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenarioTimings, type Scenario } from '../scenario/index.ts';
import { runScenario, runTimeBoundMs, type RunOptions, type RunResult } from '../run/index.ts';
import { ExitCode } from '../util/exit-codes.ts';
import { newRunId } from '../util/run-id.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { lagPartsOf } from './lag-budget.ts';
import { apiClientLimitsNote, describeConfig, planSweep, type PlannedRun } from './plan.ts';
import { renderSizingJson, renderSizingMarkdown, SIZING_SCHEMA_VERSION, type SizingReport } from './render.ts';
import type { SizingSpec } from './spec.ts';
import { recommend, sizingTable, type SizingResult } from './table.ts';

/** What runs one scenario; runScenario by default. */
export type ScenarioRunner = (scenario: Scenario, options: RunOptions) => Promise<RunResult>;

export interface SweepOptions {
  /** Spec file path (recorded in each run's run.json). */
  specPath: string;
  reportsDir?: string;
  stopOnFailure?: boolean;
  log?: (line: string) => void;
  runner?: ScenarioRunner;
  now?: () => Date;
}

export interface SweepResult {
  dir: string;
  report: SizingReport;
  /** 0 when every run passed, else the first failing run's exit code. */
  exitCode: number;
}

/** The bound of the whole sweep: the sum of each run's own bound. */
export function sweepTimeBoundMs(runs: readonly PlannedRun[]): number {
  return runs.reduce((total, run) => total + runTimeBoundMs(scenarioTimings(run.scenario)), 0);
}

function progressLine(run: PlannedRun, total: number, result: RunResult, elapsedMs: number): string {
  const memory = Object.entries(result.summary?.metrics ?? {})
    .filter(([key]) => /^memory\.[a-z-]+-controller\.max$/.test(key))
    .map(([key, value]) => `${key.split('.')[1]?.replace(/-controller$/, '')} ${formatBytes(value)}`)
    .join(', ');
  const lag = result.summary ? lagPartsOf(result.summary.metrics) : {};
  const p95 = (label: string, value: number | undefined) => (value !== undefined ? [`${label} ${formatDuration(value * 1000)}`] : []);
  const parts = [...p95('source', lag.sourceP95Seconds), ...p95('controllers', lag.controllersP95Seconds), ...p95('total', lag.totalP95Seconds)];
  return (
    `sizing ${run.index}/${total} ${run.scenario.name}: ${result.summary?.verdict ?? 'no summary'} in ${formatDuration(elapsedMs)}` +
    `${memory ? `; memory ${memory}` : ''}${parts.length > 0 ? `; lag p95 ${parts.join(', ')}` : ''}`
  );
}

export async function runSweep(spec: SizingSpec, options: SweepOptions): Promise<SweepResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const runner = options.runner ?? runScenario;
  const now = options.now ?? (() => new Date());
  const planned = planSweep(spec);
  const boundMs = sweepTimeBoundMs(planned);
  const reportsDir = resolve(options.reportsDir ?? 'reports');
  const dir = join(reportsDir, `sizing-${newRunId(now()).replace(/^fb-/, '')}`);
  mkdirSync(dir, { recursive: true });
  log(`sizing: ${planned.length} runs, at most ${formatDuration(boundMs)} in all; table in ${dir}`);
  const note = apiClientLimitsNote(spec);
  if (note) log(`warning: ${note}`);

  const results: SizingResult[] = [];
  let stoppedEarly: string | undefined;
  let exitCode: number = ExitCode.ok;
  const startedAt = Date.now();
  const write = (): SizingReport => {
    const rows = sizingTable(results);
    const report: SizingReport = {
      schemaVersion: SIZING_SCHEMA_VERSION,
      name: spec.name,
      createdAt: now().toISOString(),
      base: spec.baseSource,
      planned: planned.length,
      ...(note ? { notes: [note] } : {}),
      ...(stoppedEarly ? { stoppedEarly } : {}),
      rows,
      recommendation: recommend(rows, spec.headroom, spec.targets),
    };
    writeFileSync(join(dir, 'sizing.json'), renderSizingJson(report));
    writeFileSync(join(dir, 'sizing.md'), renderSizingMarkdown(report));
    return report;
  };

  // With --stop-on-failure, a failed run rules out every larger app count; runs of the same
  // count with other settings still run, since one of them may be the setting that fits.
  let failedAtApps: number | undefined;
  const skipped: string[] = [];
  for (const run of planned) {
    if (failedAtApps !== undefined && run.config.apps > failedAtApps) {
      skipped.push(run.scenario.name);
      continue;
    }
    if (Date.now() - startedAt > boundMs) {
      stoppedEarly = `the sweep exceeded its bound of ${formatDuration(boundMs)} before run ${run.index}`;
      if (exitCode === ExitCode.ok) exitCode = ExitCode.timeout;
      break;
    }
    log(`sizing ${run.index}/${planned.length} ${run.scenario.name}: ${describeConfig(run.config)}`);
    const runStarted = Date.now();
    const result = await runner(run.scenario, { scenarioPath: options.specPath, reportsDir, quiet: true, log });
    results.push({ config: run.config, summary: result.summary, runDir: result.runDir });
    log(progressLine(run, planned.length, result, Date.now() - runStarted));
    if (result.exitCode !== ExitCode.ok && exitCode === ExitCode.ok) exitCode = result.exitCode;
    if (result.exitCode === ExitCode.interrupted) {
      stoppedEarly = `interrupted during run ${run.index}`;
      break;
    }
    if (result.exitCode !== ExitCode.ok && (options.stopOnFailure ?? spec.stopOnFailure)) failedAtApps ??= run.config.apps;
    write();
  }
  if (skipped.length > 0 && !stoppedEarly) {
    stoppedEarly = `a run with ${failedAtApps} apps failed, so ${skipped.length} runs with more apps were skipped (${skipped.join(', ')})`;
  }
  const report = write();
  return { dir, report, exitCode };
}
