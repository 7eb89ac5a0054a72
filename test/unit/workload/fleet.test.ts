import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { fluxObjectRefs, renderClusterFiles, rootObjects } from '../../../src/workload/flux-objects.ts';
import { expectedOutcome } from '../../../src/workload/graph.ts';
import { initialTree } from '../../../src/workload/history.ts';
import { generateWorkload, parseGeneratorOptions, planWorkload, spokeKubeconfigSecrets, spokeNames, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { checkout, listFiles, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const base = 'http://127.0.0.1:1';
const docs = (text: string | undefined): any[] => parseAllDocuments(text ?? '').map((d) => d.toJS());
const plan = (input: GeneratorOptionsInput) => planWorkload(parseGeneratorOptions(input), base);
const kubeconfigs = (names: string[]) => Object.fromEntries(names.map((n) => [n, `apiVersion: v1\nkind: Config\ncurrent-context: ${n}\n`]));

describe('spokeNames', () => {
  it('names spokes spoke-01 .. spoke-NN, three digits only for the hundredth', () => {
    expect(spokeNames(3)).toEqual(['spoke-01', 'spoke-02', 'spoke-03']);
    expect(spokeNames(99).at(-1)).toBe('spoke-99');
    expect([spokeNames(100)[0], spokeNames(100).at(-1)]).toEqual(['spoke-001', 'spoke-100']);
    expect(() => spokeNames(101)).toThrow(/from 0 to 100/);
  });
});

describe('fleet mode: the hub manages spokes through spec.kubeConfig.secretRef', () => {
  // repo-per-team: every app's source is a team GitRepository; a chain gives dependsOn edges.
  const fleetPlan = plan({ apps: 4, teams: 2, layout: 'repo-per-team', graph: { shape: 'chain', depth: 2 }, flux: { targetNamespace: false, shards: 2 }, app: { replicas: 0 }, fleet: { spokes: 2 } });
  const files = renderClusterFiles(fleetPlan);

  it('lists one hub namespace per spoke, labelled with it, instead of the team namespaces', () => {
    expect(docs(files.get('namespaces.yaml'))).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'spoke-01', labels: { 'fluxbench.io/spoke': 'spoke-01' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'spoke-02', labels: { 'fluxbench.io/spoke': 'spoke-02' } } },
    ]);
    expect([...files.keys()].sort()).toEqual(['kustomization.yaml', 'kustomizations/spoke-01.yaml', 'kustomizations/spoke-02.yaml', 'namespaces.yaml', 'sources.yaml']);
    expect(parseYaml(files.get('kustomization.yaml')!).resources).toEqual(['kustomizations/spoke-01.yaml', 'kustomizations/spoke-02.yaml', 'namespaces.yaml', 'sources.yaml']);
    // The sources stay the hub's, in the Flux namespace.
    expect(docs(files.get('sources.yaml')).map((s) => `${s.kind}/${s.metadata.namespace}/${s.metadata.name}`)).toEqual(['GitRepository/flux-system/team-1', 'GitRepository/flux-system/team-2']);
  });

  it("gives each spoke an infrastructure Kustomization applying spokes/<spoke> of the fleet repo to the spoke", () => {
    const [infrastructure] = docs(files.get('kustomizations/spoke-02.yaml'));
    expect(infrastructure).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'infrastructure', namespace: 'spoke-02', labels: { 'fluxbench.io/spoke': 'spoke-02' } },
      spec: {
        interval: '15m',
        retryInterval: '1m',
        timeout: '3m',
        path: './spokes/spoke-02',
        sourceRef: { kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' },
        prune: true,
        wait: true,
        kubeConfig: { secretRef: { name: 'kubeconfig' } },
      },
    });
  });

  it("gives each spoke every app, in its namespace, depending on its infrastructure and on its own copies of the app's dependencies", () => {
    const [, ...apps] = docs(files.get('kustomizations/spoke-01.yaml'));
    expect(apps.map((k) => k.metadata.name)).toEqual(['app-001', 'app-002', 'app-003', 'app-004']);
    const app2 = apps[1];
    expect(app2.metadata).toEqual({ name: 'app-002', namespace: 'spoke-01', labels: { 'fluxbench.io/spoke': 'spoke-01', 'sharding.fluxcd.io/key': 'shard2' } });
    expect(app2.spec).toEqual({
      interval: '2m',
      retryInterval: '1m',
      timeout: '3m',
      path: './apps/app-002',
      sourceRef: { kind: 'GitRepository', name: 'team-2', namespace: 'flux-system' },
      prune: true,
      wait: false,
      // Always set in fleet mode (flux.targetNamespace false notwithstanding): the spoke has the team namespaces only.
      targetNamespace: 'team-2',
      dependsOn: [{ name: 'infrastructure' }, { name: 'app-001', namespace: 'spoke-01' }],
      kubeConfig: { secretRef: { name: 'kubeconfig' } },
    });
    expect(apps[0].spec.dependsOn).toEqual([{ name: 'infrastructure' }]);
    expect(docs(files.get('kustomizations/spoke-02.yaml'))[2].spec.dependsOn).toEqual([{ name: 'infrastructure' }, { name: 'app-001', namespace: 'spoke-02' }]);
  });

  it('takes the intervals from fleet.intervals', () => {
    const custom = renderClusterFiles(plan({ apps: 1, app: { replicas: 0 }, fleet: { spokes: 1, intervals: { infrastructure: '30m', apps: 90 } } }));
    expect(docs(custom.get('kustomizations/spoke-01.yaml')).map((k) => k.spec.interval)).toEqual(['30m', '90s']);
  });

  it('gives each spoke a copy of every HelmRelease, installing there with its Helm storage in the target namespace', () => {
    const helmPlan = plan({ apps: 1, teams: 2, app: { replicas: 0 }, fleet: { spokes: 2 }, helm: { releases: 2, values: 'app', failures: { invalidManifest: 1 } } });
    const helmFiles = renderClusterFiles(helmPlan);
    expect([...helmFiles.keys()].filter((f) => f.startsWith('helm'))).toEqual(['helmreleases/spoke-01.yaml', 'helmreleases/spoke-02.yaml']);
    expect(parseYaml(helmFiles.get('kustomization.yaml')!).resources).toContain('helmreleases/spoke-02.yaml');
    const [first, second] = docs(helmFiles.get('helmreleases/spoke-02.yaml'));
    expect(first.metadata).toEqual({ name: 'release-001', namespace: 'spoke-02', labels: { 'fluxbench.io/spoke': 'spoke-02' } });
    expect(first.spec).toMatchObject({
      interval: '2m',
      targetNamespace: 'team-1',
      // The chart source stays in the Flux namespace; Helm's storage is on the spoke, in a namespace it has.
      chart: { spec: { chart: 'fluxbench-app', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } },
      storageNamespace: 'team-1',
      install: { createNamespace: true },
      kubeConfig: { secretRef: { name: 'kubeconfig' } },
      values: { replicas: 0, name: 'release-001' },
    });
    expect(second.spec.values.failure).toEqual({ invalidManifest: true, hook: false });
    // The ground truth: each spoke's copy is a node of its own, the failing one a broken root per spoke.
    const releases = helmPlan.graph.nodes.filter((n) => n.kind === 'HelmRelease').map((n) => `${n.id} <- ${n.dependsOn.join(',')}`);
    expect(releases).toEqual(['HelmRelease/spoke-01/release-001 <- ', 'HelmRelease/spoke-01/release-002 <- ', 'HelmRelease/spoke-02/release-001 <- ', 'HelmRelease/spoke-02/release-002 <- ']);
    expect(helmPlan.graph.brokenRoots.map((b) => b.id)).toEqual(['HelmRelease/spoke-01/release-002', 'HelmRelease/spoke-02/release-002']);
    const refs = fluxObjectRefs(helmPlan).filter((r) => r.kind === 'HelmRelease');
    expect(refs.map((r) => `${r.id} ${r.spoke}`)).toEqual(['HelmRelease/spoke-01/release-001 spoke-01', 'HelmRelease/spoke-01/release-002 spoke-01', 'HelmRelease/spoke-02/release-001 spoke-02', 'HelmRelease/spoke-02/release-002 spoke-02']);
    // From charts/ in the fleet repo, the GitRepository is referenced across namespaces too.
    const fromGit = renderClusterFiles(plan({ apps: 1, app: { replicas: 0 }, fleet: { spokes: 1 }, helm: { releases: 1, values: 'app', source: 'git-repository' } }));
    expect(docs(fromGit.get('helmreleases/spoke-01.yaml'))[0].spec.chart.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' });
  });

  it("puts spokes/<spoke>/ in the fleet repo beside the hub's cluster directory, holding the team namespaces", () => {
    const fleetPaths = [...initialTree(fleetPlan, fleetPlan.fleet).keys()].sort();
    expect(fleetPaths).toEqual([
      'README.md',
      'clusters/dev/kustomization.yaml',
      'clusters/dev/kustomizations/spoke-01.yaml',
      'clusters/dev/kustomizations/spoke-02.yaml',
      'clusters/dev/namespaces.yaml',
      'clusters/dev/sources.yaml',
      'spokes/spoke-01/kustomization.yaml',
      'spokes/spoke-01/namespaces.yaml',
      'spokes/spoke-02/kustomization.yaml',
      'spokes/spoke-02/namespaces.yaml',
    ]);
    const tree = initialTree(fleetPlan, fleetPlan.fleet);
    expect(parseYaml(String(tree.get('spokes/spoke-01/kustomization.yaml'))).resources).toEqual(['namespaces.yaml']);
    // The same namespaces.yaml the hub gets without fleet.
    const single = plan({ apps: 4, teams: 2, layout: 'repo-per-team', app: { replicas: 0 } });
    expect(tree.get('spokes/spoke-02/namespaces.yaml')).toBe(renderClusterFiles(single).get('namespaces.yaml'));
    expect(docs(String(tree.get('spokes/spoke-02/namespaces.yaml'))).map((n) => n.metadata.name)).toEqual(['team-1', 'team-2']);
    // Team repos are as without fleet.
    const teamRepo = fleetPlan.repos.find((r) => r.name === 'team-1')!;
    expect([...initialTree(fleetPlan, teamRepo)]).toEqual([...initialTree(single, single.repos.find((r) => r.name === 'team-1')!)]);
  });

  it("creates each spoke's hub namespace as a root object and renders its kubeconfig Secret apart, from memory, refusing a spoke without one", () => {
    const roots = rootObjects(fleetPlan);
    expect(roots.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//flux-system',
      'Namespace//spoke-01',
      'Namespace//spoke-02',
      'GitRepository/flux-system/fleet',
      'Kustomization/flux-system/fleet',
    ]);
    // No credentials among the root objects: they end up in root.yaml and workload.json.
    expect(JSON.stringify(roots)).not.toContain('kind: Config');
    expect(() => spokeKubeconfigSecrets(['spoke-01', 'spoke-02'], kubeconfigs(['spoke-01']))).toThrow('fleet: no kubeconfig for spoke spoke-02');
    const secrets = spokeKubeconfigSecrets(['spoke-01', 'spoke-02'], kubeconfigs(['spoke-01', 'spoke-02']));
    expect(secrets.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//spoke-01',
      'Namespace//spoke-02',
      'Secret/spoke-01/kubeconfig',
      'Secret/spoke-02/kubeconfig',
    ]);
    expect(secrets[3]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'kubeconfig', namespace: 'spoke-02', labels: { 'fluxbench.io/spoke': 'spoke-02' } },
      type: 'Opaque',
      stringData: { value: 'apiVersion: v1\nkind: Config\ncurrent-context: spoke-02\n' },
    });
  });

  it('describes every per-spoke object with its real namespace and spoke for the measurements', () => {
    const refs = fluxObjectRefs(fleetPlan);
    const kustomizations = refs.filter((r) => r.kind === 'Kustomization');
    expect(kustomizations.map((r) => r.id)).toEqual([
      'Kustomization/flux-system/fleet',
      'Kustomization/spoke-01/infrastructure',
      ...['001', '002', '003', '004'].map((n) => `Kustomization/spoke-01/app-${n}`),
      'Kustomization/spoke-02/infrastructure',
      ...['001', '002', '003', '004'].map((n) => `Kustomization/spoke-02/app-${n}`),
    ]);
    expect(kustomizations[0]!.spoke).toBeUndefined();
    expect(refs.find((r) => r.id === 'Kustomization/spoke-02/infrastructure')).toMatchObject({ namespace: 'spoke-02', spoke: 'spoke-02', sourceRepo: 'fluxbench/fleet', path: './spokes/spoke-02' });
    expect(refs.find((r) => r.id === 'Kustomization/spoke-01/app-003')).toMatchObject({ namespace: 'spoke-01', spoke: 'spoke-01', sourceRepo: 'fluxbench/team-1', path: './apps/app-003' });
  });

  it('makes the ground truth per spoke: each fault once per spoke, every app after its infrastructure', () => {
    const faulty = plan({ apps: 6, app: { replicas: 0 }, fleet: { spokes: 2 }, graph: { faults: { missingDependency: 1, brokenRoots: 1, brokenChainLength: 1, selfDependency: 1 } } });
    const { graph } = faulty;
    expect(graph.nodes.map((n) => n.id).filter((id) => id.startsWith('Kustomization/flux-system/'))).toEqual(['Kustomization/flux-system/fleet']);
    expect(graph.nodes.find((n) => n.id === 'Kustomization/spoke-02/app-001')).toMatchObject({ namespace: 'spoke-02', dependsOn: ['Kustomization/spoke-02/infrastructure'] });
    expect(graph.cycles).toEqual([['Kustomization/spoke-01/app-003'], ['Kustomization/spoke-02/app-003']]);
    expect(graph.missing).toEqual(['Kustomization/spoke-01/missing-001', 'Kustomization/spoke-02/missing-001']);
    expect(graph.brokenRoots.map((b) => b.id)).toEqual(['Kustomization/spoke-01/app-005', 'Kustomization/spoke-02/app-005']);
    expect(graph.brokenRoots[1]!.reason).toMatch(/^on spoke spoke-02: PersistentVolumeClaim team-1\/app-005-data/);
    expect(graph.nodes.find((n) => n.id === 'Kustomization/spoke-01/app-006')!.dependsOn).toEqual(['Kustomization/spoke-01/infrastructure', 'Kustomization/spoke-01/app-005']);
    const outcome = expectedOutcome(graph);
    // Per spoke: the self-loop, the missing one's dependant, the broken root and its dependant.
    expect(outcome.stuck.map((s) => s.id).sort()).toEqual(
      ['app-003', 'app-004', 'app-005', 'app-006'].flatMap((a) => [`Kustomization/spoke-01/${a}`, `Kustomization/spoke-02/${a}`]).sort(),
    );
    // Every Kustomization of the graph is one the hub has.
    const refIds = new Set(fluxObjectRefs(faulty).map((r) => r.id));
    expect(graph.nodes.filter((n) => !refIds.has(n.id))).toEqual([]);
  });

  it('leaves a workload without fleet as it was: no spokes, team Kustomizations in the Flux namespace', () => {
    const single = plan({ apps: 4, teams: 2, graph: { shape: 'chain', depth: 2 } });
    expect(single.spokes).toBeUndefined();
    expect(single.options.fleet).toBeUndefined();
    const singleFiles = renderClusterFiles(single);
    expect([...singleFiles.keys()].sort()).toEqual(['kustomization.yaml', 'kustomizations/team-1.yaml', 'kustomizations/team-2.yaml', 'namespaces.yaml']);
    const text = [...singleFiles.values()].join('\n');
    expect(text).not.toContain('kubeConfig');
    expect(text).not.toContain('fluxbench.io/spoke');
    expect(docs(singleFiles.get('kustomizations/team-2.yaml'))[0].spec.dependsOn).toEqual([{ name: 'app-001', namespace: 'flux-system' }]);
    expect(fluxObjectRefs(single).every((r) => r.spoke === undefined && r.namespace === 'flux-system')).toBe(true);
  });
});

