import type { Command } from 'commander';
import { rebuildReports } from '../report/index.ts';
import { ExitCode } from '../util/exit-codes.ts';

export interface CommandOutput {
  write(text: string): void;
}

const stdout: CommandOutput = { write: (text) => process.stdout.write(text) };

/** Exit code per verdict for `report --check`. */
const verdictExitCodes = {
  passed: ExitCode.ok,
  failed: ExitCode.thresholdsFailed,
  error: ExitCode.runError,
  timeout: ExitCode.timeout,
  interrupted: ExitCode.interrupted,
  incomplete: ExitCode.runError,
} as const;

/** `fluxbench report <run-dir>`: rebuilds every report of a run from its samples and run.json. */
export function registerReportCommand(program: Command, out: CommandOutput = stdout): void {
  program
    .command('report')
    .description('rebuild summary.json, report.md, report.html and junit.xml from <run-dir>/samples.ndjson and <run-dir>/run.json')
    .argument('<run-dir>', 'a run directory, e.g. reports/<run-id>')
    .option('--check', "exit with the run's verdict code (1 thresholds failed, 3 error, 4 timeout, 130 interrupted)", false)
    .action(async (runDir: string, options: { check: boolean }) => {
      const { paths, summary } = rebuildReports(runDir);
      const failed = summary.thresholds.filter((t) => !t.ok);
      const lines = [
        `${summary.run.runId}: ${summary.verdict} (${summary.thresholds.length - failed.length}/${summary.thresholds.length} thresholds passed, ${summary.run.sampleCount} samples)`,
        ...failed.map((t) => `  ✗ ${t.message}`),
        ...(summary.warnings ?? []).map((w) => `  warning: ${w}`),
        ...Object.values(paths).map((path) => `  wrote ${path}`),
      ];
      out.write(`${lines.join('\n')}\n`);
      if (options.check) {
        const code = verdictExitCodes[summary.verdict];
        if (code !== ExitCode.ok) process.exitCode = code;
      }
    });
}
