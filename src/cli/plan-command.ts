/**
 * `fluxbench plan <scenario>`: what a run of the scenario would cost before starting it: objects
 * by kind, repositories, etcd, expected peak memory and disk against this machine, and the run's
 * time bound. Starts nothing and writes nothing.
 */
import type { Command } from 'commander';
import { runTimeBoundMs } from '../run/index.ts';
import { loadScenario, scenarioTimings, type Scenario, type ScenarioEstimate } from '../scenario/index.ts';
import { providerDefinition } from '../providers/index.ts';
import { UsageError } from '../util/exit-codes.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { machineResources, scenarioFeasibility } from './feasibility-output.ts';

export interface PlanOutput {
  write(text: string): void;
}

const n = (value: number) => value.toLocaleString('en-US');
const ofLimit = (bytes: number, limit: number | undefined, name: string) => (limit ? ` of ${formatBytes(limit)} ${name} (${Math.round((100 * bytes) / limit)}%)` : '');

/** The plan as text lines; `machine` is this machine's memory and free disk. */
export function renderPlan(scenario: Scenario, estimate: ScenarioEstimate, machine: { memoryBytes?: number; diskFreeBytes?: number }, timeBoundMs: number): string[] {
  const { workload } = estimate;
  const limits = providerDefinition(scenario.provider.type).limits ?? {};
  const timings = scenarioTimings(scenario);
  const lines = [`plan for ${scenario.name} (provider ${scenario.provider.type}); estimates, not measurements`, '', `objects in the cluster: ${n(workload.objectCount)} (≈ ${formatBytes(workload.objectBytes)} live)`];
  const width = Math.max(...workload.objects.map((o) => o.kind.length));
  for (const o of workload.objects) lines.push(`  ${o.kind.padEnd(width)}  ${n(o.count).padStart(9)}  × ≈ ${formatBytes(o.bytesEach)}`);
  lines.push(
    '',
    `repositories: ${n(workload.repos)}, ≈ ${formatBytes(workload.repoBytes)} with history (largest ${formatBytes(workload.largestRepoBytes)}), HEAD ≈ ${formatBytes(workload.headBytes)}`,
    `churn: up to ${n(estimate.churnCommits)} commits`,
    `services: ${n(workload.services)}${limits.serviceClusterIpRange ? ` in ${limits.serviceClusterIpRange}` : ''}`,
    `etcd: ≈ ${formatBytes(estimate.etcdBytes)}${ofLimit(estimate.etcdBytes, limits.etcdQuotaBackendBytes, 'quota')}`,
    `peak memory: ≈ ${formatBytes(estimate.memory.totalBytes)}${ofLimit(estimate.memory.totalBytes, machine.memoryBytes, 'on this machine')}`,
  );
  for (const part of estimate.memory.parts) lines.push(`  ${part.name}: ${formatBytes(part.bytes)}`);
  lines.push(`disk: ≈ ${formatBytes(estimate.disk.totalBytes)}${ofLimit(estimate.disk.totalBytes, machine.diskFreeBytes, 'free here')}`);
  for (const part of estimate.disk.parts) lines.push(`  ${part.name}: ${formatBytes(part.bytes)}`);
  lines.push(
    `time bound: ${formatDuration(timeBoundMs)} (settle up to ${formatDuration(timings.settleTimeoutMs)} + measure ${formatDuration(timings.durationMs)} + ${formatDuration(timeBoundMs - timings.settleTimeoutMs - timings.durationMs)} for provisioning, generation and the verdict)`,
  );
  return lines;
}

export function registerPlanCommand(program: Command, output: PlanOutput = process.stdout): void {
  program
    .command('plan')
    .description('estimate what a run of a scenario costs: objects by kind, repo bytes, etcd, peak memory and disk, time bound (starts nothing)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--reports <dir>', 'where the run would write (its free disk is checked)', 'reports')
    .option('--json', 'print the estimate as JSON', false)
    .action(async (file: string, options: { reports: string; json: boolean }) => {
      const scenario = loadScenario(file);
      const feasibility = scenarioFeasibility(file, scenario, options.reports);
      const timeBoundMs = runTimeBoundMs(scenarioTimings(scenario));
      if (options.json) {
        output.write(`${JSON.stringify({ scenario: scenario.name, provider: scenario.provider.type, ...feasibility.estimate, timeBoundMs, findings: feasibility.findings }, null, 2)}\n`);
      } else {
        output.write(`${renderPlan(scenario, feasibility.estimate, machineResources(options.reports), timeBoundMs).join('\n')}\n`);
        if (feasibility.lines.length > 0) output.write(`\n${feasibility.lines.join('\n')}\n`);
      }
      if (feasibility.errors > 0) throw new UsageError(`${file}: the scenario does not fit (${feasibility.errors} error${feasibility.errors === 1 ? '' : 's'} above)`);
    });
}
