/**
 * Running an A/B: the same scenario with two sets of settings, run one at a time (two cores
 * cannot host two clusters) and interleaved A B B A A B … for `repeat` rounds, so that drift on
 * the machine lands on both sides and neither always runs second; then the verdict (./verdict.ts) and the comparison report.
 * Each run is a normal run with its own folder and reports; the comparison is written after
 * every run, so an interrupted A/B still leaves what it measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenarioTimings, type Scenario } from '../scenario/index.ts';
import { ensureRunToolchain, runScenario, runTimeBoundMs, type RunOptions, type RunResult } from '../run/index.ts';
import { ExitCode } from '../util/exit-codes.ts';
import { newRunId } from '../util/run-id.ts';
import { formatDuration } from '../util/units.ts';
import { renderAbHtml, renderAbMarkdown, type AbReport, type AbRunRecord } from './render.ts';
import { abVerdict } from './verdict.ts';

/** What runs one scenario; runScenario by default (tests pass their own). */
export type ScenarioRunner = (scenario: Scenario, options: RunOptions) => Promise<RunResult>;

export interface AbPlan {
  /** The two variants, already validated; their names end in -a and -b. */
  a: Scenario;
  b: Scenario;
  /** The settings each side was given, as typed (for the report). */
  aSettings: readonly string[];
  bSettings: readonly string[];
  /** Rounds; each runs both sides, A first in odd rounds and B first in even ones. */
  repeat: number;
  /** Regression limits the verdict uses (metric or glob → "+20%"); default: B's scenario's, else A's. */
  limits?: Readonly<Record<string, string>>;
}

export interface AbOptions {
  scenarioPath: string;
  reportsDir?: string;
  log?: (line: string) => void;
  runner?: ScenarioRunner;
  /** Makes a side's toolchain ready before any run starts (ensureRunToolchain by default), so a version that cannot be built fails the A/B at once. */
  prepare?: (scenario: Scenario, log: (line: string) => void) => Promise<unknown>;
  now?: () => Date;
}

export interface AbResult {
  /** `<reportsDir>/ab-<timestamp>`: ab.json, ab.md, ab.html. */
  dir: string;
  report: AbReport;
  /** 0; 5 when a metric regressed beyond its limit and the noise; a run's error code when too few runs measured. */
  exitCode: number;
}

/** The bound of the whole A/B: the sum of every run's own bound. */
export function abTimeBoundMs(plan: Pick<AbPlan, 'a' | 'b' | 'repeat'>): number {
  return plan.repeat * (runTimeBoundMs(scenarioTimings(plan.a)) + runTimeBoundMs(scenarioTimings(plan.b)));
}

/**
 * Runs the plan: builds both sides' toolchains first, then starts and stops one cluster per run (2 × repeat in all), each bounded by the
 * runner's time bound, the whole by their sum. Leaves every run's folder under `reportsDir` and
 * the comparison in `<reportsDir>/ab-<timestamp>/`.
 */
