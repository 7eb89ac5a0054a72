import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { FluxControllerName } from '../toolchain/index.ts';
import type { FluxRelease } from '../toolchain/flux-release.ts';
import { UsageError } from '../util/exit-codes.ts';
import { settingsArgs, type ControllerInstance, type ControllerSettings } from './controller-args.ts';
import { plannedInstances, type FluxControllersConfig } from './flux.ts';

/** A Kubernetes object as plain data, ready for YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** One controller Deployment of the install, and the Service its metrics are scraped through. */
export interface PodControllerInstance extends ControllerInstance {
  namespace: string;
  deployment: string;
  metricsService: string;
  image: string;
}

export interface FluxInstallOptions {
  fluxRelease: FluxRelease;
  /** Folder of CRD YAML files (the toolchain's crdDir). */
  crdDir: string;
  namespace?: string;
  /** Which controllers, their settings and the kustomize shards (as for the local provider). */
  controllers: FluxControllersConfig;
  imageRepository?: string;
}

export interface FluxInstall {
  namespace: string;
  /** CRDs first, then the rest, in the order they may be applied. */
  crds: KubeObject[];
  objects: KubeObject[];
  instances: PodControllerInstance[];
}

export const defaultFluxNamespace = 'flux-system';
export const defaultImageRepository = 'ghcr.io/fluxcd';

