import { bare, type FluxControllerName } from './versions.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Replace } from './go-mod.ts';

export type ComponentName = 'etcd' | 'kubernetes' | 'kwok' | FluxControllerName | 'registry' | 'flux' | 'helm';

export interface BinarySpec {
  /** File name in the cache's bin folder, and the name kwokctl and the supervisor use. */
  name: string;
  /** Go import path of the main package. */
  pkg: string;
}

/** How to tell the version of a binary found on PATH or named by an env variable. */
export type VersionProbe = { kind: 'flag'; args: string[] } | { kind: 'go-buildinfo' };

/** One thing `fluxbench setup` compiles from a published Go module. */
export interface ComponentSpec {
  name: ComponentName;
  module: string;
  version: string;
  binaries: BinarySpec[];
  ldflags: string[];
  versionProbe: VersionProbe;
  /** What a local-path `replace` of the upstream go.mod becomes in the wrapper (undefined: dropped). */
  mapLocalReplace: (r: Replace) => Replace | undefined;
  /**
   * For a module that does not build from its published zip alone (files its Makefile
   * generates before `go build`): build from a writable copy of the module, after this adds
   * what is missing. The copy replaces the module in the wrapper's go.mod.
   */
  prepareSource?: (copyDir: string) => Promise<void>;
}

const dropLocal = (): undefined => undefined;

export function etcdComponent(version: string): ComponentSpec {
  return {
    name: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version: `v${bare(version)}`,
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' }],
    ldflags: [],
    versionProbe: { kind: 'flag', args: ['--version'] },
    // etcd's own local replaces point at FORBIDDEN_DEPENDENCY guards and sibling modules that
    // are published at the same version.
    mapLocalReplace: dropLocal,
  };
}

/**
 * Kubernetes: the main module replaces its 31 staging modules with ./staging/src/k8s.io/X;
 * each is published as k8s.io/X v0.MINOR.PATCH, which is what the wrapper points at.
 * The version ldflags matter beyond cosmetics: 1.34's compatibility-version logic refuses to
 * start an API server whose binary version is the v0.0.0 default.
 */
export function kubernetesComponent(version: string): ComponentSpec {
  const v = bare(version);
  const [major, minor, patch] = v.split('.');
  const staging = `v0.${minor}.${patch}`;
  const pkg = (cmd: string): BinarySpec => ({ name: cmd, pkg: `k8s.io/kubernetes/cmd/${cmd}` });
  return {
    name: 'kubernetes',
    module: 'k8s.io/kubernetes',
    version: `v${v}`,
    binaries: [pkg('kube-apiserver'), pkg('kube-controller-manager'), pkg('kube-scheduler'), pkg('kubectl')],
    ldflags: [
      `-X k8s.io/component-base/version.gitVersion=v${v}`,
      `-X k8s.io/component-base/version.gitMajor=${major}`,
      `-X k8s.io/component-base/version.gitMinor=${minor}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
      '-X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z',
      `-X k8s.io/client-go/pkg/version.gitVersion=v${v}`,
      `-X k8s.io/client-go/pkg/version.gitMajor=${major}`,
      `-X k8s.io/client-go/pkg/version.gitMinor=${minor}`,
    ],
    versionProbe: { kind: 'flag', args: ['--version'] },
    mapLocalReplace: (r) =>
      r.to.startsWith('./staging/src/') ? { from: r.from, to: r.from, toVersion: staging } : undefined,
  };
}

export function kwokComponent(version: string): ComponentSpec {
  const v = `v${bare(version)}`;
  return {
    name: 'kwok',
    module: 'sigs.k8s.io/kwok',
    version: v,
    binaries: [
      { name: 'kwokctl', pkg: 'sigs.k8s.io/kwok/cmd/kwokctl' },
      { name: 'kwok', pkg: 'sigs.k8s.io/kwok/cmd/kwok' },
    ],
    ldflags: [`-X sigs.k8s.io/kwok/pkg/consts.Version=${bare(version)}`],
    versionProbe: { kind: 'flag', args: ['--version'] },
    mapLocalReplace: dropLocal,
  };
}

/** A Flux controller: its own replaces are copied, except `=> ./api` (resolved through require). */
export function fluxControllerComponent(name: FluxControllerName, version: string): ComponentSpec {
  const module = `github.com/fluxcd/${name}`;
  return {
    name,
    module,
    version: `v${bare(version)}`,
    binaries: [{ name, pkg: module }],
    ldflags: [],
    versionProbe: { kind: 'go-buildinfo' },
    mapLocalReplace: dropLocal,
  };
}

/**
 * The CNCF Distribution registry (`registry serve <config>`), the OCI registry fluxbench
 * serves OCI artifacts and Helm charts from. v3.1.2 is the newest the module proxy lists.
 */
export function registryComponent(version: string): ComponentSpec {
  const v = `v${bare(version)}`;
  const module = 'github.com/distribution/distribution/v3';
  return {
    name: 'registry',
    module,
    version: v,
    binaries: [{ name: 'registry', pkg: `${module}/cmd/registry` }],
    ldflags: [`-X ${module}/version.version=${v}`],
    versionProbe: { kind: 'flag', args: ['--version'] },
    mapLocalReplace: dropLocal,
  };
}

/**
 * The flux CLI of a Flux release (flux2's `cmd/flux`): what users push OCI artifacts and
 * debug with. Its published module lacks `cmd/flux/manifests/*.yaml`, which flux2's Makefile
 * bundles from the controllers' release assets (not reachable here) for `flux install`; the
 * build embeds one placeholder instead, so `flux install` from this binary is not supported
 * (fluxbench installs Flux itself) and every other command is the release's own.
 */
export function fluxCliComponent(version: string): ComponentSpec {
  const v = bare(version);
  const module = 'github.com/fluxcd/flux2/v2';
  return {
    name: 'flux',
    module,
    version: `v${v}`,
    binaries: [{ name: 'flux', pkg: `${module}/cmd/flux` }],
    ldflags: [`-X main.VERSION=${v}`],
    versionProbe: { kind: 'flag', args: ['--version'] },
    mapLocalReplace: dropLocal,
    prepareSource: async (copyDir) => {
      const dir = join(copyDir, 'cmd', 'flux', 'manifests');
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, 'fluxbench-placeholder.yaml'),
        '# Built by fluxbench without the release manifests: `flux install` is not supported by this binary.\n',
      );
    },
  };
}

/** The Helm CLI (`helm push` of OCI charts), at the Helm major version helm-controller uses. */
export function helmComponent(version: string): ComponentSpec {
  const v = `v${bare(version)}`;
  const major = bare(version).split('.')[0];
  const module = `helm.sh/helm/v${major}`;
  return {
    name: 'helm',
    module,
    version: v,
    binaries: [{ name: 'helm', pkg: `${module}/cmd/helm` }],
    ldflags: [`-X ${module}/internal/version.version=${v}`],
    versionProbe: { kind: 'flag', args: ['version', '--short'] },
    mapLocalReplace: dropLocal,
  };
}
