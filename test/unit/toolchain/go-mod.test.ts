import { describe, expect, it } from 'vitest';
import { compareVersions, parseGoMod, portableReplaces, renderGoMod } from '../../../src/toolchain/go-mod.ts';
import { wrapperGoMod } from '../../../src/toolchain/build.ts';
import { etcdComponent, fluxControllerComponent, kubernetesComponent } from '../../../src/toolchain/components.ts';
import { controllerVersionsFromFlux2GoMod, patchFallbacks } from '../../../src/toolchain/flux-release.ts';

const kubernetesGoMod = `module k8s.io/kubernetes

go 1.24.0

require (
	github.com/spf13/cobra v1.9.1 // indirect
	k8s.io/api v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go // comment
)
`;

const sourceControllerGoMod = `module github.com/fluxcd/source-controller

go 1.26.0

replace github.com/fluxcd/source-controller/api => ./api

// Replace digest lib to master to gather access to BLAKE3.
replace github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20220411205349-bde1400a84be

require github.com/fluxcd/source-controller/api v1.9.0
`;

describe('go.mod parsing', () => {
  it('reads module, go, requires and both replace forms, ignoring comments', () => {
    const parsed = parseGoMod(kubernetesGoMod);
    expect(parsed.module).toBe('k8s.io/kubernetes');
    expect(parsed.go).toBe('1.24.0');
    expect(parsed.requires.get('github.com/spf13/cobra')).toBe('v1.9.1');
    expect(parsed.replaces).toEqual([
      { from: 'k8s.io/api', to: './staging/src/k8s.io/api' },
      { from: 'k8s.io/client-go', to: './staging/src/k8s.io/client-go' },
    ]);
    const flux = parseGoMod(sourceControllerGoMod);
    expect(flux.replaces).toHaveLength(2);
    expect(flux.replaces[1]).toEqual({
      from: 'github.com/opencontainers/go-digest',
      to: 'github.com/opencontainers/go-digest',
      toVersion: 'v1.0.1-0.20220411205349-bde1400a84be',
    });
    expect(flux.requires.get('github.com/fluxcd/source-controller/api')).toBe('v1.9.0');
  });

  it('maps Kubernetes staging replaces to the published v0.MINOR.PATCH modules', () => {
    const text = wrapperGoMod(kubernetesComponent('1.34.4'), kubernetesGoMod);
    expect(text).toContain('\tk8s.io/kubernetes v1.34.4');
    expect(text).toContain('\tk8s.io/api => k8s.io/api v0.34.4');
    expect(text).toContain('\tk8s.io/client-go => k8s.io/client-go v0.34.4');
    expect(text).not.toContain('./staging');
    expect(text).toMatch(/^go 1\.24\.0$/m);
  });

  it("copies a Flux controller's replaces except the one to ./api", () => {
    const text = wrapperGoMod(fluxControllerComponent('source-controller', 'v1.9.5'), sourceControllerGoMod);
    expect(text).toContain('github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1-0.20220411205349-bde1400a84be');
    expect(text).not.toContain('./api');
    expect(text).toContain('\tgithub.com/fluxcd/source-controller v1.9.5');
  });

  it('drops every local replace of etcd and renders a parseable module', () => {
    const upstream = 'module go.etcd.io/etcd/server/v3\n\ngo 1.26.0\n\nreplace (\n\tgo.etcd.io/etcd/api/v3 => ../api\n)\n';
    const rendered = wrapperGoMod(etcdComponent('3.6.16'), upstream);
    const reparsed = parseGoMod(rendered);
    expect(reparsed.replaces).toEqual([]);
    expect(reparsed.requires.get('go.etcd.io/etcd/server/v3')).toBe('v3.6.16');
    expect(portableReplaces([{ from: 'a', to: '../a' }], () => undefined)).toEqual([]);
    expect(renderGoMod({ module: 'm', go: '1.2', requires: [], replaces: [] })).toBe('module m\n\ngo 1.2\n');
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.26.8', '1.26.0')).toBeGreaterThan(0);
    expect(compareVersions('1.9', '1.10')).toBeLessThan(0);
    expect(compareVersions('v1.24.0', '1.24')).toBe(0);
  });
});

describe('Flux releases', () => {
  it('reads the controller versions a flux2 release pins', () => {
    const goMod = `module github.com/fluxcd/flux2/v2\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/fluxcd/helm-controller/api v1.6.4\n\tgithub.com/fluxcd/kustomize-controller/api v1.9.5\n\tgithub.com/fluxcd/notification-controller/api v1.9.4\n\tgithub.com/fluxcd/source-controller/api v1.9.5\n)\n`;
    expect(controllerVersionsFromFlux2GoMod(goMod)).toEqual({
      'source-controller': 'v1.9.5',
      'kustomize-controller': 'v1.9.5',
      'helm-controller': 'v1.6.4',
      'notification-controller': 'v1.9.4',
    });
    expect(() => controllerVersionsFromFlux2GoMod('module x\n')).toThrow(/source-controller\/api/);
  });

  it('falls back through earlier patches of the same minor only', () => {
    expect(patchFallbacks('v1.9.4')).toEqual(['v1.9.4', 'v1.9.3', 'v1.9.2', 'v1.9.1', 'v1.9.0']);
    expect(patchFallbacks('v2.0.0')).toEqual(['v2.0.0']);
  });
});
