import { describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../../src/cluster/index.ts';
import type { StartedFlux } from '../../../src/flux/index.ts';
import type { StartedFakeGitHub } from '../../../src/github/index.ts';
import { TeardownStack, type RunContext } from '../../../src/run/index.ts';
import { applyPhase, tenantRemoval } from '../../../src/run/phases/apply.ts';
import { defineScenario } from '../../../src/scenario/index.ts';
import { fluxObjectRefs, rootObjects, tenancyObjects } from '../../../src/workload/flux-objects.ts';
import { parseGeneratorOptions, planWorkload, type GeneratedWorkload, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { toYaml } from '../../../src/workload/manifests.ts';
import { recordingKubectl } from './support/recording-kubectl.ts';

/** The parts of a generated workload the apply phase reads, from the plan alone (no git). */
function workloadOf(input: GeneratorOptionsInput): GeneratedWorkload {
  const plan = planWorkload(parseGeneratorOptions(input), 'http://127.0.0.1:1');
  const roots = rootObjects(plan, {});
  return { crds: [], tenancy: tenancyObjects(plan), fluxObjects: fluxObjectRefs(plan), rootObjects: roots, rootYaml: toYaml(roots) } as unknown as GeneratedWorkload;
}

async function borrowedTeardown(input: GeneratorOptionsInput): Promise<string[]> {
  const ctx = { scenario: defineScenario({ name: 'tenant', provider: { type: 'existing' }, workload: {} }), teardown: new TeardownStack(), log: () => {} } as unknown as RunContext;
  const cluster = { provider: 'existing', track: async () => true } as unknown as StartedCluster;
  const { kubectl, calls } = recordingKubectl();
  await applyPhase(ctx, { cluster, workload: workloadOf(input), kubectl, flux: {} as StartedFlux, github: {} as StartedFakeGitHub });
  const failures: string[] = [];
  await ctx.teardown.unwind((line) => failures.push(line));
  expect(failures).toEqual([]);
  return calls;
}

describe("a tenant workload's teardown on a borrowed cluster", () => {
  it('deletes the root, then waits for what impersonates the tenant, then the tenant, then its team Namespaces', async () => {
    const calls = await borrowedTeardown({ apps: 3, teams: 2, helm: { releases: 1 }, flux: { serviceAccountName: 'flux' } });
    expect(calls).toEqual([
      'apply GitRepository,Kustomization x2',
      'delete GitRepository,Kustomization x2',
      // The root Kustomization (already gone), 3 apps and the HelmRelease: their finalizers prune as the tenant.
      'delete Kustomization,HelmRelease x5',
      'delete ServiceAccount,RoleBinding x4',
      'delete Namespace x2',
    ]);
  });

  it('leaves all of it to the root without a tenant', async () => {
    const calls = await borrowedTeardown({ apps: 3, teams: 2 });
    expect(calls).toEqual(['apply GitRepository,Kustomization x2', 'delete GitRepository,Kustomization x2']);
    expect(tenantRemoval(workloadOf({ apps: 3 }))).toEqual([]);
  });

  it('waits for the impersonating objects two minutes, or half a second each when there are more', () => {
    const small = tenantRemoval(workloadOf({ apps: 3, flux: { serviceAccountName: 'flux' } }));
    expect(small.map((s) => [s.wait, s.timeoutSeconds])).toEqual([
      [true, 120],
      [true, 60],
      [false, 60],
    ]);
    const [objects] = tenantRemoval(workloadOf({ apps: 1000, teams: 4, flux: { serviceAccountName: 'flux' } }));
    expect(objects!.items).toHaveLength(1001);
    expect(objects!.timeoutSeconds).toBe(501);
    // The Flux namespace holds the tenant but is never deleted.
    const namespaces = tenantRemoval(workloadOf({ apps: 4, teams: 4, flux: { serviceAccountName: 'flux' } }))[2]!.items.map((n) => n.metadata.name);
    expect(namespaces).toEqual(['team-1', 'team-2', 'team-3', 'team-4']);
  });
});
