/**
 * Checks that span several fields (so no single field's schema can make them): timeline vs
 * duration and enabled controllers, provider-specific options, sampling vs duration, and the
 * workload's size vs the provider's limits.
 */
import { formatDuration, parseDuration } from '../util/units.ts';
import { fleetSectionProblems, fleetSpokeNames, fleetWorkloadProblems, maxApps, parseGeneratorOptions } from '../workload/index.ts';
import { controlPlaneProblems, providerDefinition, providersReading, providerTypes, splitControlPlaneSettings, type ProviderField } from '../providers/index.ts';
import { parseRegistryOptions } from '../registry/options.ts';
import { feasibilityProblems } from './feasibility.ts';
import type { Scenario } from './object-schema.ts';
import { timelineProblems, type ScenarioProblem } from './timeline.ts';

export function scenarioProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const { provider } = scenario;
  problems.push(...providerFieldProblems(provider));
  problems.push(...controlPlaneProblems(provider.type, splitControlPlaneSettings(provider).controlPlane));
  if (scenario.workload.flux?.provider === 'github') {
    if (!scenario.github.app) {
      problems.push({ path: ['workload', 'flux', 'provider'], message: 'provider github authenticates as a GitHub App: declare it in github.app (id and installations)' });
    } else if (scenario.github.app.publicKey !== undefined) {
      problems.push({ path: ['github', 'app', 'publicKey'], message: 'the runner makes the App\'s key pair for each run (it must sign with the private half); leave publicKey unset' });
    }
  }
  // The registry runs only for OCI sources: its limits and faults would silently do nothing.
  if ((scenario.workload.source ?? 'git') !== 'oci' && JSON.stringify(scenario.registry) !== JSON.stringify(parseRegistryOptions({}))) {
    problems.push({ path: ['registry'], message: `the OCI registry runs only with workload.source oci (this scenario's source is ${scenario.workload.source ?? 'git'}): set workload.source: oci or remove the registry block` });
  }
  problems.push(...helmControllerProblems(scenario));
  problems.push(...alertProblems(scenario));
  problems.push(...pinProblems(scenario));
  const durationMs = parseDuration(scenario.duration);
  const intervalMs = parseDuration(scenario.sampling.interval);
  if (intervalMs > durationMs) {
    problems.push({
      path: ['sampling', 'interval'],
      message: `${formatDuration(intervalMs)} is longer than the measure phase (duration ${formatDuration(durationMs)}), so nothing would be sampled`,
    });
  }
  // Also refuses actions whose `requires` the provider's capabilities do not meet.
  problems.push(...timelineProblems(scenario));
  const workloadProblem = workloadOptionsProblem(scenario.workload);
  if (workloadProblem) problems.push(workloadProblem);
  problems.push(...fleetProblems(scenario));
  problems.push(...churnWithoutConfigMapsProblems(scenario));
  problems.push(...controlPlaneMetricProblems(scenario));
  // Sizes the provider cannot hold (its Service range, etcd's quota).
  problems.push(...feasibilityProblems(scenario));
  return problems;
}

/** HelmReleases without helm-controller: kustomize-controller's dry-run fails on the missing CRD and the run measures nothing. */
function helmControllerProblems(scenario: Scenario): ScenarioProblem[] {
  // On a borrowed cluster Flux is the cluster's own: whether it runs helm-controller is not the scenario's say.
  if (scenario.controllers.helm.enabled || !providerDefinition(scenario.provider.type).capabilities.ownsControllers) return [];
  const releases = scenario.workload.helm?.releases ?? 0;
  const cycle = scenario.workload.graph?.faults?.kustomizationHelmCycle === true;
  if (releases === 0 && !cycle) return [];
  // Blamed on the workload field, which is in the file (controllers.helm often is not).
  const path = releases > 0 ? ['workload', 'helm', 'releases'] : ['workload', 'graph', 'faults', 'kustomizationHelmCycle'];
  const what = releases > 0 ? `${releases} HelmRelease${releases === 1 ? '' : 's'}` : 'a HelmRelease in the cycle';
  const verb = releases > 1 ? 'need' : 'needs';
  return [{ path, message: `${what} ${verb} helm-controller, which this scenario does not run: set controllers.helm.enabled: true` }];
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
 * Fleet mode: spokes are local binary clusters the runner starts beside the hub, and the workload
 * options the generator does not render for spokes yet (each blamed on its workload field).
 */
function fleetProblems(scenario: Scenario): ScenarioProblem[] {
  const { fleet } = scenario;
  if (!fleet) return [];
  const problems: ScenarioProblem[] = [];
  if (!providerDefinition(scenario.provider.type).capabilities.spokeClusters) {
    const types = providerTypes.filter((t) => providerDefinition(t).capabilities.spokeClusters);
    const field = fleet.spokes > 0 ? 'spokes' : 'contexts';
    problems.push({
      path: ['fleet', field],
      message:
        field === 'spokes'
          ? `fleet.spokes needs provider.type ${types.join(' or ')} (the spokes are local binary clusters started beside the hub); this scenario's provider.type is ${scenario.provider.type}`
          : `a fleet needs provider.type ${types.join(' or ')} for its hub (the hub's controllers run as processes of this machine and reach the spokes from here); this scenario's provider.type is ${scenario.provider.type}`,
      allowed: types,
    });
  }
  for (const problem of fleetSectionProblems(fleet)) problems.push({ path: ['fleet', ...problem.field], message: problem.message });
  problems.push(...spokeMetricProblems(scenario, fleetSpokeNames(fleet)));
  for (const problem of fleetWorkloadProblems(scenario.workload, fleet, maxApps)) {
    problems.push({ path: ['workload', ...problem.field], message: problem.message, ...(problem.allowed ? { allowed: problem.allowed } : {}) });
  }
  return problems;
}

/**
 * A problem for each threshold and regression key whose text `problemOf` objects to, at its
 * path: what the checks on the metrics a scenario names (spokes it lacks, metrics its provider
 * cannot measure) share, so each finds them before the run rather than as "no data" after it.
 */
function metricReferenceProblems(scenario: Scenario, problemOf: (text: string) => Omit<ScenarioProblem, 'path'> | undefined): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  scenario.thresholds.forEach((threshold, index) => {
    const problem = problemOf(typeof threshold === 'string' ? threshold : JSON.stringify(threshold));
    if (problem) problems.push({ path: ['thresholds', index], ...problem });
  });
  for (const key of Object.keys(scenario.regression)) {
    const problem = problemOf(key);
    if (problem) problems.push({ path: ['regression', key], ...problem });
  }
  return problems;
}

