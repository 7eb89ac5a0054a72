export type { StartedCluster, ClusterOptions, PodReachableAddress } from './types.ts';
export { startLocalCluster, deleteKwokCluster, listKwokClusters, kwokWorkdir, readComponentPids } from './local.ts';
export { renderKwokctlConfig, kwokctlCreateArgs, type KwokctlBinaries } from './kwokctl-config.ts';
export { startKindCluster, kindCreateArgs, kindDeleteArgs, checkKind, checkDockerEngine, hostAddressForKind, rewriteGitBaseUrl, gatewayFromNetworkInspect, parseDockerPort, apiServerFromKubeconfig, kindEtcdMetricsPort, type KindClusterOptions, type KindCreateInput } from './kind.ts';
export { startK3sCluster, normalizeKubeconfig, writeKubeconfigFile, defaultK3sImage, addressFromHostsFile, testcontainersHostAlias, type K3sClusterOptions, type K3sModules } from './k3s.ts';
export { useExistingCluster, resolveKubeconfigSource, selectContext, parseDeployments, requiredFluxCrds, type ExistingCluster, type ExistingClusterOptions, type FluxDeploymentStatus } from './existing.ts';
export { startKubectlProxy, serviceProxyMetricsUrl, parseProxyServingLine, kubectlProxyArgs, type KubectlProxy, type KubectlProxyOptions } from './kubectl-proxy.ts';