export async function runAb(plan: AbPlan, options: AbOptions): Promise<AbResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const runner = options.runner ?? runScenario;
  const now = options.now ?? (() => new Date());
  const reportsDir = resolve(options.reportsDir ?? 'reports');
  const dir = join(reportsDir, `ab-${newRunId(now()).replace(/^fb-/, '')}`);
  mkdirSync(dir, { recursive: true });
  const boundMs = abTimeBoundMs(plan);
  const limits = plan.limits ?? (Object.keys(plan.b.regression).length > 0 ? plan.b.regression : plan.a.regression);
  // Both toolchains first: a B side that cannot be built should not cost an A run to find out.
  for (const scenario of [plan.a, plan.b]) await (options.prepare ?? ensureRunToolchain)(scenario, log);
  log(`ab: ${plan.repeat} rounds of both sides, A B B A … (${2 * plan.repeat} runs), at most ${formatDuration(boundMs)} in all; comparison in ${dir}`);

  const runs: AbRunRecord[] = [];
  let stoppedEarly: string | undefined;
  const startedAt = Date.now();
  const write = (): AbReport => {
    const measured = (side: 'A' | 'B') => runs.filter((r) => r.side === side && r.metrics).map((r) => r.metrics!);
    const report: AbReport = {
      createdAt: now().toISOString(),
      scenario: plan.a.name.replace(/-a$/, ''),
      a: { settings: [...plan.aSettings] },
      b: { settings: [...plan.bSettings] },
      repeat: plan.repeat,
      limits: { ...limits },
      runs,
      ...(stoppedEarly ? { stoppedEarly } : {}),
      verdict: abVerdict(measured('A'), measured('B'), limits),
    };
    writeFileSync(join(dir, 'ab.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, 'ab.md'), renderAbMarkdown(report));
    writeFileSync(join(dir, 'ab.html'), renderAbHtml(report));
    return report;
  };

  outer: for (let round = 1; round <= plan.repeat; round += 1) {
    for (const [side, scenario] of roundOrder(round, plan)) {
      const hopeless = sideThatCannotBeJudged(runs, plan.repeat);
      if (hopeless) {
        stoppedEarly = `side ${hopeless} can no longer have two measured runs (its runs ended without a summary), so the rest would measure nothing the verdict can use`;
        break outer;
      }
      if (Date.now() - startedAt > boundMs) {
        stoppedEarly = `the A/B exceeded its bound of ${formatDuration(boundMs)} in round ${round}`;
        break outer;
      }
      log(`ab round ${round}/${plan.repeat}, ${side}: ${scenario.name}`);
      const result = await runner(scenario, { scenarioPath: options.scenarioPath, reportsDir, quiet: true, log });
      runs.push({ side, round, runDir: result.runDir, exitCode: result.exitCode, ...(result.summary ? { metrics: result.summary.metrics, verdict: result.summary.verdict } : {}) });
      log(`ab round ${round}/${plan.repeat}, ${side}: ${result.summary?.verdict ?? 'no summary'} (exit ${result.exitCode}) in ${result.runDir}`);
      write();
      if (result.exitCode === ExitCode.interrupted) {
        stoppedEarly = `interrupted in round ${round} (${side})`;
        break outer;
      }
    }
  }
  const report = write();
  return { dir, report, exitCode: exitCodeOf(report) };
}

/**
 * The order of a round: A B in odd rounds, B A in even ones (A B B A …), so that neither side is
 * always the run after the other (a warm page cache, a settling etcd) and drift across the whole
 * A/B still lands on both.
 */
function roundOrder(round: number, plan: AbPlan): ReadonlyArray<readonly ['A' | 'B', Scenario]> {
  const ab = [['A', plan.a], ['B', plan.b]] as const;
  return round % 2 === 1 ? ab : [ab[1], ab[0]];
}

/** A side whose measured runs plus the runs it has left cannot reach two, or undefined. */
function sideThatCannotBeJudged(runs: readonly AbRunRecord[], repeat: number): 'A' | 'B' | undefined {
  for (const side of ['A', 'B'] as const) {
    const done = runs.filter((r) => r.side === side);
    if (done.filter((r) => r.metrics).length + (repeat - done.length) < 2) return side;
  }
  return undefined;
}

/** Interrupted or too few measured runs (fewer than two a side) win over the verdict; then 5 for a regression. */
function exitCodeOf(report: AbReport): number {
  if (report.runs.some((r) => r.exitCode === ExitCode.interrupted)) return ExitCode.interrupted;
  const measured = (side: 'A' | 'B') => report.runs.filter((r) => r.side === side && r.metrics).length;
  if (measured('A') < 2 || measured('B') < 2) return report.runs.find((r) => !r.metrics)?.exitCode ?? ExitCode.runError;
  return report.verdict.regressed ? ExitCode.regression : ExitCode.ok;
}