describe('fleet mode refusals in the generator options', () => {
  const refusal = (input: GeneratorOptionsInput): string => {
    try {
      parseGeneratorOptions(input);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the options to be refused');
  };

  it('refuses minimal Helm values, the Kustomization/HelmRelease cycle, OCI sources and a Flux namespace named like a spoke', () => {
    // minimal values pin 1 replica, which never becomes Available on a spoke.
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 2 }, helm: { releases: 3 } })).toBe(
      'workload.helm.values: minimal with fleet: its releases run 1 replica, which never becomes Available on a spoke (no nodes, no scheduler); set workload.helm.values: app (it follows workload.app.replicas: 0) (allowed: app)',
    );
    expect(parseGeneratorOptions({ app: { replicas: 0 }, fleet: { spokes: 2 }, helm: { releases: 3, values: 'app' } }).helm.releases).toBe(3);
    // Releases count toward the hub's bound with the apps.
    expect(refusal({ apps: 160, app: { replicas: 0 }, fleet: { spokes: 100 }, helm: { releases: 45, values: 'app' } })).toBe(
      "workload.helm.releases: 160 apps and 45 HelmReleases on each of the fleet's 100 spokes are 20500 Flux objects in the hub; at most 20000 in all",
    );
    // And the hub holds no more releases than a single cluster may.
    expect(refusal({ apps: 1, app: { replicas: 0 }, fleet: { spokes: 100 }, helm: { releases: 60, values: 'app' } })).toBe(
      "workload.helm.releases: 60 HelmReleases on each of the fleet's 100 spokes are 6000 HelmReleases and HelmCharts in the hub; at most 5000 in all",
    );
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 1 }, graph: { faults: { kustomizationHelmCycle: true } } })).toMatch(/^workload\.graph\.faults\.kustomizationHelmCycle: .*remove fleet$/);
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 1 }, source: 'oci', helm: { source: 'oci-repository' } })).toBe(
      "workload.source: oci is not rendered in fleet mode yet (fleet is set): the spokes' Kustomizations read the hub's GitRepositories (allowed: git)",
    );
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 3 }, flux: { namespace: 'spoke-03' } })).toMatch(/^workload\.flux\.namespace: "spoke-03" is the hub namespace of the fleet's spoke spoke-03/);
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 101 } })).toMatch(/workload\.fleet\.spokes: must be at most 100/);
    // The hub holds every app once per spoke, under the single cluster's bound.
    expect(refusal({ apps: 300, app: { replicas: 0 }, fleet: { spokes: 100 } })).toBe("workload.apps: 300 apps on each of the fleet's 100 spokes are 30000 Kustomizations in the hub; at most 20000 in all");
    expect(refusal({ app: { replicas: 0 }, fleet: { spokes: 1, intervals: { apps: '0s' } } })).toMatch(/workload\.fleet\.intervals\.apps: must be longer than 0s/);
  });
});

