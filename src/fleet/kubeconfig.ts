import { isAbsolute, resolve } from 'node:path';
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
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
  'current-context'?: string;
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
 * (inlineKubeconfig): the `*-data` fields decoded. Throws FluxbenchError when the current
 * context or its cluster is missing.
 */
export function kubeconfigTls(inlinedYaml: string): KubeconfigTls {
  const config = (parse(inlinedYaml) ?? {}) as Kubeconfig;
  const context = config.contexts?.find((c) => c.name === config['current-context'])?.context ?? config.contexts?.[0]?.context;
  const cluster = config.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? config.clusters?.[0]?.cluster;
  const user = config.users?.find((u) => u.name === context?.user)?.user;
  const server = cluster?.server;
  if (typeof server !== 'string') throw new FluxbenchError('kubeconfig: the current context names no cluster with a server');
  const data = (entry: Entry | undefined, field: string): Buffer | undefined =>
    typeof entry?.[field] === 'string' ? Buffer.from(entry[field] as string, 'base64') : undefined;
  const ca = data(cluster, 'certificate-authority-data');
  const cert = data(user, 'client-certificate-data');
  const key = data(user, 'client-key-data');
  return { server, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
