import { describe, expect, it } from 'vitest';
import { configMapProducers } from '../../../src/workload/generate.ts';
import { parseGeneratorOptions } from '../../../src/workload/options.ts';
import { planWorkload } from '../../../src/workload/plan.ts';

describe('configMapProducers', () => {
  it('names the Kustomization that creates the ConfigMap a HelmRelease reads values from', () => {
    const plan = planWorkload(parseGeneratorOptions({ apps: 6, helm: { releases: 1 }, graph: { faults: { kustomizationHelmCycle: true } } }), 'http://127.0.0.1:1');
    const hr = plan.helmReleases.find((h) => h.valuesFromConfigMap)!;
    const creator = plan.units.find((u) => u.variant === 'khc-config')!;
    expect(configMapProducers(plan)).toEqual({ [`ConfigMap/${hr.namespace}/${hr.valuesFromConfigMap}`]: creator.id });
  });

  it('is empty when no HelmRelease reads values from a ConfigMap', () => {
    const plan = planWorkload(parseGeneratorOptions({ apps: 6, helm: { releases: 2 } }), 'http://127.0.0.1:1');
    expect(plan.helmReleases.length).toBeGreaterThan(0);
    expect(configMapProducers(plan)).toEqual({});
  });
});
