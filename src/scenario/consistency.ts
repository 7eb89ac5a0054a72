/**
 * Checks that span several fields (so no single field's schema can make them): timeline vs
 * duration and enabled controllers, provider-specific options, sampling vs duration.
 */
import { formatDuration, parseDuration } from '../util/units.ts';
import { parseGeneratorOptions } from '../workload/index.ts';
import type { Scenario } from './schema.ts';
import { timelineProblems, type ScenarioProblem } from './timeline.ts';

export function scenarioProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const { provider } = scenario;
  if (provider.kindConfig !== undefined && provider.type !== 'kind') {
    problems.push({ path: ['provider', 'kindConfig'], message: `only used with provider.type kind, not ${provider.type}` });
  }
  if (provider.k3sImage !== undefined && provider.type !== 'k3s') {
    problems.push({ path: ['provider', 'k3sImage'], message: `only used with provider.type k3s, not ${provider.type}` });
  }
  if (provider.kindImage !== undefined && provider.type !== 'kind') {
    problems.push({ path: ['provider', 'kindImage'], message: `only used with provider.type kind, not ${provider.type}` });
  }
  if (provider.fluxImageRepository !== undefined && provider.type !== 'kind' && provider.type !== 'k3s') {
    problems.push({ path: ['provider', 'fluxImageRepository'], message: `only used where Flux runs as pods (provider.type kind or k3s), not ${provider.type}` });
  }
  if (scenario.workload.flux?.provider === 'github') {
    if (!scenario.github.app) {
      problems.push({ path: ['workload', 'flux', 'provider'], message: 'provider github authenticates as a GitHub App: declare it in github.app (id and installations)' });
    } else if (scenario.github.app.publicKey !== undefined) {
      problems.push({ path: ['github', 'app', 'publicKey'], message: 'the runner makes the App\'s key pair for each run (it must sign with the private half); leave publicKey unset' });
    }
  }
  scenario.timeline.forEach((action, index) => {
    const unsupported = unsupportedOnProvider(action.action, provider.type);
    if (unsupported) problems.push({ path: ['timeline', index, 'action'], message: unsupported });
  });
  const durationMs = parseDuration(scenario.duration);
  const intervalMs = parseDuration(scenario.sampling.interval);
  if (intervalMs > durationMs) {
    problems.push({
      path: ['sampling', 'interval'],
      message: `${formatDuration(intervalMs)} is longer than the measure phase (duration ${formatDuration(durationMs)}), so nothing would be sampled`,
    });
  }
  problems.push(...timelineProblems(scenario));
  const workloadProblem = workloadOptionsProblem(scenario.workload);
  if (workloadProblem) problems.push(workloadProblem);
  return problems;
}

/** The generator's own checks across its fields (cycle lengths vs apps, apps reserved for faults). */
function workloadOptionsProblem(workload: Scenario['workload']): ScenarioProblem | undefined {
  try {
    parseGeneratorOptions(workload, 'workload');
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The generator prefixes its message with the field it blames; turn that into a path.
    const blamed = /^workload\.([\w.]+): ([\s\S]*)$/.exec(message.trim());
    if (!blamed) return { path: ['workload'], message };
    const path = (blamed[1] ?? '').split('.').map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    return { path: ['workload', ...path], message: blamed[2] ?? message };
  }
}

/**
 * Why a timeline action cannot run on a provider, or undefined when it can. Pausing control-plane
 * components needs their host pids and slowing artifacts needs the harness's proxy in front of
 * source-controller: both exist only where the harness runs them (local). Controller faults
 * need controllers the run owns (host processes or pods it installed).
 */
export function unsupportedOnProvider(action: Scenario['timeline'][number]['action'], provider: Scenario['provider']['type']): string | undefined {
  if (provider === 'local') return undefined;
  if (action === 'component.pause') return `component.pause needs the control plane as host processes (provider.type local), not ${provider}`;
  if (action === 'artifact.slow') return `artifact.slow needs source-controller as a host process behind the harness's proxy (provider.type local), not ${provider}`;
  if (provider === 'existing' && (action === 'controller.kill' || action === 'controller.memoryLimit')) {
    return `${action} needs controllers the run starts (provider.type local, kind or k3s); on existing, Flux is not the run's`;
  }
  return undefined;
}
