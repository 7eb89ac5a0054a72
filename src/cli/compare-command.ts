import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { compareSummaries, defaultLimits, parseLimitsOption, readSummary, renderComparison, type LimitsSource } from '../report/index.ts';
import { ExitCode } from '../util/exit-codes.ts';
import type { CommandOutput } from './report-command.ts';

const stdout: CommandOutput = { write: (text) => process.stdout.write(text) };

/** A summary.json path, or a run directory holding one. */
function summaryPath(arg: string): string {
  try {
    if (statSync(arg).isDirectory()) return join(arg, 'summary.json');
  } catch {
    // readSummary reports the missing file with its path.
  }
  return arg;
}

/**
 * `fluxbench compare <baseline> <current>`: prints each metric's change and judges the
 * regression limits; exit code 5 (ExitCode.regression) when one fails.
 */
export function registerCompareCommand(program: Command, out: CommandOutput = stdout): void {
  program
    .command('compare')
    .description('compare two runs (baseline first) and fail on regressions beyond the limits')
    .argument('<baseline>', 'baseline summary.json (or its run directory)')
    .argument('<current>', 'current summary.json (or its run directory)')
    .option(
      '--limits <list>',
      'comma-separated <metric>=<limit>, e.g. "lag.applied.p95=+20%,memory.*.max=+64Mi" (default: the regression limits of the current run\'s scenario, else the baseline\'s)',
    )
    .option('--json', 'print the comparison as JSON', false)
    .action(async (baselineArg: string, currentArg: string, options: { limits?: string; json: boolean }) => {
      const baseline = readSummary(summaryPath(baselineArg));
      const current = readSummary(summaryPath(currentArg));
      let limits: Record<string, string>;
      let source: LimitsSource;
      if (options.limits !== undefined) {
        limits = parseLimitsOption(options.limits);
        source = 'option';
      } else {
        ({ limits, source } = defaultLimits(baseline, current));
      }
      const comparison = compareSummaries(baseline, current, limits);
      out.write(options.json ? `${JSON.stringify({ ...comparison, limitsSource: source }, null, 2)}\n` : renderComparison(comparison, source));
      if (comparison.regressed) process.exitCode = ExitCode.regression;
    });
}
