import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClusterOptions, StartedCluster } from '../cluster/index.ts';
import type { RunRegistry } from '../lifecycle/index.ts';
import type { ControlPlaneSettings } from '../providers/control-plane.ts';
import { kwokWorkdir, startLocalCluster } from '../providers/local/cluster.ts';
import type { KwokctlDisable } from '../providers/local/kwokctl-config.ts';
import type { Toolchain } from '../toolchain/index.ts';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { apiServerControl, type ApiServerControl } from './api-server.ts';
import { inlineKubeconfig, kubeconfigTls } from './kubeconfig.ts';
import { contextSpoke, type ContextSpokeOptions } from './contexts.ts';
import { checkSpokeNames, spokeClusterName } from './names.ts';
import type { StartedFleet, StartedSpoke } from './types.ts';

export type { StartedFleet, StartedSpoke } from './types.ts';

/**
 * What a spoke goes without: its apps are Deployments scaled to zero, so no pod is ever
 * scheduled and no node is needed. kube-controller-manager stays (its Deployment controller
 * writes the status Flux's health checks read); etcd and kube-apiserver cannot be disabled.
 */
export const spokeDisabledComponents: Readonly<KwokctlDisable> = { kubeScheduler: true, kwokController: true };

/**
 * kube-controller-manager on a spoke: only the controllers a spoke of scaled-to-zero apps uses
 * (Deployments' status, namespaces, their default ServiceAccounts, and Jobs: a failing Helm hook
 * Job fails by its deadline only through the job controller; without it Helm waits out the
 * release timeout) and no leader election (one instance). Measured here on an idle spoke (k8s
 * 1.34.4, `ps` RSS and /proc CPU over 30 s): the full set with leader election took 103 MiB and
 * 0.0076 cores, this set 75 MiB and 0.0026; with the job controller added, 73–75 MiB and ~0.002
 * cores (/proc over 90 s). The garbage collector is left out (its informers on every resource
 * were most of the difference): a pruned Deployment's ReplicaSet stays behind, which no Flux
 * status reads. The scenario's `provider.controllerManager.args` come after these and win.
 */
export const spokeControllerManagerArgs: readonly string[] = ['--leader-elect=false', '--controllers=deployment-controller,replicaset-controller,namespace-controller,serviceaccount-controller,job-controller'];

/** The spoke's control-plane settings: the scenario's, after the spoke's own controller-manager flags. */
export function spokeControlPlane(controlPlane: ControlPlaneSettings | undefined): ControlPlaneSettings {
  return { ...controlPlane, controllerManager: { args: [...spokeControllerManagerArgs, ...(controlPlane?.controllerManager?.args ?? [])] } };
}

/** What startSpokes passes to the cluster starter for one spoke. */
export type SpokeClusterOptions = ClusterOptions & { controlPlane?: ControlPlaneSettings; disable?: KwokctlDisable };

/** Starts one cluster: startLocalCluster, or a stand-in in tests. Must delete what it made before it throws. */
export type SpokeClusterStarter = (toolchain: Toolchain, options: SpokeClusterOptions) => Promise<StartedCluster>;

export interface StartSpokesOptions {
  toolchain: Toolchain;
  /** The run's id (a DNS label): prefixes every spoke's cluster name. */
  runId: string;
  /** The run's folder: each spoke's files go to `<runDir>/spokes/<spoke>/`. */
  runDir: string;
  /** The spokes' names, DNS labels of at most 40 characters (e.g. spokeNames(3): spoke-01 … spoke-03). */
  names: string[];
  /** The run's registry: each spoke's cluster is recorded before it is created, for the reaper. */
  registry: Pick<RunRegistry, 'addKwokCluster'>;
  /**
   * Clusters created at once (default 1). kwokctl picks its components' ports by probing for free
   * ones, so two creates at once can pick the same: seen here, a spoke's etcd failed with "bind:
   * address already in use" and its kwokctl then waited out --wait. One at a time takes ~5 s a spoke.
   */
  concurrency?: number;
  /** API Priority and Fairness (on unless turned off) and extra flags, as for the hub. */
  controlPlane?: ControlPlaneSettings;
  /** Existing clusters as spokes (fleet.contexts), after the local ones; resolved before any local spoke starts, so a bad context costs nothing. */
  contexts?: readonly ContextSpokeOptions[];
  /** Progress lines (names, addresses, durations; never credentials). */
  log?: (line: string) => void;
  /** Aborting stops starting more spokes; those started are stopped and the signal's reason is thrown. */
  signal?: AbortSignal;
}

