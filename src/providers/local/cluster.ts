import { execa } from 'execa';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../../util/exit-codes.ts';
import type { Toolchain } from '../../toolchain/index.ts';
import { kwokctlCreateArgs, renderKwokctlConfig, type KwokctlDisable } from './kwokctl-config.ts';
import type { ClusterOptions, StartedCluster } from '../../cluster/types.ts';
import type { ControlPlaneSettings } from '../control-plane.ts';
import { parse } from 'yaml';

/** Where kwokctl keeps its clusters: one folder shared by all runs, so cleanup can find them. */
export function kwokWorkdir(toolchain: Pick<Toolchain, 'cacheRoot'>): string {
  return join(toolchain.cacheRoot, 'kwok');
}

export function kwokEnv(toolchain: Pick<Toolchain, 'cacheRoot'>): NodeJS.ProcessEnv {
  return { ...process.env, KWOK_WORKDIR: kwokWorkdir(toolchain) };
}

/** Deletes a kwokctl cluster by name (also used by cleanup for clusters of dead runs). */
export async function deleteKwokCluster(toolchain: Pick<Toolchain, 'cacheRoot' | 'binaries'>, name: string): Promise<void> {
  const kwokctl = toolchain.binaries.kwokctl;
  if (!kwokctl) throw new Error('kwokctl is not in the toolchain');
  await execa(kwokctl, ['--name', name, 'delete', 'cluster'], { env: kwokEnv(toolchain), reject: false, timeout: 60_000 });
}

/** Names of the kwokctl clusters that exist in fluxbench's kwok workdir. */
export async function listKwokClusters(toolchain: Pick<Toolchain, 'cacheRoot'>): Promise<string[]> {
  return readdir(join(kwokWorkdir(toolchain), 'clusters')).catch(() => []);
}

function need(toolchain: Toolchain, binary: string): string {
  const path = toolchain.binaries[binary];
  if (!path) throw new FluxbenchError(`the toolchain has no ${binary}; run \`fluxbench setup\``);
  return path;
}

/**
 * The default provider: real etcd, kube-apiserver, kube-controller-manager and kube-scheduler
 * as host processes orchestrated by `kwokctl --runtime binary`, kwok faking nodes and pods.
 * `options.controlPlane` sets API Priority and Fairness (on unless turned off) and extra flags;
 * `options.disable` leaves out the components a cluster can go without (a fleet's spokes: no
 * kube-scheduler, no kwok controller). Absent, every component runs (the hub).
 */
export async function startLocalCluster(
  toolchain: Toolchain,
  options: ClusterOptions & { controlPlane?: ControlPlaneSettings; disable?: KwokctlDisable },
): Promise<StartedCluster> {
  const kwokctl = need(toolchain, 'kwokctl');
  await mkdir(options.runDir, { recursive: true, mode: 0o700 });
  // kwokctl keeps each cluster's CA and admin keys (mode 0644) and etcd's data there: only the
  // owner may enter.
  await mkdir(kwokWorkdir(toolchain), { recursive: true, mode: 0o700 });
  await chmod(kwokWorkdir(toolchain), 0o700);
  const configPath = join(options.runDir, 'kwokctl.yaml');
  const kubeconfigPath = join(options.runDir, 'kubeconfig');
  await writeFile(
    configPath,
    renderKwokctlConfig({
      kubeVersion: toolchain.versions.kubernetes,
      etcdVersion: toolchain.versions.etcd,
      binaries: {
        etcd: need(toolchain, 'etcd'),
        kubeApiserver: need(toolchain, 'kube-apiserver'),
        kubeControllerManager: need(toolchain, 'kube-controller-manager'),
        kubeScheduler: need(toolchain, 'kube-scheduler'),
        kubectl: need(toolchain, 'kubectl'),
        kwok: need(toolchain, 'kwok'),
      },
      ...(options.controlPlane ? { controlPlane: options.controlPlane } : {}),
      ...(options.disable ? { disable: options.disable } : {}),
    }),
  );
  const env = kwokEnv(toolchain);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await deleteKwokCluster(toolchain, options.name);
  };
  const created = await execa(kwokctl, kwokctlCreateArgs({ name: options.name, configPath, kubeconfigPath, waitSeconds: 120 }), {
    env,
    reject: false,
    all: true,
    timeout: 300_000,
    // Ctrl-C or SIGTERM during a create ends it now: a create whose components died waits out --wait.
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  await writeFile(join(options.runDir, 'kwokctl-create.log'), created.all ?? '');
  if (created.exitCode !== 0) {
    await stop();
    throw new FluxbenchError(
      `kwokctl create cluster ${options.name} failed (exit ${created.exitCode}):\n${(created.all ?? '').split('\n').slice(-20).join('\n')}`,
    );
  }
  await chmod(kubeconfigPath, 0o600);
  try {
    if (options.nodes > 0) {
      const scaled = await execa(kwokctl, ['--name', options.name, 'scale', 'node', '--replicas', String(options.nodes)], {
        env,
        reject: false,
        all: true,
        timeout: 120_000,
      });
      if (scaled.exitCode !== 0) throw new FluxbenchError(`kwokctl scale node failed:\n${scaled.all ?? ''}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const clusterDir = join(kwokWorkdir(toolchain), 'clusters', options.name);
  const kubeconfig = parse(await readFile(kubeconfigPath, 'utf8')) as { clusters?: Array<{ cluster?: { server?: string } }> };
  const apiServerUrl = kubeconfig.clusters?.find((c) => c.cluster?.server)?.cluster?.server ?? '';
  const etcdMetricsUrl = await etcdMetricsFromCluster(clusterDir);
  return {
    provider: 'local',
    name: options.name,
    kubeconfigPath,
    apiServerUrl,
    ...(etcdMetricsUrl ? { etcdMetricsUrl } : {}),
    componentPids: () => readComponentPids(clusterDir),
    stop,
  };
}

/** kwokctl's binary runtime writes one pid file per component under the cluster folder. */
export async function readComponentPids(clusterDir: string): Promise<Record<string, number>> {
  const pidsDir = join(clusterDir, 'pids');
  const out: Record<string, number> = {};
  for (const file of await readdir(pidsDir).catch(() => [] as string[])) {
    const pid = Number.parseInt(await readFile(join(pidsDir, file), 'utf8'), 10);
    if (Number.isFinite(pid)) out[file.replace(/\.pid$/, '')] = pid;
  }
  return out;
}

/** etcd's client URL from the cluster's recorded command lines: its /metrics is served there. */
async function etcdMetricsFromCluster(clusterDir: string): Promise<string | undefined> {
  const text = await readFile(join(clusterDir, 'kwok.yaml'), 'utf8').catch(() => '');
  const match = /--(?:listen-client-urls|advertise-client-urls)=?\s*\n?\s*-?\s*(http:\/\/[0-9.:]+)/.exec(text);
  // etcd listens on all interfaces; fluxbench only ever talks to loopback.
  return match ? `${match[1]!.replace('0.0.0.0', '127.0.0.1')}/metrics` : undefined;
}
