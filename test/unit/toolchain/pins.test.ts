import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/scenario/index.ts';
import { nearestVersions, shortControllerName } from '../../../src/toolchain/pins.ts';

describe('controller version pins', () => {
  it('lists the served versions nearest a refused pin: its minor first, newest first', () => {
    const served = ['v1.7.3', 'v1.9.0', 'v1.9.5', 'v1.9.6', 'v1.10.0', 'v1.10.1', 'v1.11.0-rc.1'];
    expect(nearestVersions('v1.9.9', served)).toEqual(['v1.10.1', 'v1.10.0', 'v1.9.6', 'v1.9.5', 'v1.9.0', 'v1.7.3']);
    expect(nearestVersions('v1.10.7', served, 3)).toEqual(['v1.10.1', 'v1.10.0', 'v1.9.6']);
    // More served than shown: the far ones are left out, whatever their age.
    const many = ['v0.1.0', 'v0.2.0', 'v1.0.0', 'v1.8.0', 'v1.9.0', 'v1.9.5', 'v1.9.6', 'v2.0.0', 'v3.0.0'];
    expect(nearestVersions('v1.9.9', many, 4)).toEqual(['v1.9.6', 'v1.9.5', 'v1.9.0', 'v1.8.0']);
    expect(nearestVersions('v1.9.9', [])).toEqual([]);
  });

  it('names controllers as scenarios do', () => {
    expect(shortControllerName('kustomize-controller')).toBe('kustomize');
    expect(shortControllerName('notification-controller')).toBe('notification');
  });
});

describe('pins in a scenario', () => {
  const problems = (yaml: string) => {
    try {
      parseScenario(`name: n\nworkload: {apps: 2}\n${yaml}`, 'n.yaml');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('is refused where the run does not start Flux, or for a controller the scenario does not run', () => {
    expect(problems('toolchain: {controllers: {kustomize: v1.9.6}}\n')).toBe('');
    expect(problems('provider: {type: existing}\ntoolchain: {controllers: {kustomize: v1.9.6}}\n')).toMatch(/toolchain\.controllers\.kustomize: provider existing uses the cluster's own Flux, so no version can be pinned/);
    expect(problems('toolchain: {controllers: {helm: v1.6.5}}\n')).toMatch(/toolchain\.controllers\.helm: helm-controller does not run in this scenario: set controllers\.helm\.enabled: true/);
    expect(problems('toolchain: {controllers: {helm: v1.6.5}}\ncontrollers: {helm: {enabled: true}}\n')).toBe('');
  });
});
