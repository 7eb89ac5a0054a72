import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderClusterFiles } from '../../../src/workload/flux-objects.ts';
import { parseGeneratorOptions, planWorkload, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { renderUnitFiles } from '../../../src/workload/manifests.ts';
import { estimateWorkload } from '../../../src/workload/estimate.ts';
import { renderedManifestSample, substituteVariables } from '../../../src/workload/sample.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

const docs = (text: string | undefined): any[] => parseAllDocuments(text ?? '').map((d) => d.toJS());
const plan = (input: GeneratorOptionsInput) => planWorkload(parseGeneratorOptions(input), 'http://127.0.0.1:1');
const objectsOf = (files: Map<string, string>) => [...files].filter(([name]) => name !== 'kustomization.yaml').flatMap(([, text]) => docs(text));

/** Every unit Kustomization and HelmRelease of the cluster directory. */
function appliers(files: Map<string, string>): any[] {
  return [...files]
    .filter(([name]) => name.startsWith('kustomizations/') || name === 'helmreleases.yaml')
    .flatMap(([, text]) => docs(text))
    .filter((o) => o.kind === 'Kustomization' || o.kind === 'HelmRelease');
}


describe('impersonation (workload.flux.serviceAccountName)', () => {
  const input: GeneratorOptionsInput = { apps: 4, teams: 2, layout: 'repo-per-team', helm: { releases: 2 }, flux: { serviceAccountName: 'flux' } };

  it('sets spec.serviceAccountName on every unit Kustomization and HelmRelease', () => {
    const objects = appliers(renderClusterFiles(plan(input)));
    expect(objects.filter((o) => o.kind === 'Kustomization')).toHaveLength(4);
    expect(objects.filter((o) => o.kind === 'HelmRelease')).toHaveLength(2);
    for (const o of objects) expect(o.spec.serviceAccountName, `${o.kind}/${o.metadata.name}`).toBe('flux');
  });

  it("creates the ServiceAccount in the Flux namespace, namespace admin there and in each team's namespace", () => {
    const files = renderClusterFiles(plan(input));
    expect(docs(files.get('kustomization.yaml'))[0].resources).toContain('tenancy.yaml');
    const [account, ...bindings] = docs(files.get('tenancy.yaml'));
    expect(account).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flux', namespace: 'flux-system', annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } });
    expect(bindings.map((b) => b.metadata.namespace)).toEqual(['flux-system', 'team-1', 'team-2']);
    // Every namespace the units apply to, and the HelmReleases' own (Helm's storage), is covered.
    const namespaces = new Set(appliers(files).flatMap((o) => [o.spec.targetNamespace, o.metadata.namespace].filter(Boolean)));
    for (const namespace of namespaces) expect(bindings.map((b) => b.metadata.namespace)).toContain(namespace);
    // The root leaves them, and the team Namespaces holding the bindings, to the run: what
    // impersonates the tenant prunes as it first.
    for (const object of [account, ...bindings, ...docs(files.get('namespaces.yaml'))]) expect(object.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled' });
    for (const binding of bindings) {
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'flux', namespace: 'flux-system' }]);
    }
  });

  it('applies as the controllers themselves when unset: no serviceAccountName, no tenancy.yaml, Namespaces pruned with the root', () => {
    const files = renderClusterFiles(plan({ ...input, flux: {} }));
    expect(files.has('tenancy.yaml')).toBe(false);
    for (const namespace of docs(files.get('namespaces.yaml'))) expect(namespace.metadata.annotations).toBeUndefined();
    for (const o of appliers(files)) expect(o.spec.serviceAccountName).toBeUndefined();
  });

  it('reaches per-app OCI Kustomizations too', () => {
    const files = renderClusterFiles(plan({ apps: 3, teams: 1, source: 'oci', oci: { layout: 'per-app' }, flux: { serviceAccountName: 'tenant-a' } }));
    const kustomizations = appliers(files);
    expect(kustomizations.map((k) => [k.spec.sourceRef.kind, k.spec.serviceAccountName])).toEqual([
      ['OCIRepository', 'tenant-a'],
      ['OCIRepository', 'tenant-a'],
      ['OCIRepository', 'tenant-a'],
    ]);
  });

  it('reaches the fault graph: the Kustomization applying a HelmRelease, and that HelmRelease, impersonate the tenant too', () => {
    const p = plan({ apps: 4, teams: 1, graph: { faults: { kustomizationHelmCycle: true } }, flux: { serviceAccountName: 'flux' } });
    const unit = p.units.find((u) => u.variant === 'khc-release')!;
    const [release] = docs(renderUnitFiles(p, unit).get('helmrelease.yaml'));
    expect(release.kind).toBe('HelmRelease');
    expect(release.spec.serviceAccountName).toBe('flux');
    const files = renderClusterFiles(p);
    const faults = docs(files.get('kustomizations/faults.yaml'));
    expect(faults.length).toBeGreaterThan(0);
    for (const k of faults) expect(k.spec.serviceAccountName).toBe('flux');
    // The HelmRelease lands in the Flux namespace, where the tenant is admin.
    expect(docs(files.get('tenancy.yaml')).map((o) => o.metadata.namespace)).toContain(release.metadata.namespace);
  });

  it('counts the tenant in the estimate: one ServiceAccount more, a RoleBinding per team and the Flux namespace', () => {
    const without = estimateWorkload(parseGeneratorOptions({ apps: 10, teams: 3 }));
    const withTenant = estimateWorkload(parseGeneratorOptions({ apps: 10, teams: 3, flux: { serviceAccountName: 'flux' } }));
    expect(withTenant.objectCount - without.objectCount).toBe(1 + 4);
    expect(withTenant.objects.find((o) => o.kind === 'RoleBinding')?.count).toBe(4);
  });

  it('is refused in fleet mode and for a name that is not a DNS name, naming the field', () => {
    expect(() => parseGeneratorOptions({ apps: 2, fleet: { spokes: 2 }, flux: { serviceAccountName: 'flux' } })).toThrow(UsageError);
    expect(() => parseGeneratorOptions({ apps: 2, fleet: { spokes: 2 }, flux: { serviceAccountName: 'flux' } })).toThrow(/workload\.flux\.serviceAccountName: impersonation is not rendered in fleet mode/);
    expect(() => parseGeneratorOptions({ flux: { serviceAccountName: 'Not_A_Name' } })).toThrow(/flux\.serviceAccountName/);
    expect(() => parseGeneratorOptions({ flux: { serviceAccountName: 'kustomize-controller' } })).toThrow(/flux\.serviceAccountName.*Flux controller's own ServiceAccount/);
    expect(() => parseGeneratorOptions({ flux: { serviceAccountName: 'default' } })).toThrow(/flux\.serviceAccountName.*must not be "default"/);
  });
});

