import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedCluster } from '../cluster/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { FluxControllerName, Toolchain } from '../toolchain/index.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import { freePort } from '../util/ports.ts';
import { controllerArgs, controllerEnv, type ControllerInstance, type ControllerSettings } from './controller-args.ts';
import { defaultRamRoot, makeRamTempDir, ramTempRunDir, removeRamTempDirs } from './ram-temp-dir.ts';
import { applyCrds } from './crds.ts';
import { prepareControllerIdentities } from './identity.ts';
import { SupervisedProcess, type BackoffPolicy } from './supervisor.ts';
import { startThrottleProxy, type StartedThrottleProxy } from './throttle-proxy.ts';

export interface FluxControllersConfig {
  source: ControllerSettings;
  kustomize: ControllerSettings & { shards: number };
  helm: ControllerSettings & { enabled: boolean };
  notification: ControllerSettings & { enabled: boolean };
}

export const defaultFluxControllers: FluxControllersConfig = {
  source: {},
  kustomize: { shards: 0 },
  helm: { enabled: false },
  notification: { enabled: false },
};

/**
 * What faults and measurements may do to a running controller instance, whether it is a host
 * process (local provider) or a pod (kind, k3s).
 */
export interface ControllerProcess {
  /** Host pid while running; undefined for pods (no /proc sampling) and while restarting. */
  readonly pid: number | undefined;
  /** The memory cgroup holding it, when the harness created one. */
  readonly cgroupPath?: string | undefined;
  /** Fault injection: stop it abruptly; whoever supervises it (the harness, a Deployment) starts it again. */
  kill(signal?: NodeJS.Signals): void | Promise<void>;
  /** Fault injection: set (or tighten) its memory limit; past it the kernel OOM-kills it. */
  setMemoryLimit(bytes: number): Promise<void>;
  /**
   * Fault injection: cap its CPU at `cores` CPUs (0.5 = half of one), throttled by the kernel
   * above it; undefined lifts the cap (host processes) or restores the install's limit (pods).
   */
  setCpuLimit(cores: number | undefined): Promise<void>;
}

export interface RunningController<P extends ControllerProcess = ControllerProcess> extends ControllerInstance {
  metricsUrl: string;
  /** Base URL of /readyz and /healthz where the harness reaches them directly (host processes). */
  healthUrl?: string;
  process: P;
}

export interface StartedFlux<P extends ControllerProcess = ControllerProcess> {
  namespace: string;
  /** source-controller's artifact server, as advertised in artifact URLs (the proxy's address when `artifactProxy` runs). */
  storageUrl: string;
  /** The proxy artifact downloads go through, started only for a timeline that slows them (artifact.slow; host-process Flux only). */
  artifactProxy?: StartedThrottleProxy;
  /** notification-controller's webhook receiver server (Receiver webhook paths hang off it), when it runs. */
  receiverUrl?: string;
  controllers: Array<RunningController<P>>;
  /** Instances of one controller (all shards), or the one with this id. */
  find(nameOrId: string): Array<RunningController<P>>;
  stop(): Promise<void>;
}

export interface StartFluxOptions {
  toolchain: Toolchain;
  cluster: StartedCluster;
  runDir: string;
  runId: string;
  sink: SampleSink;
  controllers?: FluxControllersConfig;
  backoff?: BackoffPolicy;
  onPid?: (pid: number, id: string) => void;
  /** Called with every cgroup folder made for a controller (at start or by a later limit), so a killed run's are removed. */
  onCgroup?: (path: string, id: string) => void;
  /** Called with the run's folder of RAM-backed temp dirs (`tmpfs: true`) before it is made, so a killed run's is removed. */
  onTempDir?: (path: string) => void;
  /** Where RAM-backed temp dirs go (default /dev/shm). */
  ramRoot?: string;
  /** How long each controller may take to report ready. */
  readyTimeoutMs?: number;
  /**
   * Serve artifacts through a proxy the timeline can slow (artifact.slow). Off by default: every
   * artifact byte would otherwise pass through the runner (500 Kustomizations of an 8 MiB
   * monorepo are 4 GiB), which costs its CPU and adds a hop production does not have.
   */
  artifactProxy?: boolean;
}

