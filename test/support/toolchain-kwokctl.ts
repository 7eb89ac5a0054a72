import { join } from 'node:path';
import type { KwokctlBinaries } from '../../src/providers/index.ts';
import { componentDir } from '../../src/toolchain/cache.ts';
import { cacheRoot, defaultVersions } from '../../src/toolchain/index.ts';

/** Binary paths for rendering a kwokctl config in unit tests: absolute, never run. */
export const placeholderKwokctlBinaries: KwokctlBinaries = {
  etcd: '/c/etcd',
  kubeApiserver: '/c/kube-apiserver',
  kubeControllerManager: '/c/kube-controller-manager',
  kubeScheduler: '/c/kube-scheduler',
  kubectl: '/c/kubectl',
  kwok: '/c/kwok',
};

/**
 * The toolchain's kwokctl and the binaries a kwokctl config names, at the default versions in the
 * cache `fluxbench setup` builds: for tests that ask the real kwokctl (`--dry-run`) what it would start.
 */
export function toolchainKwokctl(): { kwokctl: string; binaries: KwokctlBinaries; versions: { kubernetes: string; etcd: string } } {
  const root = cacheRoot();
  const bin = (component: string, version: string, name: string) => join(componentDir(root, component, `v${version}`), 'bin', name);
  const k8s = (name: string) => bin('kubernetes', defaultVersions.kubernetes, name);
  return {
    kwokctl: bin('kwok', defaultVersions.kwok, 'kwokctl'),
    binaries: {
      etcd: bin('etcd', defaultVersions.etcd, 'etcd'),
      kubeApiserver: k8s('kube-apiserver'),
      kubeControllerManager: k8s('kube-controller-manager'),
      kubeScheduler: k8s('kube-scheduler'),
      kubectl: k8s('kubectl'),
      kwok: bin('kwok', defaultVersions.kwok, 'kwok'),
    },
    versions: { kubernetes: defaultVersions.kubernetes, etcd: defaultVersions.etcd },
  };
}
