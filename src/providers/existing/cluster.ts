import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { FluxbenchError, UsageError } from '../../util/exit-codes.ts';
import { writeKubeconfigFile } from '../../cluster/kubeconfig.ts';
import type { StartedCluster } from '../../cluster/types.ts';

export interface ExistingClusterOptions {
  /** Kubeconfig file; default $KUBECONFIG (which may list several files), else ~/.kube/config. */
  kubeconfig?: string;
  /** Context to use; default the kubeconfig's current-context. */
  context?: string;
  runDir: string;
  /** Default `kubectl` on $PATH. */
  kubectl?: string;
  /** Namespace the Flux controllers run in, for the Deployment report. */
  fluxNamespace?: string;
  /** CRDs that must exist; default requiredFluxCrds (add e.g. helmreleases.helm.toolkit.fluxcd.io when the scenario uses Helm). */
  requireCrds?: string[];
}

export interface FluxDeploymentStatus {
  name: string;
  ready: number;
  replicas: number;
}

export interface ExistingCluster extends StartedCluster {
  provider: 'existing';
  context: string;
  serverVersion: string;
  /** The Flux controllers' Deployments found in the Flux namespace (empty when Flux runs elsewhere, e.g. as host processes). */
  fluxDeployments: FluxDeploymentStatus[];
  /**
   * Creates a namespace for the run and records it so stop() deletes it. A namespace that
   * already exists is left alone and never deleted (returns false).
   */
  track(namespace: string): Promise<boolean>;
  /** Namespaces stop() will delete. */
  tracked(): string[];
}

/** The Flux CRDs a run needs on an existing cluster. */
export const requiredFluxCrds = ['kustomizations.kustomize.toolkit.fluxcd.io', 'gitrepositories.source.toolkit.fluxcd.io'];

/** Where the kubeconfig comes from: the explicit path, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function resolveKubeconfigSource(input: { kubeconfig?: string; env: NodeJS.ProcessEnv; home: string }): { value: string; from: string; files: string[] } {
  if (input.kubeconfig) return { value: resolve(input.kubeconfig), from: '--kubeconfig', files: [resolve(input.kubeconfig)] };
  const fromEnv = input.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
  if (fromEnv.length) return { value: fromEnv.join(delimiter), from: '$KUBECONFIG', files: fromEnv };
  const fallback = join(input.home, '.kube', 'config');
  return { value: fallback, from: '~/.kube/config', files: [fallback] };
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  context?: T;
}
interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Array<Named<{ cluster?: string; user?: string; namespace?: string }>>;
  clusters?: Array<{ name: string; cluster?: { server?: string } }>;
  users?: Array<{ name: string }>;
  [key: string]: unknown;
}

/**
 * A self-contained kubeconfig holding only the chosen context, its cluster and its user, with
 * that context current, so nothing the run does can drift to another cluster.
 */
export function selectContext(flattenedText: string, context: string | undefined, source: string): { text: string; context: string; apiServerUrl: string } {
  const doc = (parse(flattenedText) ?? {}) as KubeconfigDoc;
  const names = (doc.contexts ?? []).map((c) => c.name);
  const wanted = context ?? doc['current-context'];
  if (!wanted) throw new UsageError(`kubeconfig ${source} has no current-context; pass --context (one of: ${names.join(', ') || 'none'})`);
  const ctx = doc.contexts?.find((c) => c.name === wanted);
  if (!ctx) throw new UsageError(`context "${wanted}" is not in kubeconfig ${source}; allowed: ${names.join(', ') || 'none'}`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.context?.cluster);
  const server = cluster?.cluster?.server;
  if (!cluster || !server) throw new UsageError(`context "${wanted}" in kubeconfig ${source} names cluster "${ctx.context?.cluster ?? ''}", which has no server`);
  const user = doc.users?.find((u) => u.name === ctx.context?.user);
  const out: KubeconfigDoc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [ctx],
    'current-context': wanted,
  };
  return { text: stringify(out), context: wanted, apiServerUrl: server };
}

/** The Deployments of `kubectl get deployments -o json`, with their readiness. */
export function parseDeployments(json: string): FluxDeploymentStatus[] {
  const list = JSON.parse(json) as { items?: Array<{ metadata?: { name?: string }; spec?: { replicas?: number }; status?: { readyReplicas?: number } }> };
  return (list.items ?? []).map((d) => ({
    name: d.metadata?.name ?? '',
    replicas: d.spec?.replicas ?? 1,
    ready: d.status?.readyReplicas ?? 0,
  }));
}

const namespacePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A cluster that already exists, with Flux already installed: fluxbench only reads it, and at
 * stop deletes nothing but the namespaces it created itself.
 */
export async function useExistingCluster(options: ExistingClusterOptions): Promise<ExistingCluster> {
  const kubectl = options.kubectl ?? 'kubectl';
  const source = resolveKubeconfigSource({ ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}), env: process.env, home: homedir() });
  const present = source.files.filter((f) => existsSync(f));
  if (present.length === 0) {
    throw new UsageError(`kubeconfig ${source.files.join(', ')} (from ${source.from}) does not exist; pass --kubeconfig <file> or set KUBECONFIG`);
  }
  const sourceEnv = { ...process.env, KUBECONFIG: source.value };
  const view = await execa(kubectl, ['config', 'view', '--raw', '--flatten'], { env: sourceEnv, reject: false, all: true, timeout: 30_000 });
  if (view.failed || view.exitCode !== 0) {
    throw new FluxbenchError(`reading kubeconfig ${source.value} with ${kubectl} failed: ${(view.all ?? view.message).trim()}`);
  }
  const selected = selectContext(view.stdout, options.context, source.value);
  await mkdir(options.runDir, { recursive: true });
  const kubeconfigPath = join(options.runDir, 'kubeconfig');
  await writeKubeconfigFile(kubeconfigPath, selected.text);
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  const run = (args: string[]) => execa(kubectl, args, { env, reject: false, all: true, timeout: 60_000 });

  const version = await run(['version', '-o', 'json', '--request-timeout=15s']);
  const serverVersion = (() => {
    try {
      return (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
    } catch {
      return undefined;
    }
  })();
  if (!serverVersion) {
    throw new FluxbenchError(`the API server of context "${selected.context}" (${selected.apiServerUrl}) does not answer: ${(version.all ?? '').trim().split('\n').slice(-3).join(' ')}`);
  }
  const required = options.requireCrds ?? requiredFluxCrds;
  const crds = await run(['get', 'crd', ...required, '-o', 'name', '--ignore-not-found']);
  const found = new Set(crds.stdout.split('\n').map((l) => l.trim().replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, '')));
  const missing = required.filter((c) => !found.has(c));
  if (crds.exitCode !== 0 || missing.length) {
    throw new FluxbenchError(
      `Flux is not installed on context "${selected.context}" (missing CRDs: ${missing.join(', ') || '?'}${crds.exitCode !== 0 ? `; ${(crds.all ?? '').trim()}` : ''}); install Flux (flux install) or use --provider local`,
    );
  }
  const fluxNamespace = options.fluxNamespace ?? 'flux-system';
  const deployments = await run(['-n', fluxNamespace, 'get', 'deployments', '-o', 'json']);
  const fluxDeployments = deployments.exitCode === 0 ? parseDeployments(deployments.stdout) : [];

  const created: string[] = [];
  let stopped = false;
  return {
    provider: 'existing',
    name: selected.context,
    context: selected.context,
    kubeconfigPath,
    apiServerUrl: selected.apiServerUrl,
    serverVersion,
    fluxDeployments,
    // The control plane is not ours: no pids to pause.
    componentPids: async () => ({}),
    async track(namespace) {
      if (!namespacePattern.test(namespace) || namespace.length > 63) {
        throw new UsageError(`namespace "${namespace}": must be a DNS label (lowercase letters, digits and '-', at most 63 characters)`);
      }
      if (stopped) throw new FluxbenchError(`cannot track namespace ${namespace}: the cluster handle is stopped`);
      const result = await run(['create', 'namespace', namespace]);
      if (result.exitCode === 0) {
        await run(['label', 'namespace', namespace, 'app.kubernetes.io/managed-by=fluxbench']);
        created.push(namespace);
        return true;
      }
      if (/AlreadyExists|already exists/.test(result.all ?? '')) return false;
      throw new FluxbenchError(`creating namespace ${namespace} failed: ${(result.all ?? '').trim()}`);
    },
    tracked: () => [...created],
    async stop() {
      if (stopped) return;
      stopped = true;
      if (created.length === 0) return;
      const result = await execa(kubectl, ['delete', 'namespace', ...created, '--ignore-not-found', '--wait=true', '--timeout=120s'], {
        env,
        reject: false,
        all: true,
        timeout: 180_000,
      });
      if (result.exitCode !== 0) {
        throw new FluxbenchError(`deleting the run's namespaces (${created.join(', ')}) failed: ${(result.all ?? '').trim()}`);
      }
    },
  };
}