interface SpokeContext {
  options: StartSpokesOptions;
  startCluster: SpokeClusterStarter;
  log: (line: string) => void;
  /** Runs re-creations one after another, for the reason startSpokes' concurrency is 1 (kwokctl's port probing). */
  serially<T>(create: () => Promise<T>): Promise<T>;
}

/** A queue of one: each task starts when the one before has settled. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** One creation of a spoke's cluster and what reaches it. */
interface SpokeCluster {
  cluster: StartedCluster;
  kubeconfig: string;
  apiServerUrl: string;
  apiServer: ApiServerControl;
}

/** Creates one spoke's cluster and reads its kubeconfig; deletes the cluster if anything after creation fails. */
async function createSpokeCluster(name: string, ctx: SpokeContext): Promise<SpokeCluster> {
  const { toolchain, runId, runDir, controlPlane } = ctx.options;
  const clusterName = spokeClusterName(runId, name);
  const began = Date.now();
  ctx.log(`spoke ${name}: creating kwokctl cluster ${clusterName}`);
  const cluster = await ctx.startCluster(toolchain, {
    name: clusterName,
    runDir: join(runDir, 'spokes', name),
    nodes: 0,
    disable: { ...spokeDisabledComponents },
    controlPlane: spokeControlPlane(controlPlane),
    ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
  });
  try {
    const kubeconfig = await inlineKubeconfig(await readFile(cluster.kubeconfigPath, 'utf8'), (path) => readFile(path), { baseDir: dirname(cluster.kubeconfigPath) });
    const tls = await kubeconfigTls(kubeconfig);
    const apiServer = apiServerControl({ spoke: name, clusterName, toolchain, tls, componentPids: () => cluster.componentPids() });
    const apiServerUrl = cluster.apiServerUrl || tls.server;
    ctx.log(`spoke ${name}: ready at ${apiServerUrl} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
    return { cluster, kubeconfig, apiServerUrl, apiServer };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** Starts one spoke: registers its cluster for the reaper (before creating it, so a runner killed mid-create still has it deleted), creates it, returns its handle. */
async function startSpoke(name: string, ctx: SpokeContext): Promise<StartedSpoke> {
  const { toolchain, runId, registry } = ctx.options;
  registry.addKwokCluster({ name: spokeClusterName(runId, name), kwokctl: toolchain.binaries.kwokctl ?? 'kwokctl', workdir: kwokWorkdir(toolchain) });
  return spokeHandle(name, await createSpokeCluster(name, ctx), ctx);
}

function spokeHandle(name: string, first: SpokeCluster, ctx: SpokeContext): StartedSpoke {
  let current: SpokeCluster | undefined = first;
  let last = first;
  let paused = false;
  let stopping: Promise<void> | undefined;
  let creating: Promise<void> | undefined;
  let deleting: Promise<void> | undefined;
  const present = (): SpokeCluster => {
    if (!current) throw new FluxbenchError(`spoke ${name} is deleted${stopping ? ' and stopped' : ''}: its cluster does not exist`);
    return current;
  };
  // The spoke counts as gone only once its cluster is: a failed delete leaves it to stop() to retry.
  const remove = (): Promise<void> =>
    (deleting ??= (async () => {
      const gone = current;
      if (!gone) return;
      if (paused) await gone.apiServer.resume().catch(() => undefined);
      paused = false;
      await gone.cluster.stop();
      if (current === gone) current = undefined;
    })().finally(() => (deleting = undefined)));
  const recreate = async (): Promise<void> => {
    if (stopping) throw new FluxbenchError(`spoke ${name} is stopped: it is not created again`);
    if (current) throw new FluxbenchError(`spoke ${name} exists: delete it before creating it again`);
    const made = await ctx.serially(() => createSpokeCluster(name, ctx));
    // A teardown that began meanwhile (it waits for this creation) must not leave the new cluster behind.
    if (stopping) {
      await made.cluster.stop();
      throw new FluxbenchError(`spoke ${name} was stopped while it was created again`);
    }
    current = last = made;
  };
  return {
    name,
    origin: 'local',
    get apiServerUrl() {
      return last.apiServerUrl;
    },
    get kubeconfig() {
      return last.kubeconfig;
    },
    get present() {
      return current !== undefined;
    },
    componentPids: () => (current ? current.cluster.componentPids() : Promise.resolve({})),
    stopApiServer: async () => {
      await present().apiServer.stop();
      paused = false;
    },
    startApiServer: () => present().apiServer.start(),
    pause: async () => {
      await present().apiServer.pause();
      paused = true;
    },
    resume: async () => {
      await current?.apiServer.resume();
      paused = false;
    },
    delete: remove,
    recreate: async () => {
      if (creating) throw new FluxbenchError(`spoke ${name} is being created again already`);
      creating = recreate();
      try {
        await creating;
      } finally {
        creating = undefined;
      }
    },
    stop: () =>
      (stopping ??= (async () => {
        await creating?.catch(() => undefined);
        await remove();
      })()),
  };
}

function fleetOf(spokes: StartedSpoke[]): StartedFleet {
  let stopping: Promise<void> | undefined;
  return {
    spokes,
    spoke(name) {
      const found = spokes.find((s) => s.name === name);
      if (!found) throw new UsageError(`spoke "${name}" is not in the fleet (spokes: ${spokes.map((s) => s.name).join(', ')})`);
      return found;
    },
    stop: () =>
      (stopping ??= (async () => {
        const results = await Promise.allSettled(spokes.map((s) => s.stop()));
        const failed = spokes.filter((_, i) => results[i]!.status === 'rejected').map((s) => s.name);
        if (failed.length) throw new FluxbenchError(`spokes ${failed.join(', ')} did not stop; \`fluxbench cleanup\` deletes what is left`);
      })()),
  };
}

