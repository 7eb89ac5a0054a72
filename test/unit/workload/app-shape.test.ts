import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensureToolchain } from '../../../src/toolchain/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { chartFiles } from '../../../src/workload/helm-chart.ts';
import { churnTarget, generateWorkload, parseGeneratorOptions, planWorkload, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { helmReleaseObject, renderUnitFiles } from '../../../src/workload/manifests.ts';
import { checkout, findKubectl, tempDir } from './helpers.ts';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, any> };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The first app's files and the objects they hold (kustomization.yaml apart). */
function firstApp(input: GeneratorOptionsInput): { files: Map<string, string>; objects: Obj[]; churnable: boolean } {
  const plan = planWorkload(parseGeneratorOptions(input), 'http://127.0.0.1:8080');
  const unit = plan.units[0]!;
  const files = renderUnitFiles(plan, unit);
  const objects = [...files]
    .filter(([name]) => name !== 'kustomization.yaml')
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS() as Obj));
  return { files, objects, churnable: unit.churnable };
}

const fluxBenchmarkApp = { replicas: 0, serviceAccount: true, ingress: true, ingressClassName: 'nginx', configMaps: false };
const containerOf = (deployment: Obj) => deployment.spec!.template.spec.containers[0];

describe("the app's shape (workload.app)", () => {
  it('keeps the default app: Deployment, Service, config and churn ConfigMaps, no ServiceAccount', () => {
    const { files, objects, churnable } = firstApp({ apps: 1 });
    expect([...files.keys()].sort()).toEqual(['churn.yaml', 'configmap.yaml', 'deployment.yaml', 'kustomization.yaml', 'service.yaml']);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.template.spec.serviceAccountName).toBeUndefined();
    expect(containerOf(deployment).envFrom).toEqual([{ configMapRef: { name: 'app-001-config' } }]);
    expect(churnable).toBe(true);
  });

  it("makes flux-benchmark's app exactly: a Deployment at zero replicas running as its ServiceAccount, a Service and an Ingress", () => {
    const { files, objects, churnable } = firstApp({ apps: 1, app: fluxBenchmarkApp });
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Ingress', 'Service', 'ServiceAccount']);
    const kustomization = parseAllDocuments(files.get('kustomization.yaml')!)[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources).toEqual(['deployment.yaml', 'ingress.yaml', 'service.yaml', 'serviceaccount.yaml']);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const account = objects.find((o) => o.kind === 'ServiceAccount')!;
    expect(deployment.spec!.replicas).toBe(0);
    expect(deployment.spec!.template.spec.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.name).toBe('app-001');
    // Nothing names a ConfigMap that is not there.
    expect(containerOf(deployment).envFrom).toBeUndefined();
    expect(churnable).toBe(false);
    expect(objects.find((o) => o.kind === 'Ingress')!.spec!.ingressClassName).toBe('nginx');
    // Without app.ingressClassName the field is left out (the cluster's default class, if any).
    const plain = firstApp({ apps: 1, app: { ...fluxBenchmarkApp, ingressClassName: undefined } }).objects.find((o) => o.kind === 'Ingress')!;
    expect(plain.spec!.ingressClassName).toBeUndefined();
    expect(() => parseGeneratorOptions({ app: { ingressClassName: 'Not A Name' } })).toThrow(/workload\.app\.ingressClassName/);
  });

  it('adds a ServiceAccount to the default app alone, leaving its ConfigMaps', () => {
    const { objects } = firstApp({ apps: 1, app: { serviceAccount: true } });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'Service', 'ServiceAccount']);
  });

  it('refuses extra ConfigMap manifests on an app without ConfigMaps, naming the field', () => {
    expect(() => parseGeneratorOptions({ app: { configMaps: false, manifests: 5 } })).toThrow(UsageError);
    expect(() => parseGeneratorOptions({ app: { configMaps: false, manifests: 5 } })).toThrow(/workload\.app\.manifests: 5 .*workload\.app\.configMaps is false/);
    expect(() => parseGeneratorOptions({ app: { serviceAccount: 'yes' } })).toThrow(/workload\.app\.serviceAccount/);
  });

  it('generates repos whose apps kustomize builds, with history that bumps no app and nothing to churn', async () => {
    const storageRoot = tempDir('app-shape');
    dirs.push(storageRoot);
    const workload = await generateWorkload({ apps: 3, teams: 1, app: fluxBenchmarkApp, history: { commits: 3 } }, { storageRoot, gitBaseUrl: 'http://127.0.0.1:1' });
    expect(workload.apps.every((a) => !a.churnable)).toBe(true);
    expect(churnTarget(workload, 'fluxbench/fleet').apps).toEqual([]);
    const co = checkout(workload.repos[0]!.path, join(storageRoot, 'co'));
    const kubectl = findKubectl();
    expect(kubectl, 'kubectl with kustomize is required').toBeDefined();
    const built = parseAllDocuments(execFileSync(kubectl!, ['kustomize', join(co, workload.apps[0]!.dir)], { encoding: 'utf8' })).map((d) => d.toJS() as Obj);
    expect(built.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/app-001', 'Ingress/app-001', 'Service/app-001', 'ServiceAccount/app-001']);
  });
});

