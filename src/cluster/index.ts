export type { StartedCluster, ClusterOptions } from './types.ts';
export { startLocalCluster, deleteKwokCluster, listKwokClusters, kwokWorkdir, readComponentPids } from './local.ts';
export { renderKwokctlConfig, kwokctlCreateArgs, type KwokctlBinaries } from './kwokctl-config.ts';