function startFailure(spoke: string, err: unknown): FluxbenchError {
  const message = err instanceof Error ? err.message : String(err);
  return new FluxbenchError(`spoke ${spoke} did not start: ${message}`, err instanceof FluxbenchError ? err.exitCode : undefined);
}

/**
 * Starts one kwokctl `--runtime binary` cluster per name beside the hub, at most `concurrency`
 * at a time, in the order of `names`. Each spoke runs etcd, kube-apiserver (API Priority and
 * Fairness on unless `controlPlane` turns it off) and kube-controller-manager as host
 * processes bound to 127.0.0.1: no kube-scheduler, no kwok controller, no nodes. Its cluster is
 * named spokeClusterName(runId, name) and recorded in `registry` before it is created.
 *
 * On disk: `<runDir>/spokes/<spoke>/` holds kwokctl.yaml, kubeconfig (0600) and
 * kwokctl-create.log; the cluster itself (certificates, etcd data, component logs, pid files)
 * lives in the kwok workdir under the toolchain cache until stop() deletes it. The inlined
 * kubeconfig is returned, never written.
 *
 * `contexts` (fleet.contexts) are existing clusters: resolved first (contextSpoke: their
 * kubeconfig read and inlined, nothing started), and placed after the local spokes.
 *
 * Throws UsageError for a bad run id, spoke name, context or concurrency (nothing started). When a
 * spoke fails to start, no further spoke is started, those started are stopped, and a
 * FluxbenchError names the spoke with the tail of kwokctl's output. When `signal` aborts, the
 * same cleanup runs and the signal's reason is thrown. `startCluster` is startLocalCluster;
 * tests pass a stand-in.
 */
export async function startSpokes(options: StartSpokesOptions, startCluster: SpokeClusterStarter = startLocalCluster): Promise<StartedFleet> {
  // Local and existing spokes share the hub's namespaces: one list, no name twice.
  checkSpokeNames(options.runId, [...options.names, ...(options.contexts ?? []).map((c) => c.name)]);
  const existing = await Promise.all((options.contexts ?? []).map((c, i) => contextSpoke(c, `fleet.contexts[${i}]`)));
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`spoke concurrency must be a whole number ≥ 1, not ${concurrency}`);
  const ctx: SpokeContext = { options, startCluster, log: options.log ?? (() => undefined), serially: serialQueue() };
  const started = new Map<string, StartedSpoke>();
  let failure: { spoke: string; err: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!failure && !options.signal?.aborted && next < options.names.length) {
      const name = options.names[next++]!;
      try {
        started.set(name, await startSpoke(name, ctx));
      } catch (err) {
        failure ??= { spoke: name, err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, options.names.length) }, worker));
  if (failure || options.signal?.aborted) {
    ctx.log(`spokes: stopping the ${started.size} started after ${failure ? `spoke ${failure.spoke} failed` : 'an interruption'}`);
    await Promise.allSettled([...started.values()].map((s) => s.stop()));
    if (failure) throw startFailure(failure.spoke, failure.err);
    options.signal!.throwIfAborted();
  }
  return fleetOf([...options.names.map((name) => started.get(name)!), ...existing]);
}
