/**
 * What a provider can do, declared by the provider itself (clusterloader2's `Features`): callers
 * (scenario validation, chaos actions, the runner) check a capability instead of switching on the
 * provider's name, so a new provider is one folder and no edit elsewhere.
 */
export interface ProviderCapabilities {
  /** The run creates the cluster and deletes it at teardown (else it only borrows one). */
  ownsCluster: boolean;
  /** The run starts the Flux controllers (host processes or pods it installed): controller faults work. */
  ownsControllers: boolean;
  /** The controllers are host processes of this machine: /proc RSS, cgroup memory and CPU limits. */
  hostControllers: boolean;
  /** The control-plane components (etcd, kube-apiserver) are host processes: they can be paused with SIGSTOP. */
  hostControlPlane: boolean;
  /** source-controller's artifact downloads go through the harness's throttling proxy. */
  artifactProxy: boolean;
  /** Flux runs in pods that reach this machine's loopback servers only through a relay. */
  podNetwork: boolean;
  /**
   * The run starts kube-apiserver, etcd and kube-controller-manager itself and sets their flags:
   * API Priority and Fairness on or off, extra flags (provider.apiServer, provider.etcd,
   * provider.controllerManager).
   */
  controlPlaneFlags: boolean;
  /**
   * Spoke clusters (fleet.spokes) can be started beside the hub: local binary clusters on this
   * machine's loopback, which only controllers that are host processes reach.
   */
  spokeClusters: boolean;
}

export type ProviderCapability = keyof ProviderCapabilities;

/** One line per capability, for error messages and docs. */
export const capabilityDescriptions: Readonly<Record<ProviderCapability, string>> = {
  ownsCluster: 'a cluster the run creates and deletes',
  ownsControllers: 'Flux controllers the run starts (host processes or pods it installed)',
  hostControllers: 'Flux controllers as host processes of this machine',
  hostControlPlane: 'the control plane as host processes of this machine',
  artifactProxy: "source-controller's artifacts served through the harness's proxy",
  podNetwork: 'Flux in pods reaching the harness through a relay',
  controlPlaneFlags: 'a control plane whose flags the run sets',
  spokeClusters: 'spoke clusters started beside the hub, reached by host-process controllers',
};
