import { describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../../src/cluster/index.ts';
import type { StartedFlux } from '../../../src/flux/index.ts';
import type { StartedFakeGitHub } from '../../../src/github/index.ts';
import { TeardownStack, type RunContext } from '../../../src/run/index.ts';
import { applyPhase } from '../../../src/run/phases/apply.ts';
import { crdEstablishTimeoutSeconds, crdsPhase } from '../../../src/run/phases/crds.ts';
import { defineScenario } from '../../../src/scenario/index.ts';
import { dummyCrds, type GeneratedWorkload, type K8sObject } from '../../../src/workload/index.ts';
import { recordingKubectl } from './support/recording-kubectl.ts';

const rootObjects: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'fleet', namespace: 'flux-system' } },
];

function runParts(provider: 'local' | 'existing', crds: number) {
  const ctx = { scenario: defineScenario({ name: 'crds', provider: { type: provider }, workload: {} }), teardown: new TeardownStack(), log: () => {} } as unknown as RunContext;
  const workload = { crds: dummyCrds(crds), tenancy: [], fluxObjects: [], rootObjects, rootYaml: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rootObjects }) } as unknown as GeneratedWorkload;
  const cluster = { provider, track: async () => true } as unknown as StartedCluster;
  return { ctx, workload, cluster };
}

describe('the crds phase', () => {
  it('does nothing without dummy CRDs', async () => {
    const { ctx, workload } = runParts('local', 0);
    const { kubectl, calls } = recordingKubectl();
    await crdsPhase(ctx, { workload, kubectl });
    await ctx.teardown.unwind(() => {});
    expect(calls).toEqual([]);
  });

  it('applies the CRDs, waits until they are Established, then the root objects are applied; on a cluster the run owns nothing is removed', async () => {
    const { ctx, workload, cluster } = runParts('local', 50);
    const { kubectl, calls } = recordingKubectl();
    await crdsPhase(ctx, { workload, kubectl });
    await applyPhase(ctx, { cluster, workload, kubectl, flux: {} as StartedFlux, github: {} as StartedFakeGitHub });
    await ctx.teardown.unwind(() => {});
    expect(calls).toEqual(['apply CustomResourceDefinition x50', 'wait CustomResourceDefinition x50 --timeout=120s', 'apply Namespace,Kustomization x2']);
  });

  it('on a borrowed cluster removes them after the workload, last applied first', async () => {
    const { ctx, workload, cluster } = runParts('existing', 3);
    const { kubectl, calls } = recordingKubectl();
    await crdsPhase(ctx, { workload, kubectl });
    await applyPhase(ctx, { cluster, workload, kubectl, flux: {} as StartedFlux, github: {} as StartedFakeGitHub });
    await ctx.teardown.unwind(() => {});
    expect(calls).toEqual([
      'apply CustomResourceDefinition x3',
      'wait CustomResourceDefinition x3 --timeout=120s',
      'apply Kustomization x1',
      'delete Kustomization x1',
      'delete CustomResourceDefinition x3',
    ]);
  });

  it('fails when they never get Established, and a borrowed cluster still gets them removed', async () => {
    const { ctx, workload } = runParts('existing', 2);
    const { kubectl, calls } = recordingKubectl(/^wait/);
    await expect(crdsPhase(ctx, { workload, kubectl })).rejects.toThrow(/timed out waiting for the condition/);
    await ctx.teardown.unwind(() => {});
    expect(calls.at(-1)).toBe('delete CustomResourceDefinition x2');
  });

  it('waits a second per CRD, at least two minutes', () => {
    expect(crdEstablishTimeoutSeconds(50)).toBe(120);
    expect(crdEstablishTimeoutSeconds(500)).toBe(500);
  });
});
