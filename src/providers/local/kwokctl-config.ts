import { stringify } from 'yaml';
import type { ControlPlaneSettings } from '../control-plane.ts';

export interface KwokctlBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
}

/**
 * The address every component of the local cluster listens on. kwokctl's `bindAddress` defaults
 * to 0.0.0.0, which would leave etcd (plain HTTP, no client auth: Secrets included) and the
 * control plane reachable from the network; kwokctl itself and everything fluxbench runs talk to
 * them on 127.0.0.1, so nothing needs more.
 */
export const localBindAddress = '127.0.0.1';

/**
 * The local cluster's Service range. kube-apiserver's default is a /24: the 255th Service of a
 * workload (one per generated app) fails with "failed to allocate a serviceIP: range is full".
 */
export const localServiceClusterIpRange = '10.96.0.0/16';

/** etcd's backend quota in the local cluster (kwokctl's own default, set explicitly so estimates can rely on it). */
export const localEtcdQuotaBackendBytes = 8 * 2 ** 30;

/**
 * kube-apiserver's in-flight limits with API Priority and Fairness on: production's defaults.
 * With APF on they are the server's total concurrency, shared among the priority levels, and
 * must add up to more than zero (kwokctl's `disableQPSLimits` sets both to 0, "no limit", which
 * only an API server without APF accepts).
 */
export const localApiServerInflight = { readOnly: 400, mutating: 200 } as const;

/** One extra flag as kwokctl's componentsPatches take it (it renders `--key=value`). */
interface KwokctlExtraArg {
  key: string;
  value: string;
}

/** `--name=value` → {name, value}; a bare `--name` becomes `--name=true`, kwokctl always writing a value. */
function extraArg(flag: string): KwokctlExtraArg {
  const [name, ...value] = flag.replace(/^--/, '').split('=');
  return { key: name!, value: value.length ? value.join('=') : 'true' };
}

/**
 * kwokctl's componentsPatches for the scenario's control-plane settings. kwokctl appends them
 * after its own flags, and every component keeps the last value of a repeated flag, so these
 * win: APF (on unless turned off) with production's in-flight limits, then the scenario's args.
 */
export function controlPlanePatches(settings: ControlPlaneSettings = {}): Array<{ name: string; extraArgs: KwokctlExtraArg[] }> {
  const apiServer: KwokctlExtraArg[] = [];
  // APF off is what disableQPSLimits already passes (with unlimited in-flight requests).
  if (settings.apiServer?.priorityAndFairness !== false) {
    apiServer.push(
      { key: 'enable-priority-and-fairness', value: 'true' },
      { key: 'max-requests-inflight', value: String(localApiServerInflight.readOnly) },
      { key: 'max-mutating-requests-inflight', value: String(localApiServerInflight.mutating) },
    );
  }
  apiServer.push(...(settings.apiServer?.args ?? []).map(extraArg));
  const patches = [
    { name: 'kube-apiserver', extraArgs: apiServer },
    { name: 'etcd', extraArgs: (settings.etcd?.args ?? []).map(extraArg) },
    { name: 'kube-controller-manager', extraArgs: (settings.controllerManager?.args ?? []).map(extraArg) },
  ];
  return patches.filter((p) => p.extraArgs.length > 0);
}

/**
 * Components a cluster may go without, as kwokctl's `options.disable` list takes them
 * (KwokctlConfigurationOptions.Disable, kwokctl ≥ 0.5; the deprecated `disableKubeScheduler`
 * bool does the same for the scheduler alone). kwokctl refuses a cluster without etcd or
 * kube-apiserver ("etcd must be enabled"), so those two cannot be listed; kube-controller-manager
 * could be, but is not offered here: its Deployment controller writes the status Flux's health
 * checks read. A disabled component is neither started nor waited for by `--wait`, and its
 * binary is never resolved (no download either).
 */
export interface KwokctlDisable {
  /** No kube-scheduler: nothing is ever scheduled (a cluster without nodes or pods). */
  kubeScheduler?: boolean;
  /** No kwok controller: no fake node is ever made ready, no pod given a status. */
  kwokController?: boolean;
}

/** kwokctl's component names for `options.disable`, in a stable order; empty when nothing is disabled. */
export function disabledComponents(disable: KwokctlDisable = {}): string[] {
  return [...(disable.kubeScheduler ? ['kube-scheduler'] : []), ...(disable.kwokController ? ['kwok-controller'] : [])];
}

/**
 * The KwokctlConfiguration for `kwokctl create cluster --runtime binary` with every binary
 * given as a local path: with nothing left to default to a release URL, kwokctl never
 * downloads (the offline guarantee the local provider rests on). Every component binds
 * `localBindAddress` (kwokctl passes it to etcd's client and peer URLs, kube-apiserver's,
 * kube-controller-manager's and kube-scheduler's `--bind-address` and kwok's `--server-address`).
 * kube-apiserver runs with API Priority and Fairness on, as in production, unless
 * `controlPlane.apiServer.priorityAndFairness` is false; the control plane's extra flags follow.
 * `disable` drops components kwokctl can go without (a fleet's spokes); absent, the output is the
 * hub's: every component, no `disable` key.
 */
export function renderKwokctlConfig(input: {
  kubeVersion: string;
  etcdVersion: string;
  binaries: KwokctlBinaries;
  controlPlane?: ControlPlaneSettings;
  disable?: KwokctlDisable;
}): string {
  const b = input.binaries;
  const componentsPatches = controlPlanePatches(input.controlPlane);
  const disable = disabledComponents(input.disable);
  return stringify({
    kind: 'KwokctlConfiguration',
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    options: {
      runtime: 'binary',
      kubeVersion: `v${input.kubeVersion.replace(/^v/, '')}`,
      etcdVersion: input.etcdVersion.replace(/^v/, ''),
      etcdBinary: b.etcd,
      kubeApiserverBinary: b.kubeApiserver,
      kubeControllerManagerBinary: b.kubeControllerManager,
      kubeSchedulerBinary: b.kubeScheduler,
      kubectlBinary: b.kubectl,
      kwokControllerBinary: b.kwok,
      // Lifts kube-controller-manager's and kube-scheduler's client-side QPS limits (the fake
      // nodes' pods would otherwise measure them, not Flux). It also turns kube-apiserver's APF
      // off and its in-flight limits to 0: controlPlanePatches puts production's values back.
      disableQPSLimits: true,
      // RBAC on, as in production: the Flux controllers run as their ServiceAccounts with
      // flux2's roles (src/flux/identity.ts), so every request is authorized as it would be there.
      kubeAuthorization: true,
      bindAddress: localBindAddress,
      etcdQuotaBackendSize: `${localEtcdQuotaBackendBytes / 2 ** 30}Gi`,
      // The disabled components' binaries stay named above: kwokctl never resolves them.
      ...(disable.length ? { disable } : {}),
    },
    ...(componentsPatches.length ? { componentsPatches } : {}),
  });
}

/** Arguments of `kwokctl create cluster` for a run; pure so tests can check them without a cluster. */
export function kwokctlCreateArgs(input: { name: string; configPath: string; kubeconfigPath: string; waitSeconds: number }): string[] {
  return [
    '--name',
    input.name,
    '--config',
    input.configPath,
    'create',
    'cluster',
    '--runtime',
    'binary',
    '--kubeconfig',
    input.kubeconfigPath,
    '--wait',
    `${input.waitSeconds}s`,
    '--extra-args',
    `kube-apiserver=service-cluster-ip-range=${localServiceClusterIpRange}`,
  ];
}
