/**
 * An existing cluster as a spoke (`fleet.contexts`): a cluster the run did not start (here a
 * local one made beforehand, reached through its own kubeconfig file and context) next to one
 * local spoke. The run refuses it while it holds a namespace the workload would take over;
 * without it, the hub applies the apps and installs a HelmRelease there as on the local spoke,
 * and at the end Flux uninstalls and prunes what it applied, leaving the cluster itself running
 * and as it was.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StartedCluster } from '../../src/cluster/index.ts';
import { spokeControlPlane, spokeDisabledComponents } from '../../src/fleet/index.ts';
import { RunRegistry, startWatchdog } from '../../src/lifecycle/index.ts';
import { kwokWorkdir, startLocalCluster } from '../../src/providers/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { newRunId } from '../../src/util/run-id.ts';
import { kubectl, waitFor } from './helpers.ts';

describe('an existing cluster as a spoke', () => {
  const toolchain = inject('toolchain');
  const dir = mkdtempSync(join(tmpdir(), 'fb-e2e-contexts-'));
  const registry = new RunRegistry(toolchain.cacheRoot, newRunId());
  let existing: StartedCluster;
  let context: string;

  beforeAll(async () => {
    startWatchdog(registry);
    const name = `fb-edge-${Date.now().toString(36)}`;
    registry.addKwokCluster({ name, kwokctl: toolchain.binaries.kwokctl!, workdir: kwokWorkdir(toolchain) });
    existing = await startLocalCluster(toolchain, { name, runDir: join(dir, 'edge'), nodes: 0, disable: { ...spokeDisabledComponents }, controlPlane: spokeControlPlane(undefined) });
    context = (parse(readFileSync(existing.kubeconfigPath, 'utf8')) as { 'current-context': string })['current-context'];
  });

  afterAll(async () => {
    await existing?.stop();
    registry.remove();
  });

  const scenario = () =>
    defineScenario({
      name: 'fleet-contexts-e2e',
      controllers: { source: { concurrent: 2 }, kustomize: { concurrent: 4, requeueDependency: '5s' }, helm: { enabled: true } },
      fleet: { spokes: 1, contexts: [{ name: 'edge-1', context, kubeconfig: existing.kubeconfigPath }] },
      workload: {
        layout: 'repo-per-team',
        teams: 1,
        apps: 2,
        seed: 5,
        app: { replicas: 0 },
        // Installed on each spoke by the hub's helm-controller, its Helm storage there.
        helm: { releases: 1, values: 'app' },
        flux: { auth: 'basic', sourceInterval: '5s', interval: '1m', timeout: '30s' },
      },
      timeline: [{ at: '2s', action: 'churn.start', rate: 0.2 }],
      duration: '30s',
      sampling: { interval: '3s' },
      settle: { timeout: '2m', until: 'ready' },
      // infrastructure, two apps and the HelmRelease on each spoke.
      thresholds: ['fleet.spokes == 2', 'fleet.edge-1.lag.applied.count > 0', 'fleet.edge-1.ready == 4', 'fleet.spoke-01.ready == 4'],
    });

  it('refuses the cluster while it holds a namespace of the workload, then applies to it like a local spoke and prunes it at the end', async () => {
    const k = kubectl(toolchain, existing.kubeconfigPath);
    const reports = join(dir, 'reports');
    // A namespace the workload's team uses, there before the run: Flux would adopt it and prune it with what it holds.
    await k(['create', 'namespace', 'team-1']);
    const refused = await runScenario(scenario(), { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(refused.exitCode).toBe(3);
    expect(refused.summary?.run.error).toMatch(/spoke edge-1 \(fleet\.contexts, https:\/\/127\.0\.0\.1:\d+\) already has namespace\(s\) team-1/);
    expect(await k(['get', 'namespace', 'team-1', '-o', 'name'])).toBe('namespace/team-1');
    await k(['delete', 'namespace', 'team-1', '--wait=true']);

    const result = await runScenario(scenario(), { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    const summary = result.summary!;
    expect(summary.thresholds.filter((t) => !t.ok)).toEqual([]);
    expect(Object.keys(summary.fleet!.spokes)).toEqual(['edge-1', 'spoke-01']);
    // The existing cluster's processes are not the run's: no cost read for it, the local spoke's read.
    expect(summary.metrics['fleet.edge-1.rss.max']).toBeUndefined();
    expect(summary.metrics['fleet.spoke-01.rss.max']).toBeGreaterThan(0);
    expect(summary.fleet!.spokes['edge-1']!.apiLatency!.count).toBeGreaterThan(0);

    // Flux pruned what it applied there before the hub went; the cluster itself still runs.
    // The namespace deletions Flux issued finish on the cluster's own namespace controller.
    await waitFor('the team namespaces gone from the existing cluster', async () => ((await k(['get', 'namespaces', '-l', 'fluxbench.io/team', '-o', 'name'])) === '' ? true : undefined), 60_000);
    expect(await k(['get', '--raw', '/readyz'])).toBe('ok');
  });
});
