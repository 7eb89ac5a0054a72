/**
 * `fluxbench validate <scenario.yaml...>`: checks scenario files without starting anything,
 * so a typo fails in seconds, not after a cluster was provisioned: the schema (with every
 * count's upper bound), the provider's limits, and this machine's memory and free disk.
 */
import { readFileSync } from 'node:fs';
import { loadSizingSpec, planSweep } from '../sizing/index.ts';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from '../util/exit-codes.ts';
import { formatDuration } from '../util/units.ts';
import { loadScenario, planTimeline, ScenarioError, scenarioTimings, type Scenario } from '../scenario/index.ts';
import { scenarioFeasibility } from './feasibility-output.ts';

export interface ValidateOutput {
  write(text: string): void;
}

interface ValidateOptions {
  resolved?: boolean;
  reports: string;
}

export function registerValidateCommand(program: Command, output: ValidateOutput = process.stdout): void {
  program
    .command('validate')
    .description('check scenario files against the schema and print OK or every problem with file:line:col')
    .argument('<scenario...>', 'scenario YAML files')
    .option('--resolved', 'also print each valid scenario with every default filled in', false)
    .option('--reports <dir>', 'where runs would write (its free disk is checked)', 'reports')
    .action(async (files: string[], options: ValidateOptions) => {
      const failures: string[] = [];
      for (const file of files) {
        try {
          // A sizing spec lives beside the scenarios; it has its own schema.
          if (/^kind: SizingSpec$/m.test(readFileSync(file, 'utf8'))) {
            const spec = loadSizingSpec(file);
            output.write(`OK ${file} (sizing spec: ${planSweep(spec).length} runs)\n`);
            continue;
          }
          const scenario = loadScenario(file);
          const feasibility = scenarioFeasibility(file, scenario, options.reports);
          if (feasibility.errors > 0) {
            failures.push(feasibility.lines.join('\n'));
            continue;
          }
          output.write(`OK ${file} (${summarize(scenario)})\n`);
          for (const line of feasibility.lines) output.write(`  ${line}\n`);
          if (options.resolved) output.write(`${stringify(scenario)}\n`);
        } catch (error) {
          if (!(error instanceof ScenarioError) && !(error instanceof UsageError)) throw error;
          failures.push((error as Error).message);
        }
      }
      if (failures.length > 0) {
        const invalid = `${failures.length} of ${files.length} scenario files ${failures.length === 1 ? 'is' : 'are'} invalid`;
        throw new UsageError(`${failures.join('\n')}\n${invalid}`);
      }
    });
}

function summarize(scenario: Scenario): string {
  const { durationMs } = scenarioTimings(scenario);
  const actions = planTimeline(scenario).length;
  const thresholds = scenario.thresholds.length;
  return `${scenario.name}: provider ${scenario.provider.type}, duration ${formatDuration(durationMs)}, ${actions} timeline action${actions === 1 ? '' : 's'}, ${thresholds} threshold${thresholds === 1 ? '' : 's'}`;
}
