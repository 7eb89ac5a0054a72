/**
 * `workload.source: oci`: the options and their errors, and the Flux objects an OCI workload
 * renders (per-app and per-team OCIRepositories, the pull Secret, Kustomizations and
 * HelmReleases reading them), against the plan and against what generateWorkload writes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../src/scenario/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { fluxObjectRefs, renderClusterFiles, rootObjects } from '../../../src/workload/flux-objects.ts';
import {
  estimateWorkload,
  generateWorkload,
  parseGeneratorOptions,
  planWorkload,
  withRegistryAuth,
  type GeneratorOptionsInput,
  type K8sObject,
  type WorkloadPlan,
} from '../../../src/workload/index.ts';
import { parseManifests } from '../../../src/workload/sample.ts';
import { tempDir } from './helpers.ts';

const gitBase = 'http://127.0.0.1:8080';
const ociBase = 'oci://10.0.0.7:5123';

function plan(input: GeneratorOptionsInput): WorkloadPlan {
  return planWorkload(parseGeneratorOptions(input), gitBase, ociBase);
}

/** The Flux objects of the fleet's cluster directory plus the root objects. */
function objects(p: WorkloadPlan, context: Parameters<typeof rootObjects>[1] = {}): K8sObject[] {
  const out = [...rootObjects(p, context)];
  for (const [name, text] of renderClusterFiles(p)) if (name !== 'kustomization.yaml') out.push(...parseManifests(text, name));
  return out;
}

const byKind = (list: K8sObject[], kind: string) => list.filter((o) => o.kind === kind);
const spec = (o: K8sObject | undefined) => (o as { spec: Record<string, unknown> } | undefined)?.spec ?? {};

