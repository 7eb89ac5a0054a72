/**
 * "Does this target hold on this build of Flux?": one run at one size with the memory limit
 * enforced on the controllers (so the kernel OOM-kills a controller that does not fit), judged
 * by memory, OOM and lag thresholds, answered YES or NO with the measured numbers. The answer
 * prints both parts of the lag (source, controllers) and the lever that moves the larger one.
 */
import type { Summary } from '../report/index.ts';
import type { Scenario } from '../scenario/index.ts';
import { runScenario } from '../run/index.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { describeLagBudget, lagLever, lagPartsOf, lagPartsText, type LagBudget } from './lag-budget.ts';
import { buildScenario, configName, type SizingConfig } from './plan.ts';
import { formatMemoryQuantity } from './quantity.ts';
import type { LagJudged, SizingSpec } from './spec.ts';
import type { ScenarioRunner } from './sweep.ts';

export interface SizingTarget extends SizingConfig {
  /** Enforced on every enabled controller; absent = measure without a limit. */
  memoryLimitBytes?: number;
  /** The lag budget ("60s"): what it bounds is `lag`. */
  lagP95: string;
  /** controllers (default): lag.controllers.p95 < lagP95 and lag.artifact.p95 < interval + lagP95; total: lag.applied.p95 < lagP95. */
  lag?: LagJudged;
  duration: string;
}

export interface TargetAnswer {
  holds: boolean;
  /** First line YES/NO with the size; then one line per check with the measured value. */
  lines: string[];
}

export function targetScenario(spec: SizingSpec, target: SizingTarget): Scenario {
  return buildScenario(spec.base, target, {
    name: configName(`${spec.name}-check`, target),
    duration: target.duration,
    churn: spec.churn,
    lagP95: target.lagP95,
    lag: target.lag ?? 'controllers',
    ...(target.memoryLimitBytes !== undefined ? { memoryLimitBytes: target.memoryLimitBytes } : {}),
  });
}

const budgetOf = (target: SizingTarget): LagBudget => ({ lagP95: target.lagP95, lag: target.lag ?? 'controllers' });

function describeTarget(target: SizingTarget, summary: Summary | undefined): string {
  const limit = target.memoryLimitBytes !== undefined ? ` within ${formatMemoryQuantity(target.memoryLimitBytes)} per controller` : '';
  const flux = summary ? ` on Flux ${summary.run.versions.flux}` : '';
  const shards = target.shards > 1 ? `, ${target.shards} shards` : '';
  return `${target.apps} apps at interval ${target.interval}, concurrency ${target.concurrency}${shards}${limit}, ${describeLagBudget(budgetOf(target))}${flux}`;
}

/** The answer from a run's summary; no summary (the run could not start) is a NO. */
export function targetAnswer(target: SizingTarget, summary: Summary | undefined): TargetAnswer {
  if (!summary) return { holds: false, lines: [`NO: ${describeTarget(target, summary)}: the run produced no measurements`] };
  const holds = summary.verdict === 'passed' && summary.thresholds.length > 0 && summary.thresholds.every((t) => t.ok);
  const lines = [`${holds ? 'YES' : 'NO'}: ${describeTarget(target, summary)}${summary.verdict !== 'passed' && summary.verdict !== 'failed' ? ` (run ${summary.verdict})` : ''}`];
  for (const t of summary.thresholds) lines.push(`  ${t.ok ? '✓' : '✗'} ${t.message}`);
  const measured = summary.controllers
    .filter((c) => c.memory)
    .map((c) => `${c.instance} ${formatBytes(c.memory!.max)}${c.cpu ? ` / ${c.cpu.avg.toFixed(2)} cores avg` : ''}`);
  if (measured.length > 0) lines.push(`  measured: ${measured.join(', ')}`);
  const lag = summary.lag.applied;
  if (lag) lines.push(`  lag applied: p50 ${formatDuration(lag.p50 * 1000)}, p95 ${formatDuration(lag.p95 * 1000)}, max ${formatDuration(lag.max * 1000)} over ${lag.count} commits×objects`);
  const parts = lagPartsOf(summary.metrics);
  if (lag || parts.sourceP95Seconds !== undefined) lines.push(`  lag p95 by part: ${lagPartsText(parts, target.interval)}`);
  const lever = lagLever(parts, target.interval, budgetOf(target));
  if (lever) lines.push(`  lever: ${lever}`);
  return { holds, lines };
}

export interface TargetCheckOptions {
  specPath: string;
  reportsDir?: string;
  log?: (line: string) => void;
  runner?: ScenarioRunner;
}

export async function checkTarget(
  spec: SizingSpec,
  target: SizingTarget,
  options: TargetCheckOptions,
): Promise<TargetAnswer & { runDir: string; exitCode: number }> {
  const scenario = targetScenario(spec, target);
  const runner = options.runner ?? runScenario;
  const result = await runner(scenario, {
    scenarioPath: options.specPath,
    ...(options.reportsDir ? { reportsDir: options.reportsDir } : {}),
    quiet: true,
    ...(options.log ? { log: options.log } : {}),
  });
  return { ...targetAnswer(target, result.summary), runDir: result.runDir, exitCode: result.exitCode };
}
