import { homedir } from 'node:os';
import { join } from 'node:path';

/** Root of the binary cache: $FLUXBENCH_CACHE, else $XDG_CACHE_HOME/fluxbench, else ~/.cache/fluxbench. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLUXBENCH_CACHE) return env.FLUXBENCH_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fluxbench');
}

export function componentDir(root: string, name: string, version: string): string {
  return join(root, `${name}-${version}`);
}

/** The env variable that names a prebuilt binary: kube-apiserver → FLUXBENCH_KUBE_APISERVER_BINARY. */
export function binaryEnvVar(binary: string): string {
  return `FLUXBENCH_${binary.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_BINARY`;
}