function usageMessage(input: unknown): string {
  try {
    parseGeneratorOptions(input);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('workload.source and workload.oci options', () => {
  it('defaults to git, and to per-app artifacts with source oci', () => {
    expect(parseGeneratorOptions({}).source).toBe('git');
    expect(parseGeneratorOptions({ source: 'oci' }).oci).toEqual({ layout: 'per-app' });
  });

  it('lists the allowed values of a bad source or layout', () => {
    expect(usageMessage({ source: 'svn' })).toMatch(/workload\.source: .*"git"\|"oci"/);
    expect(usageMessage({ source: 'oci', oci: { layout: 'per-repo' } })).toMatch(/workload\.oci\.layout: .*"per-app"\|"per-team"/);
    expect(usageMessage({ oci: { tag: 'stable' } })).toMatch(/workload\.oci: .*tag/);
  });

  it('refuses options only the other source kind can honour, naming the allowed values', () => {
    expect(usageMessage({ helm: { releases: 1, source: 'oci-repository' } })).toMatch(
      /workload\.helm\.source: oci-repository pulls the chart from the run's OCI registry.*\(allowed with source git: helm-repository, git-repository\)/,
    );
    expect(usageMessage({ source: 'oci', helm: { releases: 1, source: 'git-repository' } })).toMatch(/workload\.helm\.source: git-repository .*\(allowed with source oci: oci-repository, helm-repository\)/);
    expect(usageMessage({ source: 'oci', graph: { faults: { kustomizationHelmCycle: true } }, helm: { source: 'git-repository' } })).toMatch(/workload\.helm\.source/);
    // helm-repository (the default) is a HelmRepository of type oci on the run's registry.
    expect(parseGeneratorOptions({ source: 'oci', helm: { releases: 2 } }).helm.source).toBe('helm-repository');
    expect(usageMessage({ source: 'oci', flux: { provider: 'github' } })).toMatch(/workload\.flux\.provider: github .*\(allowed: generic\)/);
    expect(usageMessage({ source: 'oci', flux: { fleetRef: 'commit' } })).toMatch(/workload\.flux\.fleetRef: commit .*\(allowed: branch\)/);
    // A Git workload without releases may keep the default chart source; an OCI one without releases too.
    expect(parseGeneratorOptions({ source: 'oci', helm: { releases: 0 } }).helm.source).toBe('helm-repository');
  });

  it('reports both in a scenario with file, line and column', () => {
    const problems = (text: string): string[] => {
      try {
        parseScenario(text, 'oci.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as Error).message.split('\n');
      }
      throw new Error('expected the scenario to be rejected');
    };
    expect(problems('name: x\nworkload:\n  source: s3\n')).toEqual([expect.stringMatching(/^oci\.yaml:3:\d+: workload\.source: .*git.*oci/)]);
    expect(problems('name: x\ncontrollers: { helm: { enabled: true } }\nworkload:\n  source: oci\n  helm:\n    releases: 1\n    source: git-repository\n')).toEqual([
      expect.stringMatching(/^oci\.yaml:7:\d+: workload\.helm\.source: git-repository .*oci-repository/),
    ]);
    expect(parseScenario('name: x\nworkload:\n  source: oci\n  oci: { layout: per-team }\n', 'oci.yaml').workload.oci.layout).toBe('per-team');
  });
});

describe('the Flux objects of an OCI workload', () => {
  it('per-app: one OCIRepository per app over plain HTTP at the tag, each Kustomization reading ./ of its own', () => {
    const p = plan({ source: 'oci', apps: 4, teams: 2, flux: { sourceInterval: '30s', auth: 'basic' } });
    const all = objects(p);
    expect(byKind(all, 'GitRepository')).toEqual([]);
    const repos = byKind(all, 'OCIRepository');
    expect(repos.map((o) => o.metadata.name)).toEqual(['fleet', 'app-001', 'app-002', 'app-003', 'app-004']);
    expect(spec(repos[1])).toEqual({
      interval: '30s',
      insecure: true,
      secretRef: { name: 'fluxbench-registry-auth' },
      url: `${ociBase}/fluxbench/apps/app-001`,
      ref: { tag: 'latest' },
    });
    const app2 = byKind(all, 'Kustomization').find((k) => k.metadata.name === 'app-002');
    expect(spec(app2)).toMatchObject({ sourceRef: { kind: 'OCIRepository', name: 'app-002' }, path: './', targetNamespace: 'team-2' });
    // The root applies the fleet artifact, whose root is clusters/<cluster>.
    const root = byKind(all, 'Kustomization').find((k) => k.metadata.name === 'fleet');
    expect(spec(root)).toMatchObject({ sourceRef: { kind: 'OCIRepository', name: 'fleet' }, path: './' });
    expect(p.oci!.fleet).toMatchObject({ repository: 'fluxbench/fleet', sourceRepo: 'fluxbench/fleet', dir: 'clusters/dev' });
    expect(p.oci!.artifacts.find((a) => a.name === 'app-002')).toMatchObject({ sourceRepo: 'fluxbench/fleet', dir: 'apps/team-2/app-002' });
  });

  it('per-team: one OCIRepository per team carrying its apps, each Kustomization a directory in it', () => {
    const p = plan({ source: 'oci', oci: { layout: 'per-team' }, apps: 5, teams: 3, layout: 'both' });
    const all = objects(p);
    expect(byKind(all, 'OCIRepository').map((o) => [o.metadata.name, spec(o).url])).toEqual([
      ['fleet', `${ociBase}/fluxbench/fleet`],
      ['team-1', `${ociBase}/fluxbench/teams/team-1`],
      ['team-2', `${ociBase}/fluxbench/teams/team-2`],
      ['team-3', `${ociBase}/fluxbench/teams/team-3`],
    ]);
    // layout both: team-1 and team-3 have their own repos (apps/<app>), team-2 lives in the monorepo.
    expect(p.oci!.artifacts.slice(1).map((a) => `${a.sourceRepo}:${a.dir}`)).toEqual(['fluxbench/team-1:apps', 'fluxbench/fleet:apps/team-2', 'fluxbench/team-3:apps']);
    const app4 = byKind(all, 'Kustomization').find((k) => k.metadata.name === 'app-004');
    expect(spec(app4)).toMatchObject({ sourceRef: { kind: 'OCIRepository', name: 'team-1' }, path: './app-004' });
    // auth none: anonymous pulls, no secretRef.
    expect(byKind(all, 'OCIRepository').every((o) => spec(o).secretRef === undefined)).toBe(true);
  });

  it('HelmReleases take the pushed chart through chartRef to an OCIRepository with Helm\u2019s layer selector', () => {
    const p = plan({ source: 'oci', oci: { layout: 'per-team' }, apps: 2, helm: { releases: 2, source: 'oci-repository' }, graph: { faults: { kustomizationHelmCycle: true } } });
    const all = objects(p);
    const chart = byKind(all, 'OCIRepository').find((o) => o.metadata.name === 'fluxbench-app');
    expect(spec(chart)).toMatchObject({
      url: `${ociBase}/fluxbench/charts/fluxbench-app`,
      ref: { tag: '0.1.0' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    for (const release of byKind(all, 'HelmRelease')) {
      expect(spec(release).chartRef).toEqual({ kind: 'OCIRepository', name: 'fluxbench-app', namespace: 'flux-system' });
      expect(spec(release).chart).toBeUndefined();
    }
    expect(byKind(all, 'HelmRepository')).toEqual([]);
    // chartRef makes no HelmChart, so none is expected.
    expect(fluxObjectRefs(p).filter((r) => r.kind === 'HelmRelease').every((r) => r.helmChart === undefined)).toBe(true);
    // The fault helpers share one artifact of the fleet's faults/ directory.
    expect(p.oci!.artifacts.find((a) => a.name === 'faults')).toMatchObject({ sourceRepo: 'fluxbench/fleet', dir: 'faults' });
    expect(p.oci!.units['Kustomization/flux-system/khc-release']).toEqual({ artifact: 'faults', path: './khc-release' });
  });

  it('helm.source helm-repository: a HelmRepository of type oci on the push path and a HelmChart template per release, as flux-benchmark\u2019s', () => {
    const p = plan({ source: 'oci', apps: 2, flux: { auth: 'basic' }, helm: { releases: 2, source: 'helm-repository' }, graph: { faults: { kustomizationHelmCycle: true } } });
    const all = objects(p);
    // No chart OCIRepository, no GitHub Pages: the chart is only on the registry.
    expect(byKind(all, 'OCIRepository').map((o) => o.metadata.name)).not.toContain('fluxbench-app');
    expect(p.pages).toBeUndefined();
    expect(p.oci!.chart).toMatchObject({ sourceKind: 'HelmRepository', name: 'charts', pushPath: 'fluxbench/charts' });
    const [repository, ...others] = byKind(all, 'HelmRepository');
    expect(others).toEqual([]);
    expect(repository!.metadata).toMatchObject({ name: 'charts', namespace: 'flux-system' });
    // Helm appends the chart name to the repository URL: oci://<host>/fluxbench/charts/fluxbench-app.
    expect(spec(repository)).toMatchObject({ type: 'oci', url: `${ociBase}/fluxbench/charts`, insecure: true, secretRef: { name: 'fluxbench-registry-auth' } });
    const releases = byKind(all, 'HelmRelease');
    expect(releases.length).toBeGreaterThanOrEqual(2);
    for (const release of releases) {
      expect(spec(release).chartRef).toBeUndefined();
      expect((spec(release).chart as { spec: unknown }).spec).toEqual({ chart: 'fluxbench-app', version: '*', sourceRef: { kind: 'HelmRepository', name: 'charts' }, interval: p.options.flux.sourceInterval });
    }
    // The object list the measurements and diagnose read names the HelmRepository, not an OCIRepository.
    const refs = fluxObjectRefs(p);
    expect(refs.filter((r) => r.kind === 'HelmRepository').map((r) => r.id)).toEqual(['HelmRepository/flux-system/charts']);
    expect(refs.some((r) => r.id === 'OCIRepository/flux-system/fluxbench-app')).toBe(false);
    // Each release names the HelmChart helm-controller makes for it, `<namespace>-<name>` in the HelmRepository's namespace.
    const release = refs.find((r) => r.kind === 'HelmRelease')!;
    expect(release.helmChart).toBe(`HelmChart/${release.namespace}/${release.namespace}-${release.name}`);
  });

  it('an HTTPS registry: every OCIRepository verifies the run CA through certSecretRef, never insecure', () => {
    const p = planWorkload(parseGeneratorOptions({ source: 'oci', apps: 2, flux: { auth: 'basic' }, helm: { releases: 1, source: 'oci-repository' } }), gitBase, ociBase, true);
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const all = objects(p, { registryCaPem: caPem });
    const repos = byKind(all, 'OCIRepository');
    expect(repos.map((o) => o.metadata.name)).toEqual(['fleet', 'app-001', 'app-002', 'fluxbench-app']);
    for (const repo of repos) {
      expect(spec(repo).certSecretRef, repo.metadata.name).toEqual({ name: 'fluxbench-registry-ca' });
      expect(spec(repo).insecure, repo.metadata.name).toBeUndefined();
      expect(spec(repo).secretRef).toEqual({ name: 'fluxbench-registry-auth' });
    }
    // The CA Secret is a root object, applied before the fleet OCIRepository that needs it.
    const roots = rootObjects(p, { registryCaPem: caPem });
    const ca = roots.findIndex((o) => o.kind === 'Secret' && o.metadata.name === 'fluxbench-registry-ca');
    expect(ca).toBeGreaterThan(-1);
    expect(ca).toBeLessThan(roots.findIndex((o) => o.kind === 'OCIRepository'));
    expect((roots[ca] as unknown as { stringData: Record<string, string> }).stringData).toEqual({ 'ca.crt': caPem });
    // A plan for HTTPS without the CA is a caller bug, not something to paper over with insecure.
    expect(() => rootObjects(p)).toThrow(/its CA was not given/);
  });

  it('estimates the objects the plan makes', () => {
    const cases: GeneratorOptionsInput[] = [
      { source: 'oci', apps: 12, teams: 5 },
      { source: 'oci', oci: { layout: 'per-team' }, apps: 3, teams: 5 },
      { source: 'oci', oci: { layout: 'per-team' }, apps: 9, teams: 2, helm: { releases: 3, source: 'oci-repository' }, graph: { faults: { kustomizationHelmCycle: true } } },
      { source: 'oci', apps: 7, helm: { releases: 1, source: 'oci-repository' }, graph: { faults: { kustomizationHelmCycle: true } } },
      { source: 'oci', apps: 4, helm: { releases: 3, source: 'helm-repository' } },
    ];
    for (const input of cases) {
      const p = plan(input);
      const estimate = estimateWorkload(p.options);
      const count = (kind: string) => estimate.objects.find((o) => o.kind === kind)?.count ?? 0;
      const rendered = objects(p);
      expect(count('OCIRepository'), JSON.stringify(input)).toBe(byKind(rendered, 'OCIRepository').length);
      expect(count('GitRepository')).toBe(0);
      expect(count('HelmRepository')).toBe(byKind(rendered, 'HelmRepository').length);
      // A HelmChart per release exactly when releases take the chart through a HelmRepository.
      expect(count('HelmChart')).toBe(byKind(rendered, 'HelmRepository').length > 0 ? p.helmReleases.length : 0);
      expect(count('HelmRelease')).toBe(p.helmReleases.length);
    }
  });
});

describe('generating an OCI workload', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the registry password out of root.yaml and workload.json, and adds the pull Secret in memory', async () => {
    const storageRoot = tempDir('oci-generate');
    dirs.push(storageRoot);
    const workload = await generateWorkload(
      { source: 'oci', apps: 3, teams: 1, flux: { auth: 'basic' }, helm: { releases: 1, source: 'oci-repository' } },
      { storageRoot, gitBaseUrl: gitBase, ociBaseUrl: ociBase },
    );
    expect(workload.oci?.artifacts.map((a) => a.repository)).toEqual(['fluxbench/fleet', 'fluxbench/apps/app-001', 'fluxbench/apps/app-002', 'fluxbench/apps/app-003']);
    expect(workload.oci?.chartPackage).toBe(join(storageRoot, 'oci-charts', 'fluxbench-app-0.1.0.tgz'));
    expect(readFileSync(workload.oci!.chartPackage!).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(workload.fluxObjects.filter((o) => o.kind === 'OCIRepository').map((o) => o.name)).toEqual(['fleet', 'app-001', 'app-002', 'app-003', 'fluxbench-app']);
    expect(workload.rootObjects.some((o) => o.kind === 'Secret')).toBe(false);

    const password = 'pull-password-0123456789abcdef';
    const withAuth = withRegistryAuth(workload, 'flux-system', { username: 'fluxbench', password });
    const secret = withAuth.rootObjects.find((o) => o.kind === 'Secret') as K8sObject & { type: string; stringData: Record<string, string> };
    expect(withAuth.rootObjects.map((o) => o.kind)).toEqual(['Namespace', 'Secret', 'OCIRepository', 'Kustomization']);
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.metadata).toEqual({ name: 'fluxbench-registry-auth', namespace: 'flux-system' });
    expect(JSON.parse(secret.stringData['.dockerconfigjson']!)).toEqual({
      auths: { '10.0.0.7:5123': { username: 'fluxbench', password, auth: Buffer.from(`fluxbench:${password}`).toString('base64') } },
    });
    expect(withAuth.rootYaml).toContain('kubernetes.io/dockerconfigjson');
    for (const file of ['root.yaml', 'workload.json']) expect(readFileSync(join(storageRoot, file), 'utf8')).not.toContain(password);
    // A workload whose OCIRepositories pull anonymously gets no Secret.
    const anonymous = { ...workload, rootObjects: workload.rootObjects.map((o) => (o.kind === 'OCIRepository' ? { ...o, spec: { ...spec(o), secretRef: undefined } } : o)) };
    expect(withRegistryAuth(anonymous, 'flux-system', { username: 'u', password })).toBe(anonymous);
  });

  it('for an HTTPS registry, the CA Secret is in root.yaml (a public certificate) and the plan says tls', async () => {
    const storageRoot = tempDir('oci-generate-tls');
    dirs.push(storageRoot);
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
    const workload = await generateWorkload({ source: 'oci', apps: 1, teams: 1 }, { storageRoot, gitBaseUrl: gitBase, ociBaseUrl: ociBase, registryCaPem: caPem });
    expect(workload.oci?.tls).toBe(true);
    expect(workload.rootObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/flux-system', 'Secret/fluxbench-registry-ca', 'OCIRepository/fleet', 'Kustomization/fleet']);
    expect(readFileSync(join(storageRoot, 'root.yaml'), 'utf8')).toContain('MIIBtest');
  });
});
