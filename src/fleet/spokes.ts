import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClusterOptions, StartedCluster } from '../cluster/index.ts';
import type { RunRegistry } from '../lifecycle/index.ts';
import type { ControlPlaneSettings } from '../providers/control-plane.ts';
import { kwokWorkdir, startLocalCluster } from '../providers/local/cluster.ts';
import type { KwokctlDisable } from '../providers/local/kwokctl-config.ts';
import type { Toolchain } from '../toolchain/index.ts';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { apiServerControl } from './api-server.ts';
import { inlineKubeconfig, kubeconfigTls } from './kubeconfig.ts';
import { checkSpokeNames, spokeClusterName } from './names.ts';

/**
 * What a spoke goes without: its apps are Deployments scaled to zero, so no pod is ever
 * scheduled and no node is needed. kube-controller-manager stays (its Deployment controller
 * writes the status Flux's health checks read); etcd and kube-apiserver cannot be disabled.
 */
export const spokeDisabledComponents: Readonly<KwokctlDisable> = { kubeScheduler: true, kwokController: true };

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
  /** Progress lines (names, addresses, durations; never credentials). */
  log?: (line: string) => void;
  /** Aborting stops starting more spokes; those started are stopped and the signal's reason is thrown. */
  signal?: AbortSignal;
}

/** One running spoke cluster. */
export interface StartedSpoke {
  /** The spoke's name as given (spoke-01), not its cluster's. */
  name: string;
  cluster: StartedCluster;
  /** kwokctl's kubeconfig (mode 0600): it names certificate files in the kwok workdir. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port>: the hub's controllers are host processes of this machine. */
  apiServerUrl: string;
  /** The kubeconfig, self-contained (certificates and key inlined as *-data): the hub Secret's `value`. Never log it. */
  kubeconfig: string;
  /** Host pids of the spoke's components (etcd, kube-apiserver, kube-controller-manager). */
  componentPids(): Promise<Record<string, number>>;
  /** SIGTERM to the spoke's kube-apiserver (SIGKILL after 30 s); resolves once its port refuses connections and the process is gone. */
  stopApiServer(): Promise<void>;
  /** `kwokctl start cluster` brings kube-apiserver back on its port; resolves once /readyz answers 200. */
  startApiServer(): Promise<void>;
  /** SIGSTOP to the spoke's kube-apiserver. */
  pause(): Promise<void>;
  /** SIGCONT to the spoke's kube-apiserver. */
  resume(): Promise<void>;
  /** Deletes the spoke's cluster (resuming a paused API server first); safe to call twice. */
  stop(): Promise<void>;
}

export interface StartedFleet {
  /** In the order of `names`. */
  spokes: StartedSpoke[];
  /** The spoke of that name; throws UsageError for a name not in the fleet. */
  spoke(name: string): StartedSpoke;
  /** Stops every spoke in parallel; safe to call twice. Throws FluxbenchError naming the spokes that failed to stop. */
  stop(): Promise<void>;
}

interface SpokeContext {
  options: StartSpokesOptions;
  startCluster: SpokeClusterStarter;
  log: (line: string) => void;
}

/** Starts one spoke: registers, creates, reads its kubeconfig; deletes its cluster if anything after creation fails. */
async function startSpoke(name: string, ctx: SpokeContext): Promise<StartedSpoke> {
  const { toolchain, runId, runDir, controlPlane, registry } = ctx.options;
  const clusterName = spokeClusterName(runId, name);
  // Registered before creation: a runner killed mid-create still has the cluster deleted.
  registry.addKwokCluster({ name: clusterName, kwokctl: toolchain.binaries.kwokctl ?? 'kwokctl', workdir: kwokWorkdir(toolchain) });
  const began = Date.now();
  ctx.log(`spoke ${name}: creating kwokctl cluster ${clusterName}`);
  const cluster = await ctx.startCluster(toolchain, {
    name: clusterName,
    runDir: join(runDir, 'spokes', name),
    nodes: 0,
    disable: { ...spokeDisabledComponents },
    ...(controlPlane ? { controlPlane } : {}),
    ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
  });
  try {
    const kubeconfig = await inlineKubeconfig(await readFile(cluster.kubeconfigPath, 'utf8'), (path) => readFile(path), { baseDir: dirname(cluster.kubeconfigPath) });
    const tls = await kubeconfigTls(kubeconfig);
    const apiServer = apiServerControl({ spoke: name, clusterName, toolchain, tls, componentPids: () => cluster.componentPids() });
    let paused = false;
    let stopping: Promise<void> | undefined;
    const apiServerUrl = cluster.apiServerUrl || tls.server;
    ctx.log(`spoke ${name}: ready at ${apiServerUrl} (${((Date.now() - began) / 1000).toFixed(1)}s)`);
    return {
      name,
      cluster,
      kubeconfigPath: cluster.kubeconfigPath,
      apiServerUrl,
      kubeconfig,
      componentPids: () => cluster.componentPids(),
      stopApiServer: async () => {
        await apiServer.stop();
        paused = false;
      },
      startApiServer: () => apiServer.start(),
      pause: async () => {
        await apiServer.pause();
        paused = true;
      },
      resume: async () => {
        await apiServer.resume();
        paused = false;
      },
      stop: () =>
        (stopping ??= (async () => {
          if (paused) await apiServer.resume().catch(() => undefined);
          await cluster.stop();
        })()),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
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
 * Throws UsageError for a bad run id, spoke name or concurrency (nothing started). When a
 * spoke fails to start, no further spoke is started, those started are stopped, and a
 * FluxbenchError names the spoke with the tail of kwokctl's output. When `signal` aborts, the
 * same cleanup runs and the signal's reason is thrown. `startCluster` is startLocalCluster;
 * tests pass a stand-in.
 */
export async function startSpokes(options: StartSpokesOptions, startCluster: SpokeClusterStarter = startLocalCluster): Promise<StartedFleet> {
  checkSpokeNames(options.runId, options.names);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`spoke concurrency must be a whole number ≥ 1, not ${concurrency}`);
  const ctx: SpokeContext = { options, startCluster, log: options.log ?? (() => undefined) };
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
  return fleetOf(options.names.map((name) => started.get(name)!));
}
