/** A cluster a run stands on, whatever provided it. */
export interface StartedCluster {
  /** The provider's type, as in `provider.type` (local, kind, k3s, existing). */
  provider: string;
  name: string;
  /** Kubeconfig file (mode 0600) whose current context is this cluster. */
  kubeconfigPath: string;
  apiServerUrl: string;
  /** etcd's /metrics, where the provider exposes it (DB size, latency). */
  etcdMetricsUrl?: string;
  /** Host pids of the control-plane components, where they are host processes (for pause faults). */
  componentPids(): Promise<Record<string, number>>;
  /**
   * Makes a server listening on 127.0.0.1:port on this machine reachable from the cluster's
   * pods, and says at which host and port they reach it. Absent where the workload's clients
   * share this machine's loopback (local: Flux runs as host processes).
   */
  exposeToPods?(port: number): Promise<PodReachableAddress>;
  /**
   * Only on a cluster the run borrows (capability ownsCluster false): creates a namespace for
   * the run and records it so stop() deletes it; an existing namespace is used, never deleted
   * (resolves false).
   */
  track?(namespace: string): Promise<boolean>;
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
  /** Aborted when the run stops: a create still under way is killed rather than waited for. */
  signal?: AbortSignal;
}

/** Where pods reach a server of this machine. */
export interface PodReachableAddress {
  host: string;
  port: number;
  /** Withdraws the exposure (also done by the cluster's stop()). */
  stop(): Promise<void>;
}
