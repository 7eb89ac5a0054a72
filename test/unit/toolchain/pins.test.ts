import { describe, expect, it } from 'vitest';
import { nearestVersions, shortControllerName } from '../../../src/toolchain/pins.ts';

describe('controller version pins', () => {
  it('lists the served versions nearest a refused pin: its minor first, newest first', () => {
    const served = ['v1.7.3', 'v1.9.0', 'v1.9.5', 'v1.9.6', 'v1.10.0', 'v1.10.1', 'v1.11.0-rc.1'];
    expect(nearestVersions('v1.9.9', served)).toEqual(['v1.10.1', 'v1.10.0', 'v1.9.6', 'v1.9.5', 'v1.9.0', 'v1.7.3']);
    expect(nearestVersions('v1.10.7', served, 3)).toEqual(['v1.10.1', 'v1.10.0', 'v1.9.6']);
    expect(nearestVersions('v1.9.9', [])).toEqual([]);
  });

  it('names controllers as scenarios do', () => {
    expect(shortControllerName('kustomize-controller')).toBe('kustomize');
    expect(shortControllerName('notification-controller')).toBe('notification');
  });
});
