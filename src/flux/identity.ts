/**
 * The identity the host-process controllers talk to the API server as. In production each Flux
 * controller runs as its ServiceAccount in flux-system; API Priority and Fairness classifies
 * those requests by that identity (FlowSchema `service-accounts`, priority level
 * `workload-low`), and RBAC authorizes each one. With the cluster's admin kubeconfig instead
 * (group system:masters) every request of the controllers would be `exempt`: never queued,
 * never limited, and the API server's share of a benchmark would be unlike production's.
 *
 * So each controller gets what `flux install` gives it: its ServiceAccount, flux2's RBAC for the
 * release (toolchain.rbacDir, from the flux2 module), and a kubeconfig whose user is a token of
 * that ServiceAccount (TokenRequest, `kubectl create token`).
 */
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { FluxbenchError } from '../util/exit-codes.ts';
import type { FluxControllerName } from '../toolchain/index.ts';

/** Tokens outlive any bounded run; the cluster (and its signing key) is deleted at teardown anyway. */
export const controllerTokenDuration = '168h';

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name: string; context?: { cluster?: string; namespace?: string } }>;
  clusters?: Array<{ name: string; cluster?: Record<string, unknown> }>;
}

/**
 * A kubeconfig for `user` with a bearer `token`, against the admin kubeconfig's current
 * cluster (server and CA as they are there). Pure.
 * @throws FluxbenchError when the admin kubeconfig has no current cluster.
 */
export function serviceAccountKubeconfig(adminKubeconfig: string, user: string, token: string, namespace: string): string {
  const admin = (parse(adminKubeconfig) ?? {}) as KubeconfigFile;
  const contextName = admin['current-context'] ?? admin.contexts?.[0]?.name;
  const clusterName = admin.contexts?.find((c) => c.name === contextName)?.context?.cluster ?? admin.clusters?.[0]?.name;
  const cluster = admin.clusters?.find((c) => c.name === clusterName)?.cluster;
  if (!clusterName || !cluster) throw new FluxbenchError('the cluster kubeconfig names no current cluster to give the controllers');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: clusterName, user, namespace } }],
    'current-context': user,
  });
}

/** The ServiceAccounts `flux install` creates for these controllers. */
export function controllerServiceAccounts(controllers: readonly FluxControllerName[], namespace: string): string {
  return controllers
    .map((name) => stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'flux' } } }))
    .join('---\n');
}

export interface ControllerIdentityOptions {
  kubectl: string;
  /** The cluster's admin kubeconfig (what creates the ServiceAccounts, RBAC and tokens). */
  kubeconfigPath: string;
  adminKubeconfig: string;
  /** flux2's manifests/rbac files for the release. */
  rbacDir: string;
  controllers: readonly FluxControllerName[];
  namespace: string;
  /** Where the kubeconfigs go (`<dir>/<controller>.kubeconfig`, mode 0600). */
  dir: string;
}

/**
 * Creates each controller's ServiceAccount, applies flux2's RBAC and writes one kubeconfig per
 * controller with a token of its ServiceAccount; returns controller → kubeconfig path. Left on
 * disk: the kubeconfigs (0600) in `dir`; their tokens die with the cluster.
 * @throws FluxbenchError naming the kubectl step that failed.
 */
export async function prepareControllerIdentities(options: ControllerIdentityOptions): Promise<Map<FluxControllerName, string>> {
  const env = { ...process.env, KUBECONFIG: options.kubeconfigPath };
  const run = async (what: string, args: string[], input?: string): Promise<string> => {
    const result = await execa(options.kubectl, args, { env, reject: false, all: true, ...(input !== undefined ? { input } : {}), timeout: 60_000 });
    if (result.exitCode !== 0) throw new FluxbenchError(`${what} failed:\n${result.all}`);
    return result.stdout;
  };
  await run('applying the Flux controllers\' ServiceAccounts', ['apply', '-f', '-'], controllerServiceAccounts(options.controllers, options.namespace));
  // flux2's bindings name their subjects in flux-system, the namespace fluxbench runs Flux in.
  await run(`applying Flux's controller RBAC from ${options.rbacDir}`, ['apply', '-f', options.rbacDir]);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const paths = new Map<FluxControllerName, string>();
  for (const controller of new Set(options.controllers)) {
    const token = (await run(`a token for ServiceAccount ${options.namespace}/${controller}`, ['create', 'token', controller, '-n', options.namespace, `--duration=${controllerTokenDuration}`])).trim();
    const path = join(options.dir, `${controller}.kubeconfig`);
    await writeFile(path, serviceAccountKubeconfig(options.adminKubeconfig, `system:serviceaccount:${options.namespace}:${controller}`, token, options.namespace), { mode: 0o600 });
    paths.set(controller, path);
  }
  return paths;
}
