/**
 * Kubernetes manifests of one unit directory (an app, a broken root, the fault helpers),
 * rendered as YAML text. Pure: the same unit and seed always give the same bytes.
 */
import { emitYaml } from './yaml-emit.ts';
import { chartName, chartVersion, shardLabel, type HelmReleasePlan, type UnitPlan, type WorkloadPlan } from './plan.ts';
import { seededText } from './random.ts';

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** One YAML document per object, joined with `---`, as kubectl and kustomize read them. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => emitYaml(o as Record<string, unknown>)).join('---\n');
}

export const churnFileName = 'churn.yaml';

/**
 * The per-app ConfigMap that history commits and churn bump: a new generation changes its
 * data, so kustomize-controller must re-apply the app.
 */
export function renderChurnConfigMap(app: string, generation: number, note: string, payload = ''): string {
  const data: Record<string, string> = { generation: String(generation), note };
  if (payload) data.payload = payload;
  return emitYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app}-churn`, labels: { 'app.kubernetes.io/name': app } }, data });
}

/** With `flux.postBuild` the team is left to kustomize-controller's substitution (`${TEAM}`, set on the unit's Kustomization). */
function labels(unit: UnitPlan, postBuild: boolean): Record<string, string> {
  return { 'app.kubernetes.io/name': unit.name, 'app.kubernetes.io/part-of': postBuild ? '${TEAM}' : unit.team, 'fluxbench.io/generated': 'true' };
}

/** Files of a unit directory at generation 0, keyed by file name inside the directory. */
export function renderUnitFiles(plan: WorkloadPlan, unit: UnitPlan): Map<string, string> {
  const files = new Map<string, string>();
  const { options } = plan;
  switch (unit.variant) {
    case 'khc-config':
      files.set('configmap.yaml', emitYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'khc-values' }, data: { 'values.yaml': 'replicas: 1\n' } }));
      break;
    case 'khc-release': {
      const hr = plan.helmReleases.find((h) => h.location === 'khc-release')!;
      files.set('helmrelease.yaml', toYaml([helmReleaseObject(plan, hr)]));
      break;
    }
    case 'app':
    case 'broken-root':
      setAppFiles(files, options, unit);
      break;
  }
  files.set('kustomization.yaml', kustomizeFile([...files.keys()].sort()));
  return files;
}

/** The app's files (Deployment, Service, ConfigMaps, optional ServiceAccount/HPA/Ingress, a broken root's PVC). */
function setAppFiles(files: Map<string, string>, options: WorkloadPlan['options'], unit: UnitPlan): void {
  const app = options.app;
  const meta = (name: string) => ({ name, labels: labels(unit, options.flux.postBuild) });
  files.set('deployment.yaml', emitYaml(deploymentObject(unit, app, meta(unit.name))));
  if (app.serviceAccount) files.set('serviceaccount.yaml', emitYaml({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(unit.name) }));
  files.set(
    'service.yaml',
    emitYaml(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(unit.name),
        spec: { selector: { 'app.kubernetes.io/name': unit.name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      }),
  );
  const configMap = (name: string, label: string) =>
    emitYaml(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name), data: { LOG_LEVEL: 'info', payload: seededText(options.seed, label, app.bytesPerManifest) } });
  if (app.configMaps) files.set('configmap.yaml', configMap(`${unit.name}-config`, `${unit.name}/config`));
  for (let k = 1; k <= app.manifests - 3; k++) {
    files.set(`configmap-extra-${k}.yaml`, configMap(`${unit.name}-extra-${k}`, `${unit.name}/extra-${k}`));
  }
  // Not churnable (app.configMaps false): no ConfigMap for commits to bump.
  if (unit.churnable) files.set(churnFileName, renderChurnConfigMap(unit.name, 0, 'initial'));
  if (app.hpa) {
    files.set(
      'hpa.yaml',
      emitYaml(
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: meta(unit.name),
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: unit.name },
            minReplicas: Math.max(1, app.replicas),
            maxReplicas: Math.max(1, app.replicas) * 3,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
          },
        }),
    );
  }
  if (app.ingress) {
    files.set(
      'ingress.yaml',
      emitYaml(
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: meta(unit.name),
          spec: {
            ...(app.ingressClassName !== undefined ? { ingressClassName: app.ingressClassName } : {}),
            rules: [
              {
                host: `${unit.name}.${unit.team}.fluxbench.local`,
                http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: unit.name, port: { name: 'http' } } } }] },
              },
            ],
          },
        }),
    );
  }
  if (unit.variant === 'broken-root') {
    files.set(
      'pvc.yaml',
      emitYaml(
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: meta(`${unit.name}-data`),
          spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        }),
    );
  }
}

function deploymentObject(
  unit: UnitPlan,
  app: Pick<WorkloadPlan['options']['app'], 'replicas' | 'serviceAccount' | 'configMaps'>,
  metadata: { name: string; labels: Record<string, string> },
): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': unit.name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': unit.name } },
        spec: {
          ...(app.serviceAccount ? { serviceAccountName: unit.name } : {}),
          containers: [
            {
              name: 'app',
              image: 'registry.local/app:1',
              ports: [{ containerPort: 8080, name: 'http' }],
              ...(app.configMaps ? { envFrom: [{ configMapRef: { name: `${unit.name}-config` } }] } : {}),
              resources: appContainerResources(),
            },
          ],
        },
      },
    },
  };
}

export function kustomizeFile(resources: readonly string[]): string {
  return emitYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] });
}

/** Metadata labels that put an object on a controller shard (none when unsharded). */
export function shardLabels(shard: string | undefined): { labels?: Record<string, string> } {
  return shard ? { labels: { [shardLabel]: shard } } : {};
}

/**
 * The app container's requests and limits, in the Kustomize app and (helm.values app) the chart's
 * Deployment alike; flux-benchmark's upgrade runs change the CPU request (its `MCPU`). A new
 * object each call: every Deployment and release gets its own.
 */
export function appContainerResources(): { requests: Record<string, string>; limits: Record<string, string> } {
  return { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };
}

/** The values a HelmRelease gives the chart (helm-chart.ts): `helm.values` minimal, or the app as `app` describes it. */
export function helmReleaseValues(options: WorkloadPlan['options'], hr: Pick<HelmReleasePlan, 'name' | 'failure'>): Record<string, unknown> {
  const failure = hr.failure ? { failure: { invalidManifest: hr.failure === 'invalid-manifest', hook: hr.failure === 'failing-hook' } } : {};
  if (options.helm.values === 'minimal') return { replicas: 1, name: hr.name, ...failure };
  const { app } = options;
  return {
    ...failure,
    replicas: app.replicas,
    name: hr.name,
    serviceAccount: { create: app.serviceAccount },
    service: { enabled: true },
    ingress: { enabled: app.ingress, ...(app.ingressClassName !== undefined ? { className: app.ingressClassName } : {}) },
    configMap: { enabled: app.configMaps },
    resources: appContainerResources(),
  };
}

/** spec.install/upgrade remediation and spec.maxHistory from helm.remediation; unset fields are left out. */
export function remediationSpec(remediation: WorkloadPlan['options']['helm']['remediation']): Record<string, unknown> {
  const { retries, strategy, remediateLastFailure, maxHistory } = remediation;
  const install = { ...(retries !== undefined ? { retries } : {}), ...(remediateLastFailure !== undefined ? { remediateLastFailure } : {}) };
  const upgrade = { ...install, ...(strategy !== undefined ? { strategy } : {}) };
  return {
    ...(Object.keys(install).length > 0 ? { install: { remediation: install } } : {}),
    ...(Object.keys(upgrade).length > 0 ? { upgrade: { remediation: upgrade } } : {}),
    ...(maxHistory !== undefined ? { maxHistory } : {}),
  };
}

/**
 * Where a HelmRelease goes when it installs on another cluster (fleet mode's per-spoke copy): its
 * hub namespace and labels, its interval, and the `spec.kubeConfig` naming the spoke's Secret.
 */
export interface RemoteReleasePlacement {
  namespace: string;
  labels: Record<string, string>;
  interval: string;
  kubeConfig: { secretRef: { name: string } };
}

/**
 * A HelmRelease's chart from the run's registry (undefined when it is not from there): the chart's
 * OCIRepository referenced as a whole (`chartRef`, no HelmChart object), or a HelmChart template
 * on the HelmRepository of `type: oci` with version `*`, as flux-benchmark's releases ask, so
 * source-controller lists the tags to resolve it.
 */
function ociChart(plan: WorkloadPlan, sourceNamespace: { namespace?: string }): Record<string, unknown> | undefined {
  const chart = plan.oci?.chart;
  if (!chart) return undefined;
  const { flux } = plan.options;
  if (chart.sourceKind === 'OCIRepository') return { chartRef: { kind: 'OCIRepository', name: chart.name, namespace: flux.namespace } };
  return { chart: { spec: { chart: chartName, version: '*', sourceRef: { kind: 'HelmRepository', name: chart.name, ...sourceNamespace }, interval: flux.sourceInterval } } };
}

/**
 * The HelmRelease of `hr`. With `remote`, the copy that installs through `spec.kubeConfig`: in
 * `remote.namespace` of the hub, its chart source referenced across namespaces (the sources stay
 * in the Flux namespace), Helm's storage in the target namespace on the remote cluster (the
 * default, the HelmRelease's own namespace, does not exist there), and that namespace created by
 * the install, since a HelmRelease cannot depend on the Kustomization that creates it.
 */
export function helmReleaseObject(plan: WorkloadPlan, hr: HelmReleasePlan, remote?: RemoteReleasePlacement): K8sObject {
  const { options } = plan;
  // Cross-namespace only for a remote copy: the single-cluster object keeps its output unchanged.
  const sourceNamespace = remote ? { namespace: options.flux.namespace } : {};
  const chartSpec =
    options.helm.source === 'git-repository'
      ? { chart: `./charts/${chartName}`, sourceRef: { kind: 'GitRepository', name: plan.fleet.gitRepositoryName, ...sourceNamespace }, interval: options.flux.sourceInterval }
      : { chart: chartName, version: chartVersion, sourceRef: { kind: 'HelmRepository', name: options.helm.pagesRepo, ...sourceNamespace }, interval: options.flux.sourceInterval };
  const chart = ociChart(plan, sourceNamespace) ?? { chart: { spec: chartSpec } };
  const remediation = remediationSpec(options.helm.remediation);
  const remoteSpec = remote
    ? { storageNamespace: hr.targetNamespace, install: { ...(remediation.install as object | undefined), createNamespace: true }, kubeConfig: remote.kubeConfig }
    : {};
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: remote ? { name: hr.name, namespace: remote.namespace, labels: remote.labels } : { name: hr.name, namespace: hr.namespace, ...shardLabels(hr.shard) },
    spec: {
      interval: remote?.interval ?? options.flux.interval,
      timeout: options.flux.timeout,
      targetNamespace: hr.targetNamespace,
      ...chart,
      ...(options.helm.driftDetection ? { driftDetection: { mode: options.helm.driftDetection } } : {}),
      ...remediation,
      ...remoteSpec,
      ...(options.flux.serviceAccountName !== undefined && !remote ? { serviceAccountName: options.flux.serviceAccountName } : {}),
      values: helmReleaseValues(options, hr),
      ...(hr.valuesFromConfigMap ? { valuesFrom: [{ kind: 'ConfigMap', name: hr.valuesFromConfigMap, valuesKey: 'values.yaml' }] } : {}),
    },
  };
}
