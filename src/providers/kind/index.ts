/**
 * kind: `kind create cluster` with the scenario's config; Flux as pods from the rendered
 * manifests; the fake GitHub relayed to the kind network's gateway. Needs a Docker engine.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { fluxImageRepositorySetting, startFluxAsPods } from '../pod-flux.ts';
import type { ProviderDefinition } from '../types.ts';
import { startKindCluster } from './cluster.ts';

export const kindProvider = {
  type: 'kind' as const,
  description: 'kind create cluster; Flux as pods (published images); the fake GitHub relayed to the kind network',
  capabilities: { ownsCluster: true, ownsControllers: true, hostControllers: false, hostControlPlane: false, artifactProxy: false, podNetwork: true, controlPlaneFlags: false, spokeClusters: false },
  settings: {
    kindConfig: z.string().min(1).optional().meta({ description: 'kind cluster config file (provider kind only).' }),
    kindImage: z.string().min(1).optional().meta({ description: "kind node image, e.g. kindest/node:v1.34.0 (provider kind only; default: kind's own)." }),
    ...fluxImageRepositorySetting,
  },
  // kind's default service subnet; kubeadm leaves etcd at its own default quota (2 GiB).
  limits: { serviceClusterIpRange: '10.96.0.0/16', etcdQuotaBackendBytes: 2 * 2 ** 30 },
  async provision(options) {
    const clusterDir = join(options.runDir, 'cluster');
    const kind = options.binaries?.kind ?? 'kind';
    // Registered before creation: a runner killed mid-create still has its cluster deleted.
    options.registry.addKindCluster({ name: options.runId, kind, kubeconfig: join(clusterDir, 'kubeconfig') });
    return startKindCluster({
      name: options.runId,
      runDir: clusterDir,
      kindBinary: kind,
      ...(options.binaries?.docker ? { dockerBinary: options.binaries.docker } : {}),
      ...(options.settings.kindConfig ? { kindConfigPath: resolve(options.settings.kindConfig) } : {}),
      ...(options.settings.kindImage ? { image: options.settings.kindImage } : {}),
    });
  },
  startFlux: startFluxAsPods,
} satisfies ProviderDefinition;

export {
  startKindCluster,
  kindCreateArgs,
  kindDeleteArgs,
  checkKind,
  checkDockerEngine,
  hostAddressForKind,
  rewriteGitBaseUrl,
  gatewayFromNetworkInspect,
  parseDockerPort,
  apiServerFromKubeconfig,
  kindEtcdMetricsPort,
  type KindClusterOptions,
  type KindCreateInput,
} from './cluster.ts';
