import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  fluxInstallSteps,
  fluxInstallYaml,
  podControllerTargets,
  readCrds,
  renderFluxInstall,
  renderFluxInstallManifests,
  type FluxControllersConfig,
  type KubeObject,
} from '../../../src/flux/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { fluxRelease295 } from '../../support/flux-release.ts';

const release = fluxRelease295;

const crd = (name: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
});
const crds = [crd('gitrepositories.source.toolkit.fluxcd.io'), crd('kustomizations.kustomize.toolkit.fluxcd.io')];

const full: FluxControllersConfig = {
  source: { concurrent: 4 },
  kustomize: { shards: 2, concurrent: 20, requeueDependency: '5s', featureGates: { StrictPostBuildSubstitutions: true }, memoryLimitBytes: 512 * 1024 * 1024 },
  helm: { enabled: true, args: ['--max-retry-delay=30s'] },
  notification: { enabled: true },
};

type Container = {
  name: string;
  image: string;
  args: string[];
  env: Array<{ name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }>;
  ports: Array<{ containerPort: number; name: string }>;
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { limits: { memory: string }; requests: { memory: string } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
};
function container(objects: KubeObject[], name: string): Container {
  const dep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!dep) throw new Error(`no Deployment ${name}`);
  return (dep as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers[0]!;
}
const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

describe('Flux install manifests', () => {
  const install = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: full }, crds);

  it('renders one Deployment and one metrics Service per controller instance', () => {
    const ids = ['source-controller', 'kustomize-controller', 'kustomize-controller-shard1', 'kustomize-controller-shard2', 'helm-controller', 'notification-controller'];
    expect(install.instances.map((i) => i.id)).toEqual(ids);
    expect(byKind(install.objects, 'Deployment')).toEqual(ids);
    expect(byKind(install.objects, 'Service')).toEqual(['source-controller', 'notification-controller', 'webhook-receiver', ...ids.map((id) => `${id}-metrics`)]);
    for (const o of install.objects) if (!['Namespace', 'ClusterRoleBinding', 'ClusterRole'].includes(o.kind)) expect(o.metadata.namespace).toBe('flux-system');
  });

  it("installs flux install's flux-edit and flux-view, aggregated into admin, so a tenant bound to admin may manage Flux objects", () => {
    const roles = install.objects.filter((o) => o.kind === 'ClusterRole') as Array<KubeObject & { rules: Array<{ apiGroups: string[]; verbs: string[] }> }>;
    expect(roles.map((r) => r.metadata.name)).toEqual(['flux-edit-flux-system', 'flux-view-flux-system']);
    for (const role of roles) {
      expect(role.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-admin']).toBe('true');
      expect(role.rules[0]!.apiGroups).toEqual(expect.arrayContaining(['kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io']));
    }
    expect(roles[0]!.rules[0]!.verbs).toContain('patch');
    expect(roles[1]!.rules[0]!.verbs).toEqual(['get', 'list', 'watch']);
    expect(roles[1]!.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
  });

  it('names images by repository, controller and the release version', () => {
    expect(container(install.objects, 'source-controller').image).toBe('ghcr.io/fluxcd/source-controller:v1.9.5');
    expect(container(install.objects, 'kustomize-controller-shard2').image).toBe('ghcr.io/fluxcd/kustomize-controller:v1.9.5');
    expect(container(install.objects, 'helm-controller').image).toBe('ghcr.io/fluxcd/helm-controller:v1.6.4');
    expect(container(install.objects, 'notification-controller').image).toBe('ghcr.io/fluxcd/notification-controller:v1.9.4');
    const mirrored = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: full, imageRepository: 'registry.local:5000/flux/' }, crds);
    expect(container(mirrored.objects, 'source-controller').image).toBe('registry.local:5000/flux/source-controller:v1.9.5');
  });

  it('gives the main kustomize instance the unsharded objects and each shard its key', () => {
    const selector = (id: string) => container(install.objects, id).args.filter((a) => a.startsWith('--watch-label-selector='));
    expect(selector('kustomize-controller')).toEqual(['--watch-label-selector=!sharding.fluxcd.io/key']);
    expect(selector('kustomize-controller-shard1')).toEqual(['--watch-label-selector=sharding.fluxcd.io/key in (shard1)']);
    expect(selector('kustomize-controller-shard2')).toEqual(['--watch-label-selector=sharding.fluxcd.io/key in (shard2)']);
    // The workload labels GitRepositories and HelmReleases with shard keys too; only kustomize-controller is sharded.
    expect(selector('source-controller')).toEqual([]);
    expect(selector('helm-controller')).toEqual([]);
    const unsharded = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: { ...full, kustomize: { shards: 0 } } }, crds);
    expect(container(unsharded.objects, 'kustomize-controller').args.some((a) => a.startsWith('--watch-label-selector'))).toBe(false);
  });

  it('passes the Flux deployment flags and the scenario settings', () => {
    const source = container(install.objects, 'source-controller');
    expect(source.args).toEqual(
      expect.arrayContaining([
        '--watch-all-namespaces=true',
        '--log-level=info',
        '--log-encoding=json',
        '--enable-leader-election',
        '--storage-path=/data',
        '--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.',
        '--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./',
        '--concurrent=4',
      ]),
    );
    expect(source.env).toContainEqual({ name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    expect(source.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    const kustomize = container(install.objects, 'kustomize-controller-shard1');
    expect(kustomize.args).toEqual(expect.arrayContaining(['--concurrent=20', '--requeue-dependency=5s', '--feature-gates=StrictPostBuildSubstitutions=true']));
    expect(kustomize.args.some((a) => a.startsWith('--storage'))).toBe(false);
    expect(container(install.objects, 'helm-controller').args).toContain('--max-retry-delay=30s');
    const noNotification = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: { ...full, notification: { enabled: false } } }, crds);
    expect(container(noNotification.objects, 'kustomize-controller').args).toContain('--events-addr=');
    expect(byKind(noNotification.objects, 'Service')).not.toContain('notification-controller');
    expect(byKind(noNotification.objects, 'Service')).not.toContain('webhook-receiver');
  });

  it('has notification-controller listen for events and webhooks instead of posting events to itself', () => {
    const notification = container(install.objects, 'notification-controller');
    expect(notification.args).toEqual(expect.arrayContaining(['--events-addr=:9090', '--receiverAddr=:9292']));
    expect(notification.args.filter((a) => a.startsWith('--events-addr'))).toEqual(['--events-addr=:9090']);
    const receiver = install.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'webhook-receiver') as unknown as {
      spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number; name: string }> };
    };
    expect(receiver.spec.selector).toEqual({ app: 'notification-controller' });
    expect(receiver.spec.ports).toEqual([{ name: 'http-webhook', port: 80, targetPort: 9292, protocol: 'TCP' }]);
  });

  it('exposes http, metrics and health ports, with probes on the health port', () => {
    const source = container(install.objects, 'source-controller');
    expect(source.ports.map((p) => [p.name, p.containerPort])).toEqual([['http', 9090], ['http-prom', 8080], ['healthz', 9440]]);
    const helm = container(install.objects, 'helm-controller');
    expect(helm.ports.map((p) => p.name)).toEqual(['http-prom', 'healthz']);
    expect(container(install.objects, 'notification-controller').ports.map((p) => [p.name, p.containerPort])).toEqual([['http', 9090], ['http-webhook', 9292], ['http-prom', 8080], ['healthz', 9440]]);
    expect(helm.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'healthz' });
    expect(helm.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'healthz' });
    const sourceService = install.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'source-controller') as unknown as {
      spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number }> };
    };
    expect(sourceService.spec.selector).toEqual({ app: 'source-controller' });
    expect(sourceService.spec.ports[0]).toMatchObject({ port: 80, targetPort: 9090 });
    const metrics = install.objects.find((o) => o.metadata.name === 'kustomize-controller-shard2-metrics') as unknown as {
      spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number }> };
    };
    expect(metrics.spec.selector).toEqual({ app: 'kustomize-controller-shard2' });
    expect(metrics.spec.ports[0]).toMatchObject({ port: 8080, targetPort: 8080 });
  });

  it('turns the memory limit into resources.limits.memory, pulling the request down under a tight limit', () => {
    expect(container(install.objects, 'kustomize-controller').resources.limits.memory).toBe(String(512 * 1024 * 1024));
    expect(container(install.objects, 'source-controller').resources.limits.memory).toBe('1Gi');
    const tight = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: { ...full, source: { memoryLimitBytes: 32 * 1024 * 1024 } } }, crds);
    expect(container(tight.objects, 'source-controller').resources).toMatchObject({
      limits: { memory: String(32 * 1024 * 1024) },
      requests: { memory: String(32 * 1024 * 1024) },
    });
    expect(() => renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: { ...full, source: { memoryLimitBytes: -5 } } }, crds)).toThrow(
      /controllers\.source-controller\.memoryLimitBytes -5/,
    );
  });

  it('binds every controller service account to cluster-admin', () => {
    expect(byKind(install.objects, 'ServiceAccount')).toEqual(['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller']);
    const binding = install.objects.find((o) => o.kind === 'ClusterRoleBinding') as unknown as {
      roleRef: { name: string };
      subjects: Array<{ name: string; namespace: string }>;
    };
    expect(binding.roleRef.name).toBe('cluster-admin');
    expect(binding.subjects.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      'flux-system/source-controller',
      'flux-system/kustomize-controller',
      'flux-system/helm-controller',
      'flux-system/notification-controller',
    ]);
    expect(install.objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'flux-system' } });
  });

  it('renders in another namespace and refuses one that is not a DNS label', () => {
    const other = renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: full, namespace: 'flux-bench' }, crds);
    expect(other.instances.every((i) => i.namespace === 'flux-bench')).toBe(true);
    expect(byKind(other.objects, 'ClusterRoleBinding')).toEqual(['fluxbench-flux-bench-controllers']);
    expect(() => renderFluxInstall({ fluxRelease: release, crdDir: '/unused', controllers: full, namespace: 'Flux_System' }, crds)).toThrow(UsageError);
  });

  it('writes valid multi-document YAML, CRDs first', () => {
    const docs = parseAllDocuments(fluxInstallYaml(install));
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const kinds = docs.map((d) => (d.toJS() as KubeObject).kind);
    expect(kinds.slice(0, 2)).toEqual(['CustomResourceDefinition', 'CustomResourceDefinition']);
    expect(kinds).toHaveLength(2 + install.objects.length);
    // $(RUNTIME_NAMESPACE) must reach the kubelet verbatim for it to expand it.
    expect(fluxInstallYaml(install)).toContain('source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.');
  });

  it('plans CRDs, a wait, the apply and one rollout wait per Deployment; a dry run stops after the server-side check', () => {
    const steps = fluxInstallSteps({ manifests: install, timeoutMs: 90_000 });
    expect(steps.map((s) => s.args[0])).toEqual(['apply', 'wait', 'apply', ...install.instances.map(() => '-n')]);
    expect(steps[0]!.args).toEqual(expect.arrayContaining(['--server-side', '-f', '-']));
    expect(steps[1]!.args).toEqual(['wait', '--for=condition=Established', '--timeout=90s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
    expect(steps[3]!.args).toEqual(['-n', 'flux-system', 'rollout', 'status', 'deployment/source-controller', '--timeout=90s']);
    const dry = fluxInstallSteps({ manifests: install, dryRun: 'server' });
    expect(dry).toHaveLength(3);
    expect(dry[2]!.args).toContain('--dry-run=server');
    expect(parseAllDocuments(dry[2]!.input!).map((d) => (d.toJS() as KubeObject).kind)).not.toContain('CustomResourceDefinition');
  });

  it('scrapes pod controllers through the service proxy', () => {
    const targets = podControllerTargets('http://127.0.0.1:4000', install.instances);
    expect(targets[0]).toEqual({ controller: 'source-controller', metricsUrl: 'http://127.0.0.1:4000/api/v1/namespaces/flux-system/services/source-controller-metrics:8080/proxy/metrics' });
    expect(targets[2]).toMatchObject({ controller: 'kustomize-controller', shard: 'shard1' });
    expect(targets.every((t) => t.pid === undefined)).toBe(true);
  });
});

describe('reading CRDs from the toolchain folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-crds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the CustomResourceDefinitions of every YAML file, in file order', async () => {
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: b.example.io}\n');
    writeFileSync(
      join(dir, 'a.yaml'),
      '---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.io}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
    );
    writeFileSync(join(dir, 'notes.txt'), 'not yaml: [');
    expect((await readCrds(dir)).map((c) => c.metadata.name)).toEqual(['a.example.io', 'b.example.io']);
    const rendered = await renderFluxInstallManifests({ fluxRelease: release, crdDir: dir, controllers: full });
    expect(rendered.crds).toHaveLength(2);
  });

  it('names the folder when it is missing or holds no CRD', async () => {
    await expect(readCrds(join(dir, 'nope'))).rejects.toThrow(/fb-crds-.*nope.*fluxbench setup/);
    const empty = mkdtempSync(join(tmpdir(), 'fb-crds-empty-'));
    try {
      await expect(readCrds(empty)).rejects.toThrow(/holds no CustomResourceDefinition/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
