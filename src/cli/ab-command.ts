import type { Command } from 'commander';
import { renderAbMarkdown, runAb } from '../ab/index.ts';
import { parseLimitsOption } from '../report/index.ts';
import { scenarioSecrets } from '../run/index.ts';
import { loadScenario, parseSetting, type Scenario, type ScenarioSetting } from '../scenario/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { redactSecrets } from '../util/redact.ts';

interface AbFlags {
  a: string[];
  b: string[];
  repeat: string;
  limits?: string;
  reports: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The scenario with one side's settings and its name suffixed, validated like the file. */
function variant(path: string, settings: readonly ScenarioSetting[], suffix: 'a' | 'b') {
  const name = `${loadScenario(path, { settings }).name.slice(0, 60)}-${suffix}`;
  return loadScenario(path, { settings: [...settings, { path: ['name'], value: name, text: `name=${name}` }] });
}

/**
 * A setting as the report shows it, so no secret lands in ab.json or the output: the value of a
 * token, secret or key field replaced, and every secret the side's scenario spells out (also one
 * set inside a whole block, `github={tokens: […]}`) redacted as run logs redact them.
 */
export function maskedText(setting: ScenarioSetting, scenario: Scenario): string {
  const last = String(setting.path.at(-1) ?? '');
  if (/token|secret|password|privatekey|key$/i.test(last)) return `${setting.path.join('.')}=***`;
  return redactSecrets(setting.text, scenarioSecrets(scenario));
}

/**
 * `fluxbench ab <scenario> --b <field=value>… [--a <field=value>…] [--repeat 3]`: runs the two
 * variants interleaved A B B A …, prints the comparison (Markdown) and writes
 * `<reports>/ab-<timestamp>/ab.{json,md,html}` beside every run's own folder. Exit code 5 when a
 * metric regressed beyond its limit and the noise, as `compare`.
 */
export function registerAbCommand(program: Command): void {
  program
    .command('ab')
    .description('A/B of one scenario under two settings (e.g. an upgraded controller), interleaved over several rounds; a difference is called only beyond the run-to-run noise')
    .argument('<scenario>', 'scenario YAML file, e.g. scenarios/smoke.yaml')
    .option('--a <field=value>', "a setting of side A (repeatable; default: the scenario as written), e.g. toolchain.controllers.kustomize=v1.9.5", collect, [])
    .option('--b <field=value>', 'a setting of side B (repeatable), e.g. toolchain.controllers.kustomize=v1.9.6 or controllers.kustomize.concurrent=8', collect, [])
    .option('--repeat <n>', 'rounds of both sides (3 to 20); more rounds call smaller differences: 3 → 10% chance of a false call per metric, 4 → 2.9%, 5 → 0.8%', '3')
    .option('--limits <list>', 'comma-separated <metric>=<limit> judging regressions (default: the regression limits of the scenario)')
    .option('--reports <dir>', 'folder for run folders and the comparison folder', 'reports')
    .action(async (scenarioPath: string, flags: AbFlags) => {
      const repeat = Number(flags.repeat);
      if (!/^\d+$/.test(flags.repeat.trim()) || repeat < 3 || repeat > 20) {
        throw new UsageError(`--repeat: "${flags.repeat}" must be a whole number from 3 to 20 (at 2 rounds an unchanged metric is called different one time in three)`);
      }
      const aSettings = flags.a.map((s) => parseSetting(s, '--a'));
      const bSettings = flags.b.map((s) => parseSetting(s, '--b'));
      if (aSettings.length === 0 && bSettings.length === 0) throw new UsageError('give side B (or A) at least one setting with --b <field=value>: otherwise both sides are the same scenario');
      const [a, b] = [variant(scenarioPath, aSettings, 'a'), variant(scenarioPath, bSettings, 'b')];
      const result = await runAb(
        {
          a,
          b,
          aSettings: aSettings.map((s) => maskedText(s, a)),
          bSettings: bSettings.map((s) => maskedText(s, b)),
          repeat,
          ...(flags.limits !== undefined ? { limits: parseLimitsOption(flags.limits) } : {}),
        },
        { scenarioPath, reportsDir: flags.reports },
      );
      console.log(renderAbMarkdown(result.report));
      console.log(`ab: ${result.dir}/ab.md, ab.html, ab.json`);
      process.exitCode = result.exitCode;
    });
}
