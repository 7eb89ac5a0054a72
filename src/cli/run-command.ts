import { Option, type Command } from 'commander';
import { providerTypes } from '../providers/index.ts';
import { loadScenario } from '../scenario/index.ts';
import { runScenario } from '../run/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { scenarioFeasibility } from './feasibility-output.ts';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a scenario: provision, load, measure, judge, report (exit 0 pass, 1 thresholds failed, 2 bad input, 3 run error, 4 timeout, 5 regression, 130 interrupted)')
    .argument('<scenario>', 'scenario YAML file, e.g. scenarios/smoke.yaml')
    .option('--reports <dir>', 'folder for run folders', 'reports')
    .option('--baseline <summary>', "a previous run's summary.json; fail on regressions against it")
    .option('--quiet', 'fewer progress lines')
    .addOption(new Option('--provider <type>', "override the scenario's provider.type").choices(providerTypes))
    .action(async (path: string, opts: { reports: string; baseline?: string; quiet?: boolean; provider?: string }) => {
      const scenario = loadScenario(path, opts.provider ? { providerType: opts.provider } : {});
      // This machine's memory and disk, before anything starts (the provider's limits were checked by loading).
      const feasibility = scenarioFeasibility(path, scenario, opts.reports);
      for (const line of feasibility.lines) console.error(line);
      if (feasibility.errors > 0) throw new UsageError(`${path}: the scenario does not fit on this machine; nothing was started`);
      const result = await runScenario(scenario, {
        scenarioPath: path,
        reportsDir: opts.reports,
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        ...(opts.quiet ? { quiet: true } : {}),
      });
      const s = result.summary;
      if (s) {
        for (const t of s.thresholds) console.log(`${t.ok ? '✓' : '✗'} ${t.expression}${t.actual !== undefined ? `  (actual ${t.actual})` : ''}`);
        console.log(`verdict: ${s.verdict}`);
      }
      console.log(`reports: ${result.runDir}/report.html, report.md, summary.json, junit.xml`);
      process.exitCode = result.exitCode;
    });
}
