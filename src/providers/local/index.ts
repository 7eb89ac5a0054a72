/**
 * The default provider: a kwokctl `--runtime binary` cluster (real etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler as host processes, kwok faking nodes) and the real
 * Flux controllers as supervised host processes in cgroups of this machine.
 */
import { join } from 'node:path';
import { startFlux } from '../../flux/index.ts';
import type { ProviderDefinition } from '../types.ts';
import { kwokWorkdir, startLocalCluster } from './cluster.ts';
import { localEtcdQuotaBackendBytes, localServiceClusterIpRange } from './kwokctl-config.ts';

export const localProvider = {
  type: 'local' as const,
  description: 'kwokctl --runtime binary; Flux as supervised host processes (no Docker, no network)',
  capabilities: { ownsCluster: true, ownsControllers: true, hostControllers: true, hostControlPlane: true, artifactProxy: true, podNetwork: false, controlPlaneFlags: true, spokeClusters: true },
  settings: {},
  limits: { serviceClusterIpRange: localServiceClusterIpRange, etcdQuotaBackendBytes: localEtcdQuotaBackendBytes },
  async provision(options) {
    // Registered before creation: a runner killed mid-create still has its cluster deleted.
    options.registry.addKwokCluster({ name: options.runId, kwokctl: options.toolchain.binaries.kwokctl ?? 'kwokctl', workdir: kwokWorkdir(options.toolchain) });
    return startLocalCluster(options.toolchain, {
      name: options.runId,
      runDir: join(options.runDir, 'cluster'),
      nodes: options.nodes,
      ...(options.controlPlane ? { controlPlane: options.controlPlane } : {}),
    });
  },
  async startFlux(cluster, options) {
    const flux = await startFlux({
      toolchain: options.toolchain,
      cluster,
      runDir: options.runDir,
      runId: options.runId,
      sink: options.sink,
      controllers: options.controllers,
      onPid: (pid, id) => options.registry.addProcessGroup(pid, id),
      // Also the cgroups a limit makes mid-run (controller.memoryLimit, controller.cpuLimit).
      onCgroup: (path) => options.registry.addCgroup(path),
      onTempDir: (path) => options.registry.addTempDir(path),
      ...(options.artifactProxy ? { artifactProxy: true } : {}),
    });
    return { flux };
  },
} satisfies ProviderDefinition;

export { startLocalCluster, deleteKwokCluster, listKwokClusters, kwokWorkdir, readComponentPids } from './cluster.ts';
export { renderKwokctlConfig, kwokctlCreateArgs, controlPlanePatches, localBindAddress, localApiServerInflight, type KwokctlBinaries } from './kwokctl-config.ts';
