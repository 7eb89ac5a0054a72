import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serviceProxyMetricsUrl, startKubectlProxy, type KubectlProxy } from '../../src/cluster/index.ts';
import { useExistingCluster } from '../../src/providers/index.ts';
import { installFluxFromManifests, renderFluxInstallManifests, type FluxControllersConfig } from '../../src/flux/index.ts';
import type { Environment } from '../../src/providers/index.ts';
import { Command } from 'commander';
import { registerFluxManifestsCommand } from '../../src/cli/flux-manifests-command.ts';
import { kubectl, startTestEnvironment } from './helpers.ts';

const podControllers: FluxControllersConfig = {
  source: { concurrent: 4 },
  kustomize: { shards: 2, memoryLimitBytes: 256 * 1024 * 1024 },
  helm: { enabled: true },
  notification: { enabled: false },
};

// The existing-cluster provider, the pod install manifests and kubectl proxy against a real
// cluster: the local provider's kube-apiserver with Flux running as host processes.
describe('existing-cluster provider and pod install manifests on a real API server', () => {
  const toolchain = inject('toolchain');
  const runDir = mkdtempSync(join(tmpdir(), 'fb-e2e-existing-'));
  let env: Environment;
  let k: (args: string[], input?: string) => Promise<string>;

  beforeAll(async () => {
    env = await startTestEnvironment(toolchain, { runDir, nodes: 1, sink: { write: () => {} } });
    k = kubectl(toolchain, env.cluster.kubeconfigPath);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('detects Flux, creates a tracked namespace and deletes only that at stop', async () => {
    const before = (await k(['get', 'namespaces', '-o', 'name'])).split('\n').sort();
    const crdsBefore = await k(['get', 'crd', '-o', 'name']);
    const existing = await useExistingCluster({ kubeconfig: env.cluster.kubeconfigPath, runDir: join(runDir, 'existing'), kubectl: toolchain.binaries.kubectl! });
    expect(existing.provider).toBe('existing');
    expect(existing.serverVersion).toMatch(/^v1\.34\./);
    expect(existing.apiServerUrl).toBe(env.cluster.apiServerUrl);
    // Flux runs as host processes here: its CRDs are found, no controller Deployment is.
    expect(existing.fluxDeployments).toEqual([]);

    expect(await existing.track('fb-e2e-tracked')).toBe(true);
    expect(await k(['get', 'namespace', 'fb-e2e-tracked', '-o', 'jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}'])).toBe('fluxbench');
    await k(['-n', 'fb-e2e-tracked', 'create', 'configmap', 'work', '--from-literal=a=b']);
    // Already there: not ours, never deleted.
    expect(await existing.track('flux-system')).toBe(false);
    expect(existing.tracked()).toEqual(['fb-e2e-tracked']);

    await existing.stop();
    await existing.stop();
    expect(await k(['get', 'namespace', 'fb-e2e-tracked', '--ignore-not-found', '-o', 'name'])).toBe('');
    expect((await k(['get', 'namespaces', '-o', 'name'])).split('\n').sort()).toEqual(before);
    expect(await k(['get', 'crd', '-o', 'name'])).toBe(crdsBefore);
    // The cluster and its Flux keep working.
    for (const c of env.flux.controllers) expect(c.process.pid).toBeGreaterThan(0);
  });

  it('refuses a cluster missing a CRD the run needs, naming it, and leaves nothing behind', async () => {
    // The image automation controllers are not part of this toolchain, so their CRDs are absent.
    const error = await useExistingCluster({
      kubeconfig: env.cluster.kubeconfigPath,
      runDir: join(runDir, 'existing2'),
      kubectl: toolchain.binaries.kubectl!,
      requireCrds: ['kustomizations.kustomize.toolkit.fluxcd.io', 'imagepolicies.image.toolkit.fluxcd.io'],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Flux is not installed on context .*missing CRDs: imagepolicies\.image\.toolkit\.fluxcd\.io\).*flux install/);
  });

  it('has the API server accept the rendered Flux install (CRDs for real, the rest as a server-side dry run)', async () => {
    const manifests = await renderFluxInstallManifests({ fluxRelease: toolchain.flux, crdDir: toolchain.crdDir, controllers: podControllers });
    expect(manifests.crds.map((c) => c.metadata.name)).toEqual(expect.arrayContaining(['gitrepositories.source.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io']));
    await installFluxFromManifests({ kubectl: toolchain.binaries.kubectl!, kubeconfigPath: env.cluster.kubeconfigPath, manifests, timeoutMs: 60_000, dryRun: 'server' });

    // The dry run really validates: a Deployment the API server must refuse makes the install fail.
    const broken = structuredClone(manifests);
    const deployment = broken.objects.find((o) => o.kind === 'Deployment')! as unknown as { spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } } } };
    deployment.spec.template.spec.containers[0]!.ports[0]!.containerPort = 70_000;
    await expect(
      installFluxFromManifests({ kubectl: toolchain.binaries.kubectl!, kubeconfigPath: env.cluster.kubeconfigPath, manifests: broken, timeoutMs: 60_000, dryRun: 'server' }),
    ).rejects.toThrow(/dry-run the Flux install failed[\s\S]*containerPort/);
  });

  it('installs the pod controllers for real and waits for every Deployment to be Available (kwok runs the pods)', async () => {
    const manifests = await renderFluxInstallManifests({ fluxRelease: toolchain.flux, crdDir: toolchain.crdDir, controllers: podControllers, namespace: 'fb-e2e-pods' });
    try {
      await installFluxFromManifests({ kubectl: toolchain.binaries.kubectl!, kubeconfigPath: env.cluster.kubeconfigPath, manifests, timeoutMs: 120_000 });
      const deployments = JSON.parse(await k(['-n', 'fb-e2e-pods', 'get', 'deployments', '-o', 'json'])) as {
        items: Array<{ metadata: { name: string }; status: { availableReplicas?: number }; spec: { template: { spec: { containers: Array<{ image: string }> } } } }>;
      };
      expect(deployments.items.map((d) => d.metadata.name).sort()).toEqual(manifests.instances.map((i) => i.deployment).sort());
      for (const d of deployments.items) expect(d.status.availableReplicas).toBe(1);
      const images = deployments.items.map((d) => d.spec.template.spec.containers[0]!.image);
      expect(images).toContain(`ghcr.io/fluxcd/source-controller:${toolchain.flux.controllers['source-controller'].release}`);
      const endpoints = await k(['-n', 'fb-e2e-pods', 'get', 'service', 'kustomize-controller-shard2-metrics', '-o', 'jsonpath={.spec.selector.app}']);
      expect(endpoints).toBe('kustomize-controller-shard2');
    } finally {
      await k(['delete', 'namespace', 'fb-e2e-pods', '--ignore-not-found', '--wait=false']);
      await k(['delete', 'clusterrolebinding', 'fluxbench-fb-e2e-pods-controllers', '--ignore-not-found']);
    }
  });

  it('fluxbench flux-manifests --apply --dry-run validates a scenario\'s install on the cluster', async () => {
    const program = new Command().exitOverride();
    registerFluxManifestsCommand(program);
    await program.parseAsync(['node', 'fluxbench', 'flux-manifests', 'scenarios/sharding.yaml', '--apply', '--dry-run', '--kubeconfig', env.cluster.kubeconfigPath, '--timeout', '60']);
    // A dry run leaves no Deployment behind.
    expect(await k(['-n', 'flux-system', 'get', 'deployments', '-o', 'name'])).toBe('');
  });

  describe('kubectl proxy', () => {
    let proxy: KubectlProxy;
    beforeAll(async () => {
      proxy = await startKubectlProxy(toolchain.binaries.kubectl!, env.cluster.kubeconfigPath);
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    it('serves the API on loopback without credentials', async () => {
      const version = (await (await fetch(`${proxy.url}/version`)).json()) as { gitVersion: string };
      expect(version.gitVersion).toMatch(/^v1\.34\./);
      const namespaces = (await (await fetch(`${proxy.url}/api/v1/namespaces`)).json()) as { items: Array<{ metadata: { name: string } }> };
      expect(namespaces.items.map((n) => n.metadata.name)).toContain('flux-system');
    });

    it('routes service-proxy metrics URLs to the API server (a Service without endpoints answers 503, a missing one 404)', async () => {
      await k(['-n', 'default', 'create', 'service', 'clusterip', 'fb-no-endpoints', '--tcp=8080:8080']);
      try {
        expect((await fetch(serviceProxyMetricsUrl(proxy.url, 'default', 'fb-no-endpoints'))).status).toBe(503);
        expect((await fetch(serviceProxyMetricsUrl(proxy.url, 'default', 'fb-missing'))).status).toBe(404);
      } finally {
        await k(['-n', 'default', 'delete', 'service', 'fb-no-endpoints', '--ignore-not-found']);
      }
    });
  });
});
