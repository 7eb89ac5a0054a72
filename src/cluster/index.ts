/**
 * The cluster contract every provider fulfils (`StartedCluster`) and the helpers providers
 * share. The providers themselves (local, kind, k3s, existing) live in src/providers/<name>/.
 */
export type { StartedCluster, ClusterOptions, PodReachableAddress } from './types.ts';
export { writeKubeconfigFile } from './kubeconfig.ts';
export { startKubectlProxy, serviceProxyMetricsUrl, parseProxyServingLine, kubectlProxyArgs, type KubectlProxy, type KubectlProxyOptions } from './kubectl-proxy.ts';
