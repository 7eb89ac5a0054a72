import { stringify } from 'yaml';

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
 * The KwokctlConfiguration for `kwokctl create cluster --runtime binary` with every binary
 * given as a local path: with nothing left to default to a release URL, kwokctl never
 * downloads (the offline guarantee the local provider rests on). Every component binds
 * `localBindAddress` (kwokctl passes it to etcd's client and peer URLs, kube-apiserver's,
 * kube-controller-manager's and kube-scheduler's `--bind-address` and kwok's `--server-address`).
 */
export function renderKwokctlConfig(input: { kubeVersion: string; etcdVersion: string; binaries: KwokctlBinaries }): string {
  const b = input.binaries;
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
      // Flux creates many objects quickly; client-side QPS limits would measure kwokctl, not Flux.
      disableQPSLimits: true,
      bindAddress: localBindAddress,
      etcdQuotaBackendSize: `${localEtcdQuotaBackendBytes / 2 ** 30}Gi`,
    },
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
