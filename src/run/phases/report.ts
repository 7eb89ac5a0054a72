import { join } from 'node:path';
import type { Sample } from '../../metrics/sample.ts';
import { compareSummaries, defaultLimits, readSummary, renderComparison, writeReports, type RunMeta, type Summary } from '../../report/index.ts';
import { ExitCode } from '../../util/exit-codes.ts';
import { readNdjson } from '../../util/ndjson.ts';
import { Interrupted, TimedOut, type RunContext } from '../context.ts';

export interface RunResult {
  runId: string;
  runDir: string;
  exitCode: number;
  summary?: Summary;
}

/**
 * Decides the run's status (thresholds decide passed/failed on a completed run, the error class
 * otherwise), applies `--baseline`, and writes run.json and every report (summary.json,
 * report.md, report.html, junit.xml) into the run folder from samples.ndjson alone.
 */
export function reportPhase(ctx: RunContext, runError: unknown): RunResult {
  const { meta, runDir } = ctx;
  meta.endedAt = new Date().toISOString();
  if (runError instanceof Interrupted) meta.status = 'interrupted';
  else if (runError instanceof TimedOut) meta.status = 'timeout';
  else if (runError) {
    meta.status = 'error';
    meta.error = runError instanceof Error ? runError.message : String(runError);
  }
  const samples = readNdjson<Sample>(join(runDir, 'samples.ndjson'));
  const provisional = writeReports(runDir, samples, { ...meta, status: meta.status === 'running' ? 'passed' : meta.status });
  if (meta.status === 'running') meta.status = provisional.summary.verdict === 'passed' ? 'passed' : 'failed';
  meta.exitCode = exitCodeOf(meta.status);
  if (ctx.options.baseline && meta.status === 'passed') {
    const verdict = judgeAgainstBaseline(readSummary(ctx.options.baseline), provisional.summary);
    ctx.log(verdict.text);
    if (verdict.regressed) meta.exitCode = ExitCode.regression;
  }
  ctx.writeMeta();
  const summary = writeReports(runDir, samples, meta).summary;
  // A clone the host cannot serve within spec.timeout fails whatever Flux does: say so beside the verdict.
  for (const timeout of summary.github.cloneTimeouts ?? []) ctx.log(`warning: ${timeout.warning}`);
  // Objects never Ready, ...: said beside the verdict, never a failure unless a threshold makes it one.
  for (const warning of summary.warnings ?? []) ctx.log(`warning: ${warning}`);
  if (meta.status === 'error') ctx.log(`run failed: ${meta.error}`);
  return { runId: ctx.runId, runDir, exitCode: meta.exitCode, summary };
}

/**
 * `run --baseline`: the current summary against a previous one, under the regression limits of
 * the current scenario (else the baseline's). A regression turns a pass into exit code 5.
 */
export function judgeAgainstBaseline(baseline: Summary, current: Summary): { regressed: boolean; text: string } {
  const { limits, source } = defaultLimits(baseline, current);
  const comparison = compareSummaries(baseline, current, limits);
  return { regressed: comparison.regressed, text: renderComparison(comparison, source) };
}

export function exitCodeOf(status: RunMeta['status']): number {
  switch (status) {
    case 'passed':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.thresholdsFailed;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'timeout':
      return ExitCode.timeout;
    default:
      return ExitCode.runError;
  }
}
