/**
 * Existing clusters as spokes (`fleet.contexts`): a context of a kubeconfig file of this machine,
 * turned into the self-contained kubeconfig the hub's Secret holds. fluxbench starts nothing for
 * such a spoke and never stops, pauses or deletes it; what the hub applied there is pruned by
 * Flux at the end of the run (the run phase does that, before the hub goes).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import { inlineKubeconfig, kubeconfigTls } from './kubeconfig.ts';
import type { StartedSpoke } from './types.ts';

/** One `fleet.contexts` entry. */
export interface ContextSpokeOptions {
  /** The spoke's name in the hub (a DNS label). */
  name: string;
  /** The kubeconfig context. */
  context: string;
  /** The kubeconfig file; default: the first file of $KUBECONFIG, else ~/.kube/config. `~` is expanded. */
  kubeconfig?: string | undefined;
}

/** The kubeconfig file a context is read from: the one given, else $KUBECONFIG's first, else ~/.kube/config. */
export function contextKubeconfigPath(given: string | undefined, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const path = given ?? env.KUBECONFIG?.split(delimiter).find((p) => p.length > 0) ?? '~/.kube/config';
  return resolve(path === '~' || path.startsWith('~/') ? `${home}${path.slice(1)}` : path);
}

type Named = { name?: string; [key: string]: unknown };
interface RawKubeconfig {
  clusters?: Array<Named & { cluster?: Record<string, unknown> }>;
  users?: Array<Named & { user?: Record<string, unknown> }>;
  contexts?: Array<Named & { context?: { cluster?: string; user?: string; namespace?: string } }>;
}

/**
 * The kubeconfig of one context alone: its cluster, its user and the context (made current),
 * everything else of the file dropped. Pure. Throws UsageError naming `field` and the contexts
 * the file has when the context is not there, and when its user authenticates through an exec
 * plugin or an auth provider: kustomize-controller refuses to run those from a Secret unless
 * started with --insecure-kubeconfig-exec, so the spoke would fail on every reconcile.
 */
export function singleContextKubeconfig(yamlText: string, context: string, where: { file: string; field: string }): string {
  let config: RawKubeconfig;
  try {
    config = (parse(yamlText) ?? {}) as RawKubeconfig;
  } catch (err) {
    // The parser quotes the offending line, which in a kubeconfig can be a token or a key: keep the position only.
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new UsageError(`${where.field}: ${where.file} is not valid YAML${line !== undefined ? ` (line ${line})` : ''}`);
  }
  const contexts = config.contexts ?? [];
  const entry = contexts.find((c) => c.name === context);
  if (!entry?.context) {
    throw new UsageError(`${where.field}: no context "${context}" in ${where.file} (contexts: ${contexts.map((c) => c.name).join(', ') || 'none'})`);
  }
  const cluster = (config.clusters ?? []).find((c) => c.name === entry.context!.cluster);
  if (!cluster?.cluster) throw new UsageError(`${where.field}: context "${context}" of ${where.file} names cluster "${entry.context.cluster ?? ''}", which the file does not have`);
  const user = (config.users ?? []).find((u) => u.name === entry.context!.user);
  // Without a user the hub would reach the spoke anonymously and fail on every reconcile.
  if (!user?.user) throw new UsageError(`${where.field}: context "${context}" of ${where.file} names user "${entry.context.user ?? ''}", which the file does not have`);
  if ('exec' in user.user || 'auth-provider' in user.user) {
    throw new UsageError(
      `${where.field}: context "${context}" of ${where.file} authenticates with ${'exec' in user.user ? 'an exec credential plugin' : 'an auth provider'}, which Flux's kustomize-controller does not run from a kubeConfig Secret (unless started with --insecure-kubeconfig-exec); use a context with a client certificate or a token`,
    );
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [cluster],
    users: [user],
    contexts: [entry],
    'current-context': context,
  });
}

/** A spoke action on a cluster fluxbench did not start. */
function notOurs(name: string): Promise<never> {
  return Promise.reject(new FluxbenchError(`spoke ${name} is an existing cluster (fleet.contexts): fluxbench does not stop, pause or delete it`));
}

/**
 * The spoke of one `fleet.contexts` entry: reads the kubeconfig file, keeps that context alone and
 * inlines the files it names. Starts nothing and writes nothing. Throws UsageError, naming the
 * entry's field (`field` is e.g. `fleet.contexts[0]`), for a file that cannot be read or parsed,
 * a missing context, cluster or user, a user the hub cannot use, or a certificate file the
 * context names that cannot be read.
 */
export async function contextSpoke(options: ContextSpokeOptions, field: string, env: NodeJS.ProcessEnv = process.env): Promise<StartedSpoke> {
  const file = contextKubeconfigPath(options.kubeconfig, env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${field}.kubeconfig: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  const single = singleContextKubeconfig(text, options.context, { file, field: `${field}.context` });
  let kubeconfig: string;
  let server: string;
  try {
    kubeconfig = await inlineKubeconfig(single, (path) => readFile(path), { baseDir: dirname(file) });
    ({ server } = await kubeconfigTls(kubeconfig));
  } catch (err) {
    throw new UsageError(`${field}.context: context "${options.context}" of ${file}: ${(err as Error).message}`);
  }
  const name = options.name;
  return {
    name,
    origin: 'context',
    apiServerUrl: server,
    kubeconfig,
    present: true,
    componentPids: async () => ({}),
    stopApiServer: () => notOurs(name),
    startApiServer: () => notOurs(name),
    pause: () => notOurs(name),
    resume: async () => undefined,
    delete: () => notOurs(name),
    recreate: () => notOurs(name),
    // Not ours to stop: what the hub applied there is pruned by Flux before the hub goes.
    stop: async () => undefined,
  };
}