/** The controller instances a configuration asks for; shards are `shard1..N` beside the main instance. */
export function plannedInstances(config: FluxControllersConfig): Array<ControllerInstance & { settings: ControllerSettings }> {
  const out: Array<ControllerInstance & { settings: ControllerSettings }> = [
    { controller: 'source-controller', id: 'source-controller', settings: config.source },
    { controller: 'kustomize-controller', id: 'kustomize-controller', settings: config.kustomize },
  ];
  for (let i = 1; i <= config.kustomize.shards; i++) {
    out.push({ controller: 'kustomize-controller', shard: `shard${i}`, id: `kustomize-controller-shard${i}`, settings: config.kustomize });
  }
  if (config.helm.enabled) out.push({ controller: 'helm-controller', id: 'helm-controller', settings: config.helm });
  if (config.notification.enabled) {
    out.push({ controller: 'notification-controller', id: 'notification-controller', settings: config.notification });
  }
  return out;
}

/** Exits during start-up after which a controller counts as crash-looping rather than unlucky. */
const crashLoopExits = 3;

async function waitReady(controller: RunningController<SupervisedProcess> & { healthUrl: string }, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A controller that dies at start (say, an informer that timed out on a busy API server) is
    // restarted by its supervisor: keep waiting, unless it is crash-looping.
    if (controller.process.exits.length >= crashLoopExits && controller.process.pid === undefined) break;
    try {
      const res = await fetch(`${controller.healthUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  const exits = controller.process.exits.length;
  throw new FluxbenchError(
    `${controller.id} ${exits >= crashLoopExits ? `exited ${exits} times while starting` : `did not become ready within ${timeoutMs / 1000}s`}; last log lines (${logFile}):\n${log.trimEnd().split('\n').slice(-15).join('\n')}`,
  );
}

/**
 * Each controller as its ServiceAccount, as in production: APF and RBAC see Flux, not an admin.
 * The kubeconfigs hold tokens: in a temp folder outside the run folder (which becomes the
 * report), removed by `removeIdentities` (and at once when preparing them fails).
 */
async function controllerIdentities(
  options: StartFluxOptions,
  kubectl: string,
  instances: readonly ControllerInstance[],
): Promise<{ kubeconfigs: Map<FluxControllerName, string>; removeIdentities: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `fluxbench-identities-${options.runId}-`));
  // Registered like the RAM temp dirs: after a SIGKILL the reaper removes it with the cluster.
  options.onTempDir?.(dir);
  const removeIdentities = () => rm(dir, { recursive: true, force: true });
  try {
    const kubeconfigs = await prepareControllerIdentities({
      kubectl,
      kubeconfigPath: options.cluster.kubeconfigPath,
      adminKubeconfig: await readFile(options.cluster.kubeconfigPath, 'utf8'),
      rbacDir: options.toolchain.rbacDir,
      controllers: instances.map((i) => i.controller),
      namespace: 'flux-system',
      dir,
    });
    return { kubeconfigs, removeIdentities };
  } catch (err) {
    await removeIdentities();
    throw err;
  }
}

/**
 * The real Flux controllers as supervised host processes against the cluster: CRDs applied
 * from the controllers' own modules, each controller on its own free ports. A controller with
 * `tmpfs` gets TMPDIR in `<ramRoot>/fluxbench-<runId>/<id>`, removed by stop(); one with a
 * memory limit gets GOMEMLIMIT at that limit. Each controller runs as its ServiceAccount in
 * flux-system with flux2's RBAC (identity.ts): its kubeconfig, holding a token, is in a 0700
 * temp folder outside the run folder, removed by stop().
 */
export async function startFlux(options: StartFluxOptions): Promise<StartedFlux<SupervisedProcess>> {
  const config = options.controllers ?? defaultFluxControllers;
  const kubectl = options.toolchain.binaries.kubectl;
  if (!kubectl) throw new FluxbenchError('the toolchain has no kubectl');
  await applyCrds(kubectl, options.cluster.kubeconfigPath, options.toolchain.crdDir);

  const instances = plannedInstances(config);
  const { kubeconfigs, removeIdentities } = await controllerIdentities(options, kubectl, instances);
  const notificationPorts = config.notification.enabled ? { events: await freePort(), receiver: await freePort() } : undefined;
  const eventsUrl = notificationPorts ? `http://127.0.0.1:${notificationPorts.events}` : undefined;
  const allShards = instances.flatMap((i) => (i.shard ? [i.shard] : []));
  const storagePort = await freePort();
  // With the proxy, artifact URLs advertise it, not the server: downloads can then be slowed at will.
  const artifactProxy = options.artifactProxy ? await startThrottleProxy({ host: '127.0.0.1', port: storagePort }) : undefined;
  const artifactPort = artifactProxy?.port ?? storagePort;
  // source-controller refuses a storage path that does not exist yet.
  await mkdir(join(options.runDir, 'source-storage'), { recursive: true });
  const running: Array<RunningController<SupervisedProcess> & { healthUrl: string }> = [];
  const ramRoot = options.ramRoot ?? defaultRamRoot;
  if (instances.some((i) => i.settings.tmpfs)) options.onTempDir?.(ramTempRunDir(options.runId, ramRoot));
  const stopAll = async (): Promise<void> => {
    await Promise.all(running.map((c) => c.process.stop()));
    await artifactProxy?.stop();
    // Files in a RAM-backed folder hold memory until they are removed.
    await removeRamTempDirs(options.runId, ramRoot);
    await removeIdentities();
  };
  try {
    for (const instance of instances) {
      const binary = options.toolchain.binaries[instance.controller];
      if (!binary) throw new FluxbenchError(`the toolchain has no ${instance.controller}; run \`fluxbench setup --controllers ...\``);
      const ports = {
        metrics: await freePort(),
        health: await freePort(),
        ...(instance.controller === 'source-controller' ? { storage: storagePort } : {}),
        ...(instance.controller === 'notification-controller' ? notificationPorts : {}),
      };
      const logFile = join(options.runDir, 'logs', `${instance.id}.log`);
      const tmpDir = instance.settings.tmpfs ? await makeRamTempDir(options.runId, instance.id, ramRoot) : undefined;
      const process_ = new SupervisedProcess({
        id: instance.id,
        labels: { controller: instance.controller, ...(instance.shard ? { shard: instance.shard } : {}) },
        command: binary,
        args: controllerArgs({
          instance,
          ports,
          settings: instance.settings,
          storagePath: join(options.runDir, 'source-storage'),
          storageAdvertisedPort: artifactPort,
          ...(eventsUrl ? { eventsUrl } : {}),
          allShards,
        }),
        env: { ...process.env, KUBECONFIG: kubeconfigs.get(instance.controller)!, RUNTIME_NAMESPACE: 'flux-system', ...controllerEnv(instance.settings, tmpDir) },
        logFile,
        cgroupGroup: options.runId,
        ...(instance.settings.memoryLimitBytes !== undefined ? { memoryLimitBytes: instance.settings.memoryLimitBytes } : {}),
        ...(options.backoff ? { backoff: options.backoff } : {}),
        sink: options.sink,
        onPid: (pid) => options.onPid?.(pid, instance.id),
        onCgroup: (path) => options.onCgroup?.(path, instance.id),
      });
      const controller: RunningController<SupervisedProcess> & { healthUrl: string } = {
        ...instance,
        metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
        healthUrl: `http://127.0.0.1:${ports.health}`,
        process: process_,
      };
      running.push(controller);
      await process_.start();
    }
    await Promise.all(
      running.map((c) => waitReady(c, options.readyTimeoutMs ?? 60_000, join(options.runDir, 'logs', `${c.id}.log`))),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    namespace: 'flux-system',
    storageUrl: `http://127.0.0.1:${artifactPort}`,
    ...(artifactProxy ? { artifactProxy } : {}),
    ...(notificationPorts ? { receiverUrl: `http://127.0.0.1:${notificationPorts.receiver}` } : {}),
    controllers: running,
    find: (nameOrId) => running.filter((c) => c.id === nameOrId || c.controller === (nameOrId as FluxControllerName)),
    stop: stopAll,
  };
}
