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
 * The KwokctlConfiguration for `kwokctl create cluster --runtime binary` with every binary
 * given as a local path: with nothing left to default to a release URL, kwokctl never
 * downloads (the offline guarantee the local provider rests on).
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
    // kube-apiserver's default service range is a /24: the 255th Service of a workload (one per
    // generated app) fails with "failed to allocate a serviceIP: range is full".
    '--extra-args',
    'kube-apiserver=service-cluster-ip-range=10.96.0.0/16',
  ];
}