/** Thresholds and regression keys naming a spoke (`fleet.spoke-05.ready`) the fleet does not have. */
function spokeMetricProblems(scenario: Scenario, spokes: readonly string[]): ScenarioProblem[] {
  // Any name before a per-spoke metric, so an unknown context name (fleet.edge-9.ready) is caught too.
  const perSpoke = /\bfleet\.([a-z0-9][a-z0-9-]*)\.(?:lag|ready|api_latency|unreachable|rss|cpu_cores)\b/g;
  return metricReferenceProblems(scenario, (text) => {
    const spoke = [...text.matchAll(perSpoke)].map((m) => m[1]!).find((name) => !spokes.includes(name));
    return spoke ? { message: `names ${spoke}, which is not a spoke of this fleet (${spokes.length} spokes)`, allowed: [...spokes] } : undefined;
  });
}

/**
 * Thresholds and regression keys on `control_plane.*` where the provider's control plane is not
 * made of processes of this machine (kind, k3s, existing): the control-plane measurement has
 * nothing to read there.
 */
function controlPlaneMetricProblems(scenario: Scenario): ScenarioProblem[] {
  const type = scenario.provider.type;
  if (providerDefinition(type).capabilities.hostControlPlane) return [];
  const types = providerTypes.filter((t) => providerDefinition(t).capabilities.hostControlPlane);
  const message = `control_plane.* metrics need provider.type ${types.join(' or ')} (they are read from the control plane's processes on this machine); this scenario's provider.type is ${type}`;
  return metricReferenceProblems(scenario, (text) => (/\bcontrol_plane\./.test(text) ? { message, allowed: types } : undefined));
}

/** Churn commits bump each app's churn ConfigMap; with app.configMaps false there is none, and a churn would push nothing. */
function churnWithoutConfigMapsProblems(scenario: Scenario): ScenarioProblem[] {
  if (scenario.workload.app.configMaps) return [];
  return scenario.timeline.flatMap((action, index) =>
    action.action === 'churn.start'
      ? [{ path: ['timeline', index, 'action'], message: 'churn.start bumps each app\'s churn ConfigMap, which workload.app.configMaps false leaves out: set configMaps true or remove the churn' }]
      : [],
  );
}

/** Provider-specific fields set for a provider that does not read them (each provider lists its own). */
function providerFieldProblems(provider: Scenario['provider']): ScenarioProblem[] {
  const reads = Object.keys(providerDefinition(provider.type).settings);
  const problems: ScenarioProblem[] = [];
  for (const [field, value] of Object.entries(provider)) {
    if (field === 'type' || field === 'nodes' || value === undefined || reads.includes(field)) continue;
    const readers = providersReading(field as ProviderField);
    if (readers.length === 0) continue;
    const where = readers.length === 1 ? `provider.type ${readers[0]}` : `provider.type ${readers.slice(0, -1).join(', ')} or ${readers.at(-1)}`;
    // Pod-only settings read better as what they are for than as a list of providers.
    const message = field === 'fluxImageRepository' ? `only used where Flux runs as pods (${where}), not ${provider.type}` : `only used with ${where}, not ${provider.type}`;
    problems.push({ path: ['provider', field], message });
  }
  return problems;
}

/** Providers the run creates post through notification-controller, to the fake GitHub that serves git sources. */
function alertProblems(scenario: Scenario): ScenarioProblem[] {
  const { notification } = scenario.controllers;
  const problems: ScenarioProblem[] = [];
  for (const field of ['github', 'githubDispatch', 'generic'] as const) {
    if (!notification.alerts[field]) continue;
    const path = ['controllers', 'notification', 'alerts', field];
    if (!notification.enabled) problems.push({ path, message: 'Providers post through notification-controller: set controllers.notification.enabled: true' });
    if ((scenario.workload.source ?? 'git') !== 'git') {
      problems.push({ path, message: `Providers post to the fake GitHub, which serves git sources: workload.source is ${scenario.workload.source}, allowed: git` });
    }
  }
  return problems;
}

/** A pinned controller must be one the run starts: on a borrowed cluster Flux is the cluster's own, and a disabled one never runs. */
function pinProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const owns = providerDefinition(scenario.provider.type).capabilities.ownsControllers;
  for (const [name, version] of Object.entries(scenario.toolchain.controllers)) {
    if (version === undefined) continue;
    const path = ['toolchain', 'controllers', name];
    if (!owns) problems.push({ path, message: `provider ${scenario.provider.type} uses the cluster's own Flux, so no version can be pinned: use a provider that starts Flux (local, kind or k3s)` });
    else if ((name === 'helm' || name === 'notification') && !scenario.controllers[name].enabled) {
      problems.push({ path, message: `${name}-controller does not run in this scenario: set controllers.${name}.enabled: true, or remove the pin` });
    }
  }
  return problems;
}
