/**
 * k3s: one k3s container through @testcontainers/k3s (its reaper removes the container if this
 * process dies); Flux as pods; the fake GitHub reached through testcontainers' host-port forwarding.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { fluxImageRepositorySetting, startFluxAsPods } from '../pod-flux.ts';
import type { ProviderDefinition } from '../types.ts';
import { startK3sCluster } from './cluster.ts';

export const k3sProvider = {
  type: 'k3s' as const,
  description: 'one k3s container (testcontainers); Flux as pods; the fake GitHub through host-port forwarding',
  capabilities: { ownsCluster: true, ownsControllers: true, hostControllers: false, hostControlPlane: false, artifactProxy: false, podNetwork: true, controlPlaneFlags: false, spokeClusters: false },
  settings: {
    k3sImage: z.string().min(1).optional().meta({ description: 'k3s container image (provider k3s only).' }),
    ...fluxImageRepositorySetting,
  },
  // k3s' default service CIDR; its default datastore is SQLite (kine), with no etcd quota.
  limits: { serviceClusterIpRange: '10.43.0.0/16' },
  async provision(options) {
    // testcontainers wires its host-port forwarder only into containers started after the call.
    const hostPorts = options.githubUrl ? [Number(new URL(options.githubUrl).port)] : [];
    return startK3sCluster({ name: options.runId, runDir: join(options.runDir, 'cluster'), hostPorts, ...(options.settings.k3sImage ? { image: options.settings.k3sImage } : {}) });
  },
  startFlux: startFluxAsPods,
} satisfies ProviderDefinition;

export { startK3sCluster, normalizeKubeconfig, defaultK3sImage, addressFromHostsFile, testcontainersHostAlias, type K3sClusterOptions, type K3sModules } from './cluster.ts';
