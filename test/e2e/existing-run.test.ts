import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import type { Environment } from '../../src/providers/index.ts';
import { kubectl, startTestEnvironment, waitFor } from './helpers.ts';

describe('provider: existing', () => {
  const toolchain = inject('toolchain');
  let env: Environment;

  // The "existing" cluster: a local cluster with Flux, as `fluxbench up` leaves one.
  beforeAll(async () => {
    env = await startTestEnvironment(toolchain, { runDir: mkdtempSync(join(tmpdir(), 'fb-e2e-existing-run-')), nodes: 1, sink: { write: () => {} } });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('runs a scenario on a cluster it did not create, and removes only its own workload (the tenant it impersonates last)', async () => {
    const k = kubectl(toolchain, env.cluster.kubeconfigPath);
    const namespacesBefore = (await k(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
    const scenario = defineScenario({
      name: 'existing-e2e',
      provider: { type: 'existing', kubeconfig: env.cluster.kubeconfigPath },
      controllers: { kustomize: { requeueDependency: '5s' } },
      // As flux-benchmark's tenant: the apps apply as ServiceAccount `tenant`, which must outlive their prune.
      workload: { layout: 'monorepo', teams: 1, apps: 2, seed: 9, flux: { auth: 'basic', sourceInterval: '5s', interval: '1m', serviceAccountName: 'tenant', postBuild: true } },
      timeline: [{ at: '1s', action: 'churn.start', rate: 0.5, maxCommits: 3 }],
      duration: '20s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m' },
      thresholds: ['lag.applied.count > 0', 'objects.ready.last >= 3'],
    });
    const result = await runScenario(scenario, {
      scenarioPath: '<defineScenario>',
      reportsDir: mkdtempSync(join(tmpdir(), 'fb-e2e-existing-reports-')),
      quiet: true,
      log: () => {},
    });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['lag.applied.count > 0', true],
      ['objects.ready.last >= 3', true],
    ]);
    expect(result.exitCode).toBe(0);
    // The workload is gone; the cluster and its Flux are not.
    expect(await k(['get', 'kustomizations,gitrepositories', '-A', '-o', 'name'])).toBe('');
    expect(await k(['get', 'serviceaccount/tenant', 'rolebinding/tenant', '-n', 'flux-system', '--ignore-not-found', '-o', 'name'])).toBe('');
    // Namespaces Flux pruned finish terminating asynchronously (the namespace controller).
    await waitFor(
      'the namespaces of the workload to be gone',
      async () => {
        const now = (await k(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
        return JSON.stringify(now) === JSON.stringify(namespacesBefore) ? true : undefined;
      },
      90_000,
    );
    expect(env.flux.controllers.every((c) => c.process.pid !== undefined)).toBe(true);
  });
});