describe('HelmReleases (workload.helm.values, driftDetection)', () => {
  const release = (helm: GeneratorOptionsInput['helm'], app?: GeneratorOptionsInput['app']) => {
    const plan = planWorkload(parseGeneratorOptions({ apps: 0, helm, ...(app ? { app } : {}) }), 'http://127.0.0.1:8080');
    return helmReleaseObject(plan, plan.helmReleases[0]!) as unknown as Obj;
  };

  it('keeps the minimal values and leaves driftDetection out by default', () => {
    const hr = release({ releases: 1 });
    expect(hr.spec!.values).toEqual({ replicas: 1, name: 'release-001' });
    expect(hr.spec!.driftDetection).toBeUndefined();
  });

  it('asks the chart for the app as workload.app describes it, and sets the drift detection mode', () => {
    const hr = release({ releases: 1, values: 'app', driftDetection: 'enabled' }, fluxBenchmarkApp);
    expect(hr.spec!.values).toEqual({
      replicas: 0,
      name: 'release-001',
      serviceAccount: { create: true },
      service: { enabled: true },
      ingress: { enabled: true, className: 'nginx' },
      configMap: { enabled: false },
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    });
    expect(hr.spec!.driftDetection).toEqual({ mode: 'enabled' });
  });

  it('makes the last releases fail as asked, tells the ground truth, and sets remediation as Flux spells it', () => {
    const options = parseGeneratorOptions({
      apps: 0,
      helm: { releases: 4, failures: { invalidManifest: 1, failingHook: 1 }, remediation: { retries: -1, strategy: 'rollback', remediateLastFailure: true, maxHistory: 0 } },
    });
    const plan = planWorkload(options, 'http://127.0.0.1:8080');
    expect(plan.helmReleases.map((h) => h.failure)).toEqual([undefined, undefined, 'invalid-manifest', 'failing-hook']);
    expect(plan.graph.brokenRoots.map((r) => r.id)).toEqual(['HelmRelease/flux-system/release-003', 'HelmRelease/flux-system/release-004']);
    const [healthy, , invalid, hook] = plan.helmReleases.map((h) => helmReleaseObject(plan, h) as unknown as Obj);
    expect(healthy!.spec!.values).toEqual({ replicas: 1, name: 'release-001' });
    expect(invalid!.spec!.values).toEqual({ replicas: 1, name: 'release-003', failure: { invalidManifest: true, hook: false } });
    expect(hook!.spec!.values.failure).toEqual({ invalidManifest: false, hook: true });
    expect(healthy!.spec!.install).toEqual({ remediation: { retries: -1, remediateLastFailure: true } });
    expect(healthy!.spec!.upgrade).toEqual({ remediation: { retries: -1, remediateLastFailure: true, strategy: 'rollback' } });
    expect(healthy!.spec!.maxHistory).toBe(0);
    expect(release({ releases: 1 }).spec!.install).toBeUndefined();
  });

  it('refuses more failing releases than releases, and remediation values out of range', () => {
    expect(() => parseGeneratorOptions({ helm: { releases: 1, failures: { invalidManifest: 1, failingHook: 1 } } })).toThrow(
      /workload\.helm\.failures: 2 failing releases \(invalidManifest \+ failingHook\) but workload\.helm\.releases is 1/,
    );
    expect(() => parseGeneratorOptions({ helm: { remediation: { strategy: 'retry' } } })).toThrow(/workload\.helm\.remediation\.strategy.*rollback, uninstall/);
    expect(() => parseGeneratorOptions({ helm: { remediation: { retries: -2 } } })).toThrow(/workload\.helm\.remediation\.retries/);
  });

  it('refuses unknown values shapes and drift detection modes with the allowed ones', () => {
    expect(() => parseGeneratorOptions({ helm: { values: 'full' } })).toThrow(/workload\.helm\.values.*minimal, app/);
    expect(() => parseGeneratorOptions({ helm: { driftDetection: 'on' } })).toThrow(/workload\.helm\.driftDetection.*disabled, warn, enabled/);
  });
});

