/**
 * An existing cluster (the current kubeconfig context, or the scenario's) with Flux already
 * installed: nothing is started; the run adds its workload in namespaces it tracks and removes
 * it again. Its Flux must reach the fake GitHub on 127.0.0.1 (a cluster from `fluxbench up`).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { StartedFlux } from '../../flux/index.ts';
import type { ProviderDefinition } from '../types.ts';
import { useExistingCluster } from './cluster.ts';

export const existingProvider = {
  type: 'existing' as const,
  description: 'your kubeconfig context with Flux already installed; the workload in its own namespaces, pruned afterwards',
  capabilities: { ownsCluster: false, ownsControllers: false, hostControllers: false, hostControlPlane: false, artifactProxy: false, podNetwork: false, controlPlaneFlags: false, spokeClusters: false },
  settings: {
    kubeconfig: z.string().min(1).optional().meta({ description: 'Kubeconfig of an existing cluster.' }),
    context: z.string().min(1).optional().meta({ description: 'Kubeconfig context to use.' }),
  },
  provision(options) {
    return useExistingCluster({
      runDir: join(options.runDir, 'cluster'),
      ...(options.settings.kubeconfig ? { kubeconfig: options.settings.kubeconfig } : {}),
      ...(options.settings.context ? { context: options.settings.context } : {}),
      ...(options.toolchain.binaries.kubectl ? { kubectl: options.toolchain.binaries.kubectl } : {}),
    });
  },
  async startFlux() {
    // Flux is the cluster's own: no controllers to observe or fault, nothing to stop.
    const flux: StartedFlux = { namespace: 'flux-system', storageUrl: '', controllers: [], find: () => [], stop: async () => {} };
    return { flux };
  },
} satisfies ProviderDefinition;

export { useExistingCluster, resolveKubeconfigSource, selectContext, parseDeployments, requiredFluxCrds, type ExistingCluster, type ExistingClusterOptions, type FluxDeploymentStatus } from './cluster.ts';
