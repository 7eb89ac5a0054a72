/**
 * Validation of the control-plane settings against the scenario's provider: a provider without
 * the `controlPlaneFlags` capability cannot honour them (kind, k3s and a borrowed cluster run
 * their own control plane with their own flags).
 */
import { capabilityDescriptions } from './capabilities.ts';
import type { ControlPlaneSettings } from './control-plane.ts';
import { providerCapabilities, providerTypes } from './registry.ts';

/**
 * Control-plane settings a provider without `controlPlaneFlags` cannot honour: every flag list,
 * and priorityAndFairness: false (true is what such clusters run anyway). Paths are relative to
 * the scenario's root.
 */
export function controlPlaneProblems(type: string, settings: ControlPlaneSettings): Array<{ path: Array<string | number>; message: string }> {
  if (providerCapabilities(type).controlPlaneFlags) return [];
  const able = providerTypes.filter((t) => providerCapabilities(t).controlPlaneFlags).join(', ');
  const refusal = `needs ${capabilityDescriptions.controlPlaneFlags} (provider.type ${able}), not ${type}`;
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  if (settings.apiServer?.priorityAndFairness === false) {
    problems.push({ path: ['provider', 'apiServer', 'priorityAndFairness'], message: `turning API Priority and Fairness off ${refusal}` });
  }
  for (const [field, component, value] of [
    ['apiServer', 'kube-apiserver', settings.apiServer?.args],
    ['etcd', 'etcd', settings.etcd?.args],
    ['controllerManager', 'kube-controller-manager', settings.controllerManager?.args],
  ] as const) {
    if (value?.length) problems.push({ path: ['provider', field, 'args'], message: `passing ${component} flags ${refusal}` });
  }
  return problems;
}