describe('variable substitution (workload.flux.postBuild)', () => {
  const input: GeneratorOptionsInput = { apps: 3, teams: 2, app: { replicas: 0, serviceAccount: true, ingress: true, configMaps: false }, flux: { postBuild: true } };

  it('gives every unit Kustomization postBuild.substitute with its app and team', () => {
    const p = plan(input);
    const kustomizations = appliers(renderClusterFiles(p));
    expect(kustomizations).toHaveLength(3);
    for (const k of kustomizations) {
      const unit = p.units.find((u) => u.name === k.metadata.name)!;
      expect(k.spec.postBuild).toEqual({ substitute: { APP: unit.name, TEAM: unit.team } });
    }
  });

  it('leaves ${TEAM} in the app manifests, and substituting it gives exactly the objects rendered without postBuild', () => {
    const withVars = plan(input);
    const without = plan({ ...input, flux: { postBuild: false } });
    const kustomizations = appliers(renderClusterFiles(withVars));
    for (const unit of withVars.units) {
      const files = renderUnitFiles(withVars, unit);
      expect(files.get('deployment.yaml')).toContain('${TEAM}');
      const vars = kustomizations.find((k) => k.metadata.name === unit.name)!.spec.postBuild.substitute;
      const substituted = new Map([...files].map(([name, text]) => [name, substituteVariables(text, vars)]));
      const plain = renderUnitFiles(without, without.units.find((u) => u.name === unit.name)!);
      expect(objectsOf(substituted)).toEqual(objectsOf(plain));
      expect(objectsOf(plain).every((o) => o.metadata.labels['app.kubernetes.io/part-of'] === unit.team)).toBe(true);
    }
  });

  it('gives the manifest sample the objects as Flux applies them, variables substituted', () => {
    const sample = renderedManifestSample(input, 'http://127.0.0.1:1', 3);
    const apps = sample.objects.filter((o) => o.kind === 'Deployment');
    expect(apps).toHaveLength(3);
    expect(sample.yaml).not.toContain('${');
    for (const app of apps) expect((app.metadata as unknown as { labels: Record<string, string> }).labels['app.kubernetes.io/part-of']).toMatch(/^team-\d+$/);
  });

  it('is off by default: no postBuild, no variables in the manifests', () => {
    const p = plan({ ...input, flux: {} });
    for (const k of appliers(renderClusterFiles(p))) expect(k.spec.postBuild).toBeUndefined();
    for (const unit of p.units) for (const text of renderUnitFiles(p, unit).values()) expect(text).not.toContain('${');
  });
});
