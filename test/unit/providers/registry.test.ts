import { describe, expect, it } from 'vitest';
import { capabilityDescriptions, providerCapabilities, providerDefinition, providers, providerTypes, providersReading } from '../../../src/providers/index.ts';
import { parseScenario } from '../../../src/scenario/index.ts';

describe('the provider registry', () => {
  it('lists every provider once, local first, each declaring every capability', () => {
    expect(providers.map((p) => p.type)).toEqual([...providerTypes]);
    expect(providerTypes[0]).toBe('local');
    for (const provider of providers) expect(Object.keys(provider.capabilities).sort()).toEqual(Object.keys(capabilityDescriptions).sort());
  });

  it('answers capabilities from the provider, and names the allowed types for an unknown one', () => {
    expect(providerCapabilities('local')).toMatchObject({ hostControllers: true, hostControlPlane: true, artifactProxy: true });
    expect(providerCapabilities('existing')).toMatchObject({ ownsCluster: false, ownsControllers: false });
    expect(() => providerDefinition('minikube')).toThrow(/unknown provider "minikube" \(allowed: local, kind, k3s, existing\)/);
  });

  it('drives validation of provider-specific fields from what each provider reads', () => {
    expect(providersReading('fluxImageRepository')).toEqual(['kind', 'k3s']);
    expect(() => parseScenario('name: x\nprovider: {type: local, k3sImage: "rancher/k3s:v1"}\nworkload: {apps: 1}\n', 'x.yaml')).toThrow(
      /x\.yaml:2:\d+: provider\.k3sImage: only used with provider\.type k3s, not local/,
    );
    expect(() => parseScenario('name: x\nprovider: {type: kind, context: other}\nworkload: {apps: 1}\n', 'x.yaml')).toThrow(/provider\.context: only used with provider\.type existing, not kind/);
  });
});
