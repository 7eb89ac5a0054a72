import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../util/exit-codes.ts';
import { compareVersions } from './go-mod.ts';

/**
 * The environment of every Go command the toolchain runs: the machine's own Go (no toolchain
 * download), static binaries, and module mode that may add missing requirements to a wrapper.
 */
export function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
}

/** The local Go version ("1.26.8"), or a clear error when Go is missing. */
export async function goVersion(): Promise<string> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION'], { env: goEnv() });
    return stdout.trim().replace(/^go/, '');
  } catch {
    throw new FluxbenchError(
      'Go is not installed (no `go` on PATH): install Go 1.26 or newer (https://go.dev/doc/install); ' +
        'fluxbench needs it once to build etcd, Kubernetes, kwok and the Flux controllers into its cache.',
    );
  }
}

export async function requireGo(minimum: string, neededBy: string): Promise<string> {
  const have = await goVersion();
  if (compareVersions(have, minimum) < 0) {
    throw new FluxbenchError(
      `Go ${minimum} or newer is needed to build ${neededBy} (its go.mod says go ${minimum}); ` +
        `this machine has Go ${have}. Install Go ${minimum} or newer and run \`fluxbench setup\` again.`,
    );
  }
  return have;
}

export interface DownloadedModule {
  path: string;
  version: string;
  dir: string;
  goModText: string;
  goSumText: string;
}

/** Downloads a module through the module proxy (or reuses the module cache) and reads its go.mod. */
export async function downloadModule(path: string, version: string): Promise<DownloadedModule> {
  const result = await execa('go', ['mod', 'download', '-json', `${path}@${version}`], {
    env: goEnv(),
    reject: false,
  });
  let info: { Dir?: string; Error?: string; Version?: string } = {};
  try {
    info = JSON.parse(result.stdout) as typeof info;
  } catch {
    info = { Error: result.stderr || result.stdout };
  }
  if (info.Error || !info.Dir) {
    throw new ModuleUnavailableError(path, version, (info.Error ?? result.stderr).trim());
  }
  const goModText = await readFile(join(info.Dir, 'go.mod'), 'utf8');
  const goSumText = await readFile(join(info.Dir, 'go.sum'), 'utf8').catch(() => '');
  return { path, version: info.Version ?? version, dir: info.Dir, goModText, goSumText };
}

export class ModuleUnavailableError extends FluxbenchError {
  constructor(
    readonly modulePath: string,
    readonly moduleVersion: string,
    readonly detail: string,
  ) {
    super(`Go module ${modulePath}@${moduleVersion} could not be downloaded: ${detail}`);
  }
}
