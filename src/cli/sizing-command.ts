import type { Command } from 'commander';
import { checkTarget, LAG_JUDGED, loadSizingSpec, parseMemoryLimit, renderSizingMarkdown, runSweep, type LagJudged, type SizingTarget } from '../sizing/index.ts';
import { ExitCode, UsageError } from '../util/exit-codes.ts';
import { parseDuration } from '../util/units.ts';

interface SizingFlags {
  apps?: string;
  interval?: string;
  concurrency?: string;
  shards?: string;
  memoryLimit?: string;
  lagP95?: string;
  lag?: string;
  duration?: string;
  stopOnFailure?: boolean;
  reports: string;
}

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag}: "${text}" is not a whole number of at least 1`);
  return Number(text);
}

function duration(text: string, flag: string): string {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new UsageError(`${flag}: "${text}" is not a duration; expected e.g. "30s", "2m", "1m30s"`);
  }
  if (ms <= 0) throw new UsageError(`${flag}: must be longer than 0s`);
  return text.trim();
}

function lagPart(text: string): LagJudged {
  const part = LAG_JUDGED.find((value) => value === text.trim());
  if (!part) throw new UsageError(`--lag: "${text}" is not a part of the lag (allowed: ${LAG_JUDGED.join(', ')})`);
  return part;
}

export function registerSizingCommand(program: Command): void {
  program
    .command('sizing')
    .description(
      'measure controller sizing: with --apps, one run answering YES/NO "does this target hold?" (exit 0/1); ' +
        'without, the sweep of the spec file, writing reports/sizing-<timestamp>/sizing.md and sizing.json',
    )
    .argument('[spec]', 'sizing spec (kind SizingSpec): base scenario and sweep', 'scenarios/sizing.yaml')
    .option('--apps <n>', 'target check: number of apps')
    .option('--interval <duration>', 'target check: Flux interval of sources and Kustomizations (default: first in the sweep)')
    .option('--concurrency <n>', 'target check: kustomize-controller --concurrent (default: first in the sweep)')
    .option('--shards <n>', 'target check: kustomize-controller shards (default: first in the sweep)')
    .option('--memory-limit <quantity>', 'target check: memory limit enforced on every controller, e.g. 1Gi')
    .option('--lag-p95 <duration>', 'target check: the lag budget; see --lag (default: the spec\'s targets.lagP95)')
    .option('--lag <part>', `target check: what --lag-p95 bounds: ${LAG_JUDGED.join(' or ')} (default: the spec's targets.lag, controllers)`)
    .option('--duration <duration>', 'measure phase of each run (default: the spec\'s duration)')
    .option('--stop-on-failure', 'sweep: after a failed run, skip the runs with more apps')
    .option('--reports <dir>', 'folder for run folders and the sizing folder', 'reports')
    .action(async (specPath: string, flags: SizingFlags) => {
      const spec = loadSizingSpec(specPath);
      const runDuration = flags.duration !== undefined ? duration(flags.duration, '--duration') : spec.duration;
      if (flags.apps === undefined) {
        const targetOnly = (['interval', 'concurrency', 'shards', 'memoryLimit', 'lagP95', 'lag'] as const).filter((key) => flags[key] !== undefined);
        if (targetOnly.length > 0) {
          const names = targetOnly.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
          const verb = names.length > 1 ? 'describe a target check and need' : 'describes a target check and needs';
          throw new UsageError(`${names.join(', ')} ${verb} --apps; without --apps the spec's sweep runs`);
        }
        const result = await runSweep(
          { ...spec, duration: runDuration },
          { specPath, reportsDir: flags.reports, ...(flags.stopOnFailure ? { stopOnFailure: true } : {}) },
        );
        console.log(renderSizingMarkdown(result.report));
        console.log(`sizing: ${result.dir}/sizing.md, sizing.json`);
        process.exitCode = result.exitCode;
        return;
      }
      const target: SizingTarget = {
        apps: positiveInt(flags.apps, '--apps'),
        interval: flags.interval !== undefined ? duration(flags.interval, '--interval') : spec.sweep.interval[0]!,
        concurrency: flags.concurrency !== undefined ? positiveInt(flags.concurrency, '--concurrency') : spec.sweep.concurrency[0]!,
        shards: flags.shards !== undefined ? positiveInt(flags.shards, '--shards') : spec.sweep.shards[0]!,
        ...(flags.memoryLimit !== undefined ? { memoryLimitBytes: parseMemoryLimit(flags.memoryLimit) } : {}),
        lagP95: flags.lagP95 !== undefined ? duration(flags.lagP95, '--lag-p95') : spec.targets.lagP95,
        lag: flags.lag !== undefined ? lagPart(flags.lag) : spec.targets.lag,
        duration: runDuration,
      };
      const answer = await checkTarget(spec, target, { specPath, reportsDir: flags.reports });
      for (const line of answer.lines) console.log(line);
      console.log(`reports: ${answer.runDir}`);
      // A run that could not finish is not an answer: keep its own exit code (error, timeout, interrupted).
      process.exitCode = answer.holds ? ExitCode.ok : answer.exitCode > ExitCode.thresholdsFailed ? answer.exitCode : ExitCode.thresholdsFailed;
    });
}
