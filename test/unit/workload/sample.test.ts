import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderedManifestSample } from '../../../src/workload/index.ts';

describe('renderedManifestSample', () => {
  const sample = renderedManifestSample({ apps: 8, teams: 2, helm: { releases: 1 }, graph: { faults: { brokenRoots: 1, brokenChainLength: 0 } } }, 'http://127.0.0.1:18080/', 3, { token: 't' });

  it('orders namespaces first and Flux objects after the resources they need', () => {
    const kinds = sample.objects.map((o) => o.kind);
    const lastNamespace = kinds.lastIndexOf('Namespace');
    expect(kinds.slice(0, lastNamespace + 1).every((k) => k === 'Namespace')).toBe(true);
    expect(sample.objects.slice(0, lastNamespace + 1).map((o) => o.metadata.name)).toEqual(['flux-system', 'team-1', 'team-2']);
    const firstFlux = sample.objects.findIndex((o) => o.apiVersion.includes('toolkit.fluxcd.io'));
    expect(sample.objects.slice(firstFlux).every((o) => o.apiVersion.includes('toolkit.fluxcd.io'))).toBe(true);
  });

  it('holds every Flux object and the resources of the first apps, namespaced', () => {
    const count = (kind: string) => sample.objects.filter((o) => o.kind === kind).length;
    expect(count('Kustomization')).toBe(9); // 8 apps + root
    expect(count('HelmRelease')).toBe(1);
    expect(count('HelmRepository')).toBe(1);
    expect(count('Deployment')).toBe(3);
    for (const o of sample.objects.filter((o) => o.kind === 'Deployment' || o.kind === 'ConfigMap')) {
      expect(['team-1', 'team-2']).toContain(o.metadata.namespace);
    }
    const gitRepository = sample.objects.find((o) => o.kind === 'GitRepository') as unknown as { spec: { url: string } };
    expect(gitRepository.spec.url).toBe('http://127.0.0.1:18080/fluxbench/fleet.git');
  });

  it('renders YAML that parses back to the same objects', () => {
    expect(parseAllDocuments(sample.yaml).map((d) => d.toJS())).toEqual(sample.objects);
    const namespaces = parseAllDocuments(sample.namespacesYaml).map((d) => d.toJS());
    const resources = parseAllDocuments(sample.resourcesYaml).map((d) => d.toJS());
    expect(namespaces.every((o) => o.kind === 'Namespace')).toBe(true);
    expect([...namespaces, ...resources]).toEqual(sample.objects);
  });

  it('includes the broken root PVC when it is among the first apps', () => {
    const withRoot = renderedManifestSample({ apps: 1, graph: { faults: { brokenRoots: 1, brokenChainLength: 0 } } }, 'http://127.0.0.1:1', 1);
    const pvc = withRoot.objects.find((o) => o.kind === 'PersistentVolumeClaim') as unknown as { spec: { storageClassName: string } };
    expect(pvc.spec.storageClassName).toBe('fast');
  });
});
