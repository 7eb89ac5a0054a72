/** A cluster a run stands on, whatever provided it. */
export interface StartedCluster {
  provider: 'local' | 'kind' | 'k3s' | 'existing';
  name: string;
  /** Kubeconfig file (mode 0600) whose current context is this cluster. */
  kubeconfigPath: string;
  apiServerUrl: string;
  /** etcd's /metrics, where the provider exposes it (DB size, latency). */
  etcdMetricsUrl?: string;
  /** Host pids of the control-plane components, where they are host processes (for pause faults). */
  componentPids(): Promise<Record<string, number>>;
  /** Stops and deletes the cluster; safe to call twice. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Cluster name; one per run so parallel runs never collide. */
  name: string;
  /** Folder for the run's files (kubeconfig, provider config, logs). */
  runDir: string;
  /** Number of fake nodes. */
  nodes: number;
}
