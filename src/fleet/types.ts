/**
 * The handles of a fleet's spokes: local clusters fluxbench started (spokes.ts) and existing ones
 * (contexts.ts).
 *
 * One spoke of the fleet. Its cluster can be deleted and created again under the same name
 * (spoke.delete): the address, certificates and kubeconfig then change, so read them anew
 * rather than keeping them.
 */
export interface StartedSpoke {
  /** The spoke's name as given (spoke-01, or a fleet.contexts name), not its cluster's. */
  readonly name: string;
  /** Whether fluxbench started it (a local spoke) or it is an existing cluster (fleet.contexts), which it never stops, pauses or deletes. */
  readonly origin: 'local' | 'context';
  /** The spoke's API server: https://127.0.0.1:<port> for a local spoke (the last cluster's while deleted), the context's server for an existing one. */
  readonly apiServerUrl: string;
  /** The kubeconfig, self-contained (certificates and key inlined as *-data): the hub Secret's `value`. Never log it. */
  readonly kubeconfig: string;
  /** Whether its cluster exists (false between delete() and recreate(), and after stop()). */
  readonly present: boolean;
  /** Host pids of the spoke's components (etcd, kube-apiserver, kube-controller-manager); none while deleted. */
  componentPids(): Promise<Record<string, number>>;
  /** SIGTERM to the spoke's kube-apiserver (SIGKILL after 5 s if it still drains); resolves once its port refuses connections and the process is gone. */
  stopApiServer(): Promise<void>;
  /** `kwokctl start cluster` brings kube-apiserver back on its port; resolves once /readyz answers 200. */
  startApiServer(): Promise<void>;
  /** SIGSTOP to the spoke's kube-apiserver. */
  pause(): Promise<void>;
  /** SIGCONT to the spoke's kube-apiserver. */
  resume(): Promise<void>;
  /** Deletes the spoke's cluster (every object, etcd's data, its certificates); the spoke stays in the fleet, absent once the delete succeeded. Nothing when already deleted. */
  delete(): Promise<void>;
  /**
   * Creates the deleted spoke's cluster again, empty, under the same name: new ports, new
   * certificates, a new kubeconfig (the hub's Secret must be updated); one at a time across the
   * fleet. Throws FluxbenchError when the spoke is present or being created, stopped (stop()
   * waits for a creation under way and deletes what it made), or its cluster fails to start.
   */
  recreate(): Promise<void>;
  /** Deletes the spoke's cluster (resuming a paused API server first) for good; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartedFleet {
  /** In the order of `names`. */
  spokes: StartedSpoke[];
  /** The spoke of that name; throws UsageError for a name not in the fleet. */
  spoke(name: string): StartedSpoke;
  /** Stops every spoke in parallel; safe to call twice. Throws FluxbenchError naming the spokes that failed to stop. */
  stop(): Promise<void>;
}