describe('the chart, rendered by the real helm', () => {
  let helm: Promise<string> | undefined;
  const helmBinary = () =>
    (helm ??= ensureToolchain({ controllerBinaries: false }).then(({ binaries }) => {
      if (!binaries.helm) throw new Error('the toolchain has no helm');
      return binaries.helm;
    }));
  const chartDir = () => {
    const dir = tempDir('chart');
    dirs.push(dir);
    for (const [path, content] of chartFiles()) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  };
  /** `helm template` of the chart with the values the HelmRelease gives, as helm-controller installs it into team-1. */
  const render = async (helmOptions: GeneratorOptionsInput['helm'], app?: GeneratorOptionsInput['app']): Promise<Obj[]> => {
    const plan = planWorkload(parseGeneratorOptions({ apps: 0, helm: helmOptions, ...(app ? { app } : {}) }), 'http://127.0.0.1:8080');
    const hr = helmReleaseObject(plan, plan.helmReleases[0]!) as unknown as Obj;
    const dir = chartDir();
    writeFileSync(join(dir, 'release-values.json'), JSON.stringify(hr.spec!.values));
    const out = execFileSync(await helmBinary(), ['template', hr.metadata.name, dir, '--namespace', 'team-1', '-f', join(dir, 'release-values.json')], { encoding: 'utf8' });
    return parseAllDocuments(out)
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
  };

  it('renders a Deployment and a ConfigMap for the minimal values, as before', { timeout: 20 * 60_000 }, async () => {
    const objects = await render({ releases: 1 });
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment']);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec!.replicas).toBe(1);
    expect(deployment.spec!.template.spec.serviceAccountName).toBeUndefined();
    expect(containerOf(deployment).ports).toBeUndefined();
    expect(containerOf(deployment).resources).toBeUndefined();
  });

  it('renders the failure classes only for the releases that ask: a Service the API server refuses, a hook Job with a 1 s deadline', { timeout: 20 * 60_000 }, async () => {
    const invalid = await render({ releases: 1, failures: { invalidManifest: 1 } });
    const service = invalid.find((o) => o.kind === 'Service')!;
    expect(service.metadata.name).toBe('release-001-invalid');
    expect(service.spec!.ports[0].port).toBe(70000);
    // helm template leaves hooks in its output, annotated.
    const hooked = await render({ releases: 1, failures: { failingHook: 1 } });
    const job = hooked.find((o) => o.kind === 'Job') as Obj & { metadata: { annotations: Record<string, string> } };
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec!.activeDeadlineSeconds).toBe(1);
    expect(hooked.some((o) => o.kind === 'Service')).toBe(false);
  });

  it("renders flux-benchmark's app for the app values: zero replicas, its ServiceAccount, a Service on the container's port, an Ingress", { timeout: 20 * 60_000 }, async () => {
    const objects = await render({ releases: 1, values: 'app' }, fluxBenchmarkApp);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/release-001', 'Ingress/release-001', 'Service/release-001', 'ServiceAccount/release-001']);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec!.replicas).toBe(0);
    expect(deployment.spec!.template.spec.serviceAccountName).toBe('release-001');
    // The Kustomize app's requests and limits, which flux-benchmark's upgrade runs change.
    const kustomizeApp = firstApp({ apps: 1, app: fluxBenchmarkApp }).objects.find((o) => o.kind === 'Deployment')!;
    expect(containerOf(deployment).resources).toEqual(containerOf(kustomizeApp as unknown as Obj).resources);
    expect(containerOf(deployment).resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } });
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(containerOf(deployment).ports.map((p: { name: string }) => p.name)).toContain(service.spec!.ports[0].targetPort);
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    expect(ingress.spec!.rules[0].host).toBe('release-001.team-1.fluxbench.local');
    expect(ingress.spec!.rules[0].http.paths[0].backend.service.name).toBe(service.metadata.name);
    expect(ingress.spec!.ingressClassName).toBe('nginx');
    const plain = await render({ releases: 1, values: 'app' }, { ...fluxBenchmarkApp, ingressClassName: undefined });
    expect(plain.find((o) => o.kind === 'Ingress')!.spec!.ingressClassName).toBeUndefined();
  });
});
