import { describe, expect, it } from 'vitest';
import { needsArtifactProxy } from '../../../src/run/phases/provision.ts';
import { loadScenario } from '../../../src/scenario/index.ts';
import { join } from 'node:path';

describe('the artifact proxy', () => {
  it('is started only for a timeline that slows artifact downloads', () => {
    expect(needsArtifactProxy([{ action: 'churn.start' }, { action: 'artifact.slow' }])).toBe(true);
    expect(needsArtifactProxy([{ action: 'churn.start' }, { action: 'controller.kill' }, { action: 'github.ratelimit' }])).toBe(false);
    expect(needsArtifactProxy([])).toBe(false);
  });

  it('is not started for the shipped benchmark shapes (every artifact byte would pass through the runner)', () => {
    for (const name of ['smoke', 'monorepo-effect', 'monorepo-effect-oci']) {
      const scenario = loadScenario(join(import.meta.dirname, '../../../scenarios', `${name}.yaml`));
      expect(needsArtifactProxy(scenario.timeline)).toBe(false);
    }
  });
});
