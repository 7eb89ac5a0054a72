import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { startKubectlProxy, type KubectlProxy } from '../cluster/kubectl-proxy.ts';
import type { StartedCluster } from '../cluster/types.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { Toolchain } from '../toolchain/index.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import type { ControllerProcess, FluxControllersConfig, RunningController, StartedFlux } from './flux.ts';
import { defaultCpuMillicores, fluxInstallYaml, renderFluxInstallManifests, webhookReceiverService, type PodControllerInstance } from './manifests.ts';
import { installFluxFromManifests, podControllerTargets } from './pod-controllers.ts';
import { watchControllerPods, type PodWatch } from './pod-watch.ts';

/** The memory request the install gives every controller; a tighter limit pulls it down with it. */
const defaultRequestBytes = 64 * 1024 * 1024;

/** kubectl arguments of the pod faults: pure, so tests can read them. */
export function podKillArgs(instance: Pick<PodControllerInstance, 'namespace' | 'deployment'>, signal: NodeJS.Signals = 'SIGKILL'): string[] {
  // SIGKILL: no grace period, as a kill -9 of the container would be; otherwise the pod's own grace period.
  return ['-n', instance.namespace, 'delete', 'pod', '-l', `app=${instance.deployment}`, '--wait=false', ...(signal === 'SIGKILL' ? ['--grace-period=0', '--force'] : [])];
}

export function podMemoryLimitArgs(instance: Pick<PodControllerInstance, 'namespace' | 'deployment'>, bytes: number): string[] {
  if (!Number.isInteger(bytes) || bytes <= 0) throw new FluxbenchError(`memory limit ${bytes}: must be a positive whole number of bytes`);
  return [
    '-n',
    instance.namespace,
    'set',
    'resources',
    `deployment/${instance.deployment}`,
    '-c',
    'manager',
    `--limits=memory=${bytes}`,
    `--requests=memory=${Math.min(bytes, defaultRequestBytes)}`,
  ];
}

/**
 * kubectl arguments of a CPU limit on the controller's container: `cores` as millicores (at
 * least 1m), the request pulled down with a tighter limit (the API server refuses a request
 * above the limit); undefined restores the install's limit and request.
 */
export function podCpuLimitArgs(instance: Pick<PodControllerInstance, 'namespace' | 'deployment'>, cores: number | undefined): string[] {
  if (cores !== undefined && (!Number.isFinite(cores) || cores <= 0)) throw new FluxbenchError(`CPU limit ${cores}: must be a positive number of cores`);
  const limit = cores === undefined ? defaultCpuMillicores.limit : Math.max(1, Math.round(cores * 1000));
  const request = Math.min(limit, defaultCpuMillicores.request);
  return ['-n', instance.namespace, 'set', 'resources', `deployment/${instance.deployment}`, '-c', 'manager', `--limits=cpu=${limit}m`, `--requests=cpu=${request}m`];
}

/** A controller running as a pod: faults go through the API server, its Deployment restarts it. */
export class PodControllerProcess implements ControllerProcess {
  readonly pid = undefined;

  constructor(
    private readonly instance: PodControllerInstance,
    private readonly kubectl: (args: string[]) => Promise<void>,
    private readonly watch: PodWatch,
    private readonly sink: SampleSink,
    private readonly labels: Record<string, string>,
  ) {}

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.watch.expect(this.instance.deployment, 'kill');
    await this.kubectl(podKillArgs(this.instance, signal));
  }

  /** A new limit is a new pod template: the Deployment replaces the pod, which the watch records. */
  async setMemoryLimit(bytes: number): Promise<void> {
    this.watch.expect(this.instance.deployment, 'memory_limit');
    await this.kubectl(podMemoryLimitArgs(this.instance, bytes));
    this.sink.write({ ts: Date.now(), kind: 'process', name: 'memory_limit', value: bytes, labels: this.labels, detail: { limitBytes: bytes, deployment: this.instance.deployment } });
  }

  /** Like the memory limit, a new CPU limit is a new pod template: the Deployment replaces the pod. */
  async setCpuLimit(cores: number | undefined): Promise<void> {
    this.watch.expect(this.instance.deployment, 'cpu_limit');
    await this.kubectl(podCpuLimitArgs(this.instance, cores));
    this.sink.write({
      ts: Date.now(),
      kind: 'process',
      name: 'cpu_limit',
      ...(cores !== undefined ? { value: cores } : {}),
      labels: this.labels,
      detail: { cores: cores ?? null, deployment: this.instance.deployment },
    });
  }
}