const ports = { http: 9090, metrics: 8080, health: 9440, webhook: 9292 } as const;
/** The Service in front of notification-controller's webhook receiver, as Flux names it. */
export const webhookReceiverService = 'webhook-receiver';
const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads every CustomResourceDefinition in a folder of YAML files, sorted by file name. */
export async function readCrds(crdDir: string): Promise<KubeObject[]> {
  const files = (await readdir(crdDir).catch(() => {
    throw new UsageError(`CRD folder ${crdDir} cannot be read; run \`fluxbench setup\` to build the toolchain`);
  }))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const out: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(crdDir, file), 'utf8'))) {
      if (doc.errors.length) throw new UsageError(`${join(crdDir, file)}: invalid YAML: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubeObject | null;
      if (obj?.kind === 'CustomResourceDefinition') out.push(obj);
    }
  }
  if (out.length === 0) throw new UsageError(`CRD folder ${crdDir} holds no CustomResourceDefinition`);
  return out;
}

/** The API groups of Flux's kinds, as flux2's manifests/rbac edit.yaml and view.yaml list them. */
const fluxApiGroups = [
  'notification.toolkit.fluxcd.io',
  'source.toolkit.fluxcd.io',
  'source.extensions.fluxcd.io',
  'helm.toolkit.fluxcd.io',
  'image.toolkit.fluxcd.io',
  'kustomize.toolkit.fluxcd.io',
];

/**
 * flux install's flux-edit and flux-view ClusterRoles (named with the namespace, as `flux install`
 * names its cluster-scoped RBAC): aggregated into the built-in admin, edit and view roles, so a
 * tenant bound to `admin` (workload.flux.serviceAccountName) may manage Flux objects in its
 * namespaces. The local provider applies the same two files from the flux2 module (toolchain.rbacDir).
 */
function fluxTenantRoles(namespace: string): KubeObject[] {
  const aggregate = (to: string[]) => Object.fromEntries(to.map((role) => [`rbac.authorization.k8s.io/aggregate-to-${role}`, 'true']));
  const role = (name: string, to: string[], verbs: string[]): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `${name}-${namespace}`, labels: { ...partOf(namespace), ...aggregate(to) } },
    rules: [{ apiGroups: fluxApiGroups, resources: ['*'], verbs }],
  });
  return [
    role('flux-edit', ['edit', 'admin'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    role('flux-view', ['view', 'edit', 'admin'], ['get', 'list', 'watch']),
  ];
}

/** The Flux install for pod-based providers (kind, k3s): CRDs, namespace, RBAC, Services and one Deployment per instance. */
export async function renderFluxInstallManifests(options: FluxInstallOptions): Promise<FluxInstall> {
  return renderFluxInstall(options, await readCrds(options.crdDir));
}

/** As renderFluxInstallManifests, with the CRDs given: pure. */
export function renderFluxInstall(options: FluxInstallOptions, crds: KubeObject[]): FluxInstall {
  const namespace = options.namespace ?? defaultFluxNamespace;
  if (!namespacePattern.test(namespace) || namespace.length > 63) {
    throw new UsageError(`namespace "${namespace}": must be a DNS label (lowercase letters, digits and '-', at most 63 characters)`);
  }
  const repo = (options.imageRepository ?? defaultImageRepository).replace(/\/+$/, '');
  const planned = plannedInstances(options.controllers);
  const allShards = planned.flatMap((i) => (i.shard ? [i.shard] : []));
  const notificationEnabled = planned.some((i) => i.controller === 'notification-controller');
  const controllerKinds = [...new Set(planned.map((i) => i.controller))];

  const instances: PodControllerInstance[] = planned.map((i) => ({
    controller: i.controller,
    id: i.id,
    ...(i.shard ? { shard: i.shard } : {}),
    namespace,
    deployment: i.id,
    metricsService: `${i.id}-metrics`,
    image: `${repo}/${i.controller}:${imageTag(options.fluxRelease, i.controller)}`,
  }));

  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: partOf(namespace) } },
    ...controllerKinds.map(
      (c): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: c, namespace, labels: partOf(namespace) } }),
    ),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      // Cluster-scoped: the namespace in the name keeps two installs on one cluster apart.
      metadata: { name: `fluxbench-${namespace}-controllers`, labels: partOf(namespace) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: controllerKinds.map((c) => ({ kind: 'ServiceAccount', name: c, namespace })),
    },
    ...fluxTenantRoles(namespace),
  ];
  if (controllerKinds.includes('source-controller')) {
    objects.push(service(namespace, 'source-controller', 'source-controller', ports.http, 'http'));
  }
  if (notificationEnabled) {
    objects.push(service(namespace, 'notification-controller', 'notification-controller', ports.http, 'http'));
    // Receivers' webhook paths are served here (port 80, as in Flux's own install).
    objects.push(service(namespace, webhookReceiverService, 'notification-controller', ports.webhook, 'http-webhook'));
  }
  for (const instance of instances) {
    objects.push(service(namespace, instance.metricsService, instance.deployment, ports.metrics, 'http-prom'));
  }
  for (const [index, instance] of instances.entries()) {
    objects.push(deployment(instance, planned[index]!.settings, allShards, notificationEnabled));
  }
  return { namespace, crds, objects, instances };
}

/** All objects as one multi-document YAML stream. */
export function fluxInstallYaml(install: Pick<FluxInstall, 'crds' | 'objects'>): string {
  return [...install.crds, ...install.objects].map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** The controller flags of a Deployment, as the published Flux deployments pass them. */
export function podControllerArgs(input: {
  instance: ControllerInstance;
  settings: ControllerSettings;
  allShards: string[];
  notificationEnabled: boolean;
}): string[] {
  const { instance, settings } = input;
  const isNotification = instance.controller === 'notification-controller';
  const args = [
    // notification-controller's --events-addr is where it listens for events; the others post
    // there. Without a notification-controller nothing listens: an empty address disables posting.
    isNotification
      ? `--events-addr=:${ports.http}`
      : input.notificationEnabled
        ? '--events-addr=http://notification-controller.$(RUNTIME_NAMESPACE).svc.cluster.local./'
        : '--events-addr=',
    ...(isNotification ? [`--receiverAddr=:${ports.webhook}`] : []),
    '--watch-all-namespaces=true',
    '--log-level=info',
    '--log-encoding=json',
    '--enable-leader-election',
    `--metrics-addr=:${ports.metrics}`,
    `--health-addr=:${ports.health}`,
  ];
  if (instance.controller === 'source-controller') {
    args.push('--storage-path=/data', '--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.');
  }
  args.push(...settingsArgs(instance, settings, input.allShards));
  return args;
}

function imageTag(release: FluxRelease, controller: FluxControllerName): string {
  const version = release.controllers[controller]?.release;
  if (!version) throw new UsageError(`Flux ${release.flux} names no version for ${controller}`);
  // Images are tagged like the release (v1.9.5), whatever patch the toolchain fell back to for building.
  return version.startsWith('v') ? version : `v${version}`;
}

function partOf(namespace: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'flux', 'app.kubernetes.io/instance': namespace, 'app.kubernetes.io/managed-by': 'fluxbench' };
}

function service(namespace: string, name: string, app: string, targetPort: number, portName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { ...partOf(namespace), app } },
    spec: {
      type: 'ClusterIP',
      selector: { app },
      ports: [{ name: portName, port: portName === 'http' || portName === 'http-webhook' ? 80 : targetPort, targetPort, protocol: 'TCP' }],
    },
  };
}

/** CPU the install gives each controller's container, millicores; a CPU fault on a pod restores these when it ends. */
export const defaultCpuMillicores = { request: 50, limit: 1000 };
const defaultRequests = { cpu: `${defaultCpuMillicores.request}m`, memoryBytes: 64 * 1024 * 1024 };

function deployment(
  instance: PodControllerInstance,
  settings: ControllerSettings,
  allShards: string[],
  notificationEnabled: boolean,
): KubeObject {
  const isSource = instance.controller === 'source-controller';
  const limit = settings.memoryLimitBytes;
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new UsageError(`controllers.${instance.controller}.memoryLimitBytes ${limit}: must be a positive whole number of bytes`);
  }
  // A request above the limit is rejected by the API server; a tight limit pulls the request down with it.
  const requestBytes = limit !== undefined ? Math.min(limit, defaultRequests.memoryBytes) : defaultRequests.memoryBytes;
  const containerPorts = [
    // source-controller serves artifacts, notification-controller receives events, on http.
    ...(isSource || instance.controller === 'notification-controller' ? [{ containerPort: ports.http, name: 'http', protocol: 'TCP' }] : []),
    ...(instance.controller === 'notification-controller' ? [{ containerPort: ports.webhook, name: 'http-webhook', protocol: 'TCP' }] : []),
    { containerPort: ports.metrics, name: 'http-prom', protocol: 'TCP' },
    { containerPort: ports.health, name: 'healthz', protocol: 'TCP' },
  ];
  // tmpfs: Flux's in-memory builds, the temp volume in RAM (its files count against the memory limit).
  const volumes = [...(isSource ? [{ name: 'data', emptyDir: {} }] : []), { name: 'temp', emptyDir: settings.tmpfs ? { medium: 'Memory' } : {} }];
  const labels = { ...partOf(instance.namespace), app: instance.deployment, 'app.kubernetes.io/component': instance.controller };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: instance.deployment, namespace: instance.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: instance.deployment } },
      // Two replicas of a storage-owning controller must never overlap.
      strategy: { type: 'Recreate' },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ports.metrics) },
        },
        spec: {
          serviceAccountName: instance.controller,
          terminationGracePeriodSeconds: 10,
          securityContext: { fsGroup: 1337 },
          containers: [
            {
              name: 'manager',
              image: instance.image,
              imagePullPolicy: 'IfNotPresent',
              args: podControllerArgs({ instance, settings, allShards, notificationEnabled }),
              env: [
                { name: 'RUNTIME_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                ...(isSource ? [{ name: 'TUF_ROOT', value: '/tmp/.sigstore' }] : []),
                // As Flux's install: the Go runtime's soft limit at the container's memory limit.
                { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { containerName: 'manager', resource: 'limits.memory' } } },
              ],
              ports: containerPorts,
              readinessProbe: { httpGet: { path: '/readyz', port: 'healthz' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'healthz' } },
              resources: {
                requests: { cpu: defaultRequests.cpu, memory: String(requestBytes) },
                limits: { cpu: `${defaultCpuMillicores.limit}m`, memory: limit !== undefined ? String(limit) : '1Gi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [...(isSource ? [{ name: 'data', mountPath: '/data' }] : []), { name: 'temp', mountPath: '/tmp' }],
            },
          ],
          volumes,
        },
      },
    },
  };
}
