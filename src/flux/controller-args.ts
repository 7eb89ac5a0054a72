import type { FluxControllerName } from '../toolchain/index.ts';

/** What a scenario may set per controller (mirrors the scenario schema's `controllers.*`). */
export interface ControllerSettings {
  concurrent?: number;
  requeueDependency?: string;
  featureGates?: Record<string, boolean>;
  /** Extra flags passed through verbatim. */
  args?: string[];
  /** Memory limit in bytes, enforced by a cgroup so the kernel's OOM kill is real; also GOMEMLIMIT, as Flux's install sets it. */
  memoryLimitBytes?: number;
  /**
   * The controller's temp dir on a RAM-backed filesystem (Flux's in-memory builds): an emptyDir
   * with medium Memory on a pod, a folder under /dev/shm for a host process. Its files count
   * against the controller's memory, as on Kubernetes.
   */
  tmpfs?: boolean;
  /** Client-side Kubernetes API rate (--kube-api-qps, requests/s); Flux ignores it when the API server has Priority and Fairness on. */
  kubeApiQps?: number;
  /** Client-side Kubernetes API burst (--kube-api-burst, requests); as kubeApiQps. */
  kubeApiBurst?: number;
}

export interface ControllerPorts {
  metrics: number;
  health: number;
  /** source-controller only: artifact storage server. */
  storage?: number;
  /** notification-controller only: its event server (where the other controllers post events). */
  events?: number;
  /** notification-controller only: the webhook receiver server (Flux Receivers). */
  receiver?: number;
}

export interface ControllerInstance {
  controller: FluxControllerName;
  /** Shard key (`sharding.fluxcd.io/key` value) or undefined for an unsharded controller. */
  shard?: string;
  /** Distinct name for logs, samples and cgroups: kustomize-controller-shard1. */
  id: string;
}

/**
 * Label selector of one shard, and of the main instance when shards exist, as Flux documents
 * sharding: the main instance takes every object without a shard key (the root Kustomization
 * among them), each shard the objects carrying its key.
 */
export function shardSelector(shard: string | undefined, allShards: string[]): string | undefined {
  if (shard !== undefined) return `sharding.fluxcd.io/key in (${shard})`;
  if (allShards.length > 0) return '!sharding.fluxcd.io/key';
  return undefined;
}

/** The flags of one controller process; pure so tests can check them without a cluster. */
export function controllerArgs(input: {
  instance: ControllerInstance;
  ports: ControllerPorts;
  settings: ControllerSettings;
  storagePath?: string;
  /** Port advertised in artifact URLs when it differs from the storage port (a proxy in front). */
  storageAdvertisedPort?: number;
  /** notification-controller's event server, when it runs: the other controllers post events there. */
  eventsUrl?: string;
  allShards: string[];
}): string[] {
  const { instance, ports, settings } = input;
  // The controllers take their kubeconfig from $KUBECONFIG (set by the supervisor); they have no flag for it.
  const args = [
    `--metrics-addr=127.0.0.1:${ports.metrics}`,
    `--health-addr=127.0.0.1:${ports.health}`,
    '--enable-leader-election=false',
    '--watch-all-namespaces=true',
    '--log-encoding=json',
    '--log-level=info',
  ];
  if (instance.controller === 'notification-controller') {
    if (ports.events === undefined || ports.receiver === undefined) throw new Error('notification-controller needs an events and a receiver port');
    args.push(`--events-addr=127.0.0.1:${ports.events}`, `--receiverAddr=127.0.0.1:${ports.receiver}`);
  } else {
    // Without a notification-controller an empty address disables event posting.
    args.push(`--events-addr=${input.eventsUrl ?? ''}`);
  }
  if (instance.controller === 'source-controller') {
    if (ports.storage === undefined || !input.storagePath) throw new Error('source-controller needs a storage port and path');
    args.push(
      `--storage-path=${input.storagePath}`,
      `--storage-addr=127.0.0.1:${ports.storage}`,
      `--storage-adv-addr=127.0.0.1:${input.storageAdvertisedPort ?? ports.storage}`,
    );
  }
  args.push(...settingsArgs(instance, settings, input.allShards));
  return args;
}

/**
 * The flags a scenario's controller settings become, wherever the controller runs (a host
 * process here, a Deployment in src/flux/manifests.ts).
 */
export function settingsArgs(instance: ControllerInstance, settings: ControllerSettings, allShards: string[]): string[] {
  const args: string[] = [];
  if (settings.concurrent !== undefined) args.push(`--concurrent=${settings.concurrent}`);
  if (settings.requeueDependency !== undefined) args.push(`--requeue-dependency=${settings.requeueDependency}`);
  if (settings.kubeApiQps !== undefined) args.push(`--kube-api-qps=${settings.kubeApiQps}`);
  if (settings.kubeApiBurst !== undefined) args.push(`--kube-api-burst=${settings.kubeApiBurst}`);
  const gates = Object.entries(settings.featureGates ?? {});
  if (gates.length) args.push(`--feature-gates=${gates.map(([k, v]) => `${k}=${v}`).join(',')}`);
  // Only kustomize-controller is sharded; the generator labels sources too, and an unsharded
  // source- or helm-controller must still see every object.
  const selector = instance.controller === 'kustomize-controller' ? shardSelector(instance.shard, allShards) : undefined;
  if (selector) args.push(`--watch-label-selector=${selector}`);
  // Last: a flag given again here wins over fluxbench's (the controllers keep the last value).
  args.push(...(settings.args ?? []));
  return args;
}

/**
 * The environment a host-process controller gets beyond $KUBECONFIG: GOMEMLIMIT at its memory
 * limit (Flux's install sets it from the container's `limits.memory`, byte for byte, so the Go
 * runtime collects harder before the kernel OOM-kills), and TMPDIR at its RAM-backed temp dir.
 */
export function controllerEnv(settings: ControllerSettings, tmpDir?: string): Record<string, string> {
  return {
    ...(settings.memoryLimitBytes !== undefined ? { GOMEMLIMIT: String(settings.memoryLimitBytes) } : {}),
    ...(tmpDir !== undefined ? { TMPDIR: tmpDir } : {}),
  };
}