describe('generateWorkload in fleet mode', () => {
  it('writes spokes/<spoke>/ into the fleet repo, keeps the kubeconfigs out of the root objects and root.yaml, and names the spokes', async () => {
    const storageRoot = tempDir('fleet');
    dirs.push(storageRoot);
    const options: GeneratorOptionsInput = { apps: 2, teams: 2, app: { replicas: 0 }, fleet: { spokes: 2 } };
    const workload = await generateWorkload(options, { storageRoot, gitBaseUrl: base });
    expect(workload.spokes).toEqual(['spoke-01', 'spoke-02']);
    expect(workload.apps.map((a) => a.kustomization)).toEqual(['Kustomization/spoke-01/app-001', 'Kustomization/spoke-01/app-002']);
    expect(workload.rootObjects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(readFileSync(join(storageRoot, 'root.yaml'), 'utf8')).not.toContain('kind: Config');
    const co = checkout(workload.repos[0]!.path, join(storageRoot, 'co'));
    expect(listFiles(co).filter((f) => !f.startsWith('apps/'))).toEqual([
      'README.md',
      'clusters/dev/kustomization.yaml',
      'clusters/dev/kustomizations/spoke-01.yaml',
      'clusters/dev/kustomizations/spoke-02.yaml',
      'clusters/dev/namespaces.yaml',
      'spokes/spoke-01/kustomization.yaml',
      'spokes/spoke-01/namespaces.yaml',
      'spokes/spoke-02/kustomization.yaml',
      'spokes/spoke-02/namespaces.yaml',
    ]);
    const spoke = docs(readFileSync(join(co, 'clusters/dev/kustomizations/spoke-02.yaml'), 'utf8'));
    expect(spoke.map((k) => `${k.metadata.namespace}/${k.metadata.name}`)).toEqual(['spoke-02/infrastructure', 'spoke-02/app-001', 'spoke-02/app-002']);
    expect(spoke.every((k) => k.spec.kubeConfig.secretRef.name === 'kubeconfig')).toBe(true);
  });
});
