import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../util/exit-codes.ts';
import { compareVersions } from './go-mod.ts';

/**
 * The newer Go the toolchain may build with when a module's go.mod needs more than the machine's
 * Go: the go command fetches this release through the Go module proxy (as the module
 * golang.org/toolchain, about 76 MB, once per machine) when GOTOOLCHAIN names it. The one
 * approved here; a module needing a Go newer still is refused with the versions that build.
 */
export const newerGoToolchain = '1.27.3';

/**
 * The environment of every Go command the toolchain runs: the machine's own Go (`local`, no
 * toolchain download) unless `toolchain` names the newer Go a module needs, static binaries,
 * and module mode that may add missing requirements to a wrapper.
 */
export function goEnv(toolchain: string = 'local'): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: toolchain === 'local' ? 'local' : `go${toolchain.replace(/^go/, '')}`, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
}

/**
 * The Go to build a module with: `local` when the machine's Go is new enough for its go.mod's
 * `go` directive, else the approved newer Go (`newerGoToolchain`) when that is.
 *
 * @throws FluxbenchError when even the newer Go is too old, naming both versions.
 */
export async function goFor(goDirective: string, neededBy: string): Promise<{ toolchain: string; version: string }> {
  const have = await goVersion();
  if (compareVersions(have, goDirective) >= 0) return { toolchain: 'local', version: have };
  if (compareVersions(newerGoToolchain, goDirective) >= 0) return { toolchain: newerGoToolchain, version: newerGoToolchain };
  throw new FluxbenchError(
    `${neededBy} needs Go ${goDirective} (its go.mod says go ${goDirective}); this machine has Go ${have} and fluxbench builds with at most Go ${newerGoToolchain} ` +
      '(fetched through the Go module proxy). Pin a version of it that needs Go ' + newerGoToolchain + ' or older.',
  );
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

/** Versions of a module the proxy lists, oldest first; empty when it will not list them (some modules are served by exact version only). */
export async function servedVersions(path: string): Promise<string[]> {
  const listed = await execa('go', ['list', '-m', '-versions', path], { env: goEnv(), reject: false });
  return listed.exitCode === 0 ? listed.stdout.trim().split(/\s+/).slice(1) : [];
}

export interface DownloadedModule {
  path: string;
  version: string;
  dir: string;
  goModText: string;
  goSumText: string;
}

/**
 * Downloads a module through the module proxy (or reuses the module cache) and reads its go.mod.
 * A module whose go.mod needs a newer Go than the machine's is downloaded with the approved
 * newer Go (the local go command refuses to; the first use fetches that Go, about 76 MB), see goFor.
 *
 * @throws ModuleUnavailableError when the proxy does not serve it.
 * @throws FluxbenchError when it needs a Go newer than `newerGoToolchain`.
 */
export async function downloadModule(path: string, version: string): Promise<DownloadedModule> {
  let info = await modDownload(path, version, 'local');
  const needs = /requires go >= ([0-9.]+)/.exec(info.Error ?? '')?.[1];
  if (needs && compareVersions(newerGoToolchain, needs) < 0) {
    // Served, but not buildable here: not a ModuleUnavailableError, which would read "not served".
    throw new FluxbenchError(`${path}@${version} needs Go ${needs}; fluxbench builds with at most Go ${newerGoToolchain} (this machine's or fetched through the Go module proxy): pick an earlier version`);
  }
  if (needs) info = await modDownload(path, version, newerGoToolchain);
  if (info.Error || !info.Dir) throw new ModuleUnavailableError(path, version, (info.Error ?? '').trim());
  const goModText = await readFile(join(info.Dir, 'go.mod'), 'utf8');
  const goSumText = await readFile(join(info.Dir, 'go.sum'), 'utf8').catch(() => '');
  return { path, version: info.Version ?? version, dir: info.Dir, goModText, goSumText };
}

/** `go mod download -json` of one module with the given Go; its JSON answer (Error set on failure). */
async function modDownload(path: string, version: string, toolchain: string): Promise<{ Dir?: string; Error?: string; Version?: string }> {
  const result = await execa('go', ['mod', 'download', '-json', `${path}@${version}`], { env: goEnv(toolchain), reject: false });
  try {
    return JSON.parse(result.stdout) as { Dir?: string; Error?: string; Version?: string };
  } catch {
    return { Error: result.stderr || result.stdout };
  }
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
