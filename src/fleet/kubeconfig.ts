import type { RequestOptions } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { FluxbenchError } from '../util/exit-codes.ts';

/** Reads a file a kubeconfig names (node:fs/promises' readFile fits). */
export type KubeconfigFileReader = (path: string) => Promise<Uint8Array | string>;

/** File reference → the field holding the same bytes inline, base64 (clientcmd's names). */
const clusterFiles = { 'certificate-authority': 'certificate-authority-data' } as const;
const userFiles = { 'client-certificate': 'client-certificate-data', 'client-key': 'client-key-data' } as const;

type Entry = Record<string, unknown>;
interface Kubeconfig {
  clusters?: Array<{ name?: string; cluster?: Entry }>;
  users?: Array<{ name?: string; user?: Entry }>;
}

function toBase64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64');
}

async function inlineEntry(entry: Entry | undefined, fields: Record<string, string>, where: string, read: (path: string) => Promise<Uint8Array | string>): Promise<void> {
  if (!entry) return;
  for (const [fileField, dataField] of Object.entries(fields)) {
    const path = entry[fileField];
    if (path === undefined) continue;
    delete entry[fileField];
    // clientcmd refuses both at once; inline data already there is what the entry meant.
    if (entry[dataField] !== undefined) continue;
    if (typeof path !== 'string' || !path) throw new FluxbenchError(`kubeconfig ${where}: ${fileField} is not a file path`);
    entry[dataField] = toBase64(await read(path));
  }
  // A token file becomes the token itself, trimmed as client-go trims what it reads from it.
  if (typeof entry.tokenFile === 'string') {
    const path = entry.tokenFile;
    delete entry.tokenFile;
    if (entry.token === undefined) entry.token = Buffer.from(await read(path)).toString('utf8').trim();
  }
}

/**
 * A kubeconfig that needs no file beside it: every `certificate-authority`, `client-certificate`
 * and `client-key` file reference of its clusters and users is replaced by the matching
 * `*-data` field holding the file's bytes in base64 (and a user's `tokenFile` by `token`), as a
 * Secret's `value` must be for Flux's kustomize-controller to read it. Relative paths are
 * resolved against `options.baseDir` (the kubeconfig's folder, as clientcmd does) when given.
 * Everything else (server addresses, contexts, current-context) is kept as it is. Pure but for
 * `readFile`. Throws FluxbenchError naming the entry and field when a file cannot be read; the
 * message never holds file contents.
 */
export async function inlineKubeconfig(yamlText: string, readFile: KubeconfigFileReader, options: { baseDir?: string } = {}): Promise<string> {
  const config = (parse(yamlText) ?? {}) as Kubeconfig;
  if (typeof config !== 'object' || Array.isArray(config)) throw new FluxbenchError('kubeconfig: not a YAML mapping');
  const read = async (path: string): Promise<Uint8Array | string> => {
    const full = options.baseDir && !isAbsolute(path) ? resolve(options.baseDir, path) : path;
    try {
      return await readFile(full);
    } catch (err) {
      throw new FluxbenchError(`kubeconfig: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  for (const cluster of config.clusters ?? []) await inlineEntry(cluster.cluster, clusterFiles, `cluster ${cluster.name ?? '?'}`, read);
  for (const user of config.users ?? []) await inlineEntry(user.user, userFiles, `user ${user.name ?? '?'}`, read);
  return stringify(config);
}

/** What a client of the current context needs to talk to its API server over TLS. */
export interface KubeconfigTls {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * The current context's server address and TLS material, from a kubeconfig already inlined
 * (inlineKubeconfig), as the Kubernetes client resolves them (contexts, `*-data` decoded): the
 * same reading the fleet's API probes make. Throws FluxbenchError when the current context names
 * no cluster with a server.
 */
export async function kubeconfigTls(inlinedYaml: string): Promise<KubeconfigTls> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(inlinedYaml);
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new FluxbenchError('kubeconfig: the current context names no cluster with a server');
  const options: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  const bytes = (value: unknown): Buffer | undefined => (value === undefined || value === null ? undefined : Buffer.from(value as string | Buffer));
  const ca = bytes(options.ca);
  const cert = bytes(options.cert);
  const key = bytes(options.key);
  return { server, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