export interface StartPodFluxOptions {
  toolchain: Pick<Toolchain, 'flux' | 'crdDir' | 'binaries'>;
  cluster: StartedCluster;
  controllers: FluxControllersConfig;
  runDir: string;
  sink: SampleSink;
  /** Registry/path of the controller images (default ghcr.io/fluxcd). */
  imageRepository?: string;
  /** Bound for the CRDs and each controller Deployment. */
  timeoutMs?: number;
  /** How often the controller pods are polled for restarts. */
  watchIntervalMs?: number;
}

/**
 * The real Flux controllers as pods (kind, k3s): installed from the rendered manifests, metrics
 * and webhooks reached through a loopback `kubectl proxy`, restarts and OOM kills read from the
 * pods' status.
 */
export async function startPodFlux(options: StartPodFluxOptions): Promise<StartedFlux<PodControllerProcess> & { proxy: KubectlProxy }> {
  const kubectlBinary = options.toolchain.binaries.kubectl;
  if (!kubectlBinary) throw new FluxbenchError('the toolchain has no kubectl');
  const manifests = await renderFluxInstallManifests({
    fluxRelease: options.toolchain.flux,
    crdDir: options.toolchain.crdDir,
    controllers: options.controllers,
    ...(options.imageRepository ? { imageRepository: options.imageRepository } : {}),
  });
  // Kept with the run: what was installed, for anyone reproducing it by hand.
  await writeFile(join(options.runDir, 'flux-install.yaml'), fluxInstallYaml(manifests));
  await installFluxFromManifests({
    kubectl: kubectlBinary,
    kubeconfigPath: options.cluster.kubeconfigPath,
    manifests,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const proxy = await startKubectlProxy(kubectlBinary, options.cluster.kubeconfigPath);
  const labelsOf = (i: PodControllerInstance) => ({ controller: i.controller, ...(i.shard ? { shard: i.shard } : {}) });
  const watch = watchControllerPods({
    kubectl: kubectlBinary,
    kubeconfigPath: options.cluster.kubeconfigPath,
    namespace: manifests.namespace,
    targets: manifests.instances.map((i) => ({ deployment: i.deployment, labels: labelsOf(i) })),
    sink: options.sink,
    ...(options.watchIntervalMs !== undefined ? { intervalMs: options.watchIntervalMs } : {}),
  });
  await watch.poll();
  const kubectl = async (args: string[]): Promise<void> => {
    const result = await execa(kubectlBinary, args, { env: { ...process.env, KUBECONFIG: options.cluster.kubeconfigPath }, reject: false, all: true, timeout: 60_000 });
    if (result.exitCode !== 0) throw new FluxbenchError(`kubectl ${args.join(' ')} failed: ${(result.all ?? '').trim()}`);
  };
  const targets = podControllerTargets(proxy.url, manifests.instances);
  const controllers: Array<RunningController<PodControllerProcess>> = manifests.instances.map((instance, index) => ({
    controller: instance.controller,
    id: instance.id,
    ...(instance.shard ? { shard: instance.shard } : {}),
    metricsUrl: targets[index]!.metricsUrl,
    process: new PodControllerProcess(instance, kubectl, watch, options.sink, labelsOf(instance)),
  }));
  const notification = manifests.instances.some((i) => i.controller === 'notification-controller');
  let stopped = false;
  return {
    namespace: manifests.namespace,
    storageUrl: `http://source-controller.${manifests.namespace}.svc.cluster.local.`,
    // The harness posts webhooks on loopback; the API server's service proxy carries them (and their signature headers) to the pod.
    ...(notification ? { receiverUrl: `${proxy.url}/api/v1/namespaces/${manifests.namespace}/services/${webhookReceiverService}:80/proxy` } : {}),
    controllers,
    find: (nameOrId) => controllers.filter((c) => c.id === nameOrId || c.controller === nameOrId),
    proxy,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await watch.stop();
      await proxy.stop();
    },
  };
}
