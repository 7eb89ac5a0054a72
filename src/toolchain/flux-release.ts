import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../util/exit-codes.ts';
import { downloadModule, goEnv, ModuleUnavailableError } from './go.ts';
import { compareVersions, parseGoMod } from './go-mod.ts';
import { bare, fluxControllerNames, type FluxControllerName } from './versions.ts';

export interface FluxControllerVersion {
  /** The version the Flux release names. */
  release: string;
  /** The version built: the release's, or the newest earlier patch the module proxy serves. */
  version: string;
  note?: string;
}

export interface FluxRelease {
  flux: string;
  controllers: Record<FluxControllerName, FluxControllerVersion>;
}

const flux2Module = 'github.com/fluxcd/flux2/v2';

/** Reads the controller versions a flux2 release pins (its `<controller>/api` requirements). */
export function controllerVersionsFromFlux2GoMod(goModText: string): Record<FluxControllerName, string> {
  const requires = parseGoMod(goModText).requires;
  const out: Partial<Record<FluxControllerName, string>> = {};
  for (const name of fluxControllerNames) {
    const version = requires.get(`github.com/fluxcd/${name}/api`);
    if (!version) throw new Error(`flux2 go.mod does not require github.com/fluxcd/${name}/api`);
    out[name] = version;
  }
  return out as Record<FluxControllerName, string>;
}

/** Patch versions to try, newest first: v1.9.4 → v1.9.4, v1.9.3, …, v1.9.0. */
export function patchFallbacks(version: string): string[] {
  const [major, minor, patch] = bare(version).split('.').map((x) => Number.parseInt(x, 10));
  if (major === undefined || minor === undefined || patch === undefined || [major, minor, patch].some(Number.isNaN)) return [version];
  const out: string[] = [];
  for (let p = patch; p >= 0; p--) out.push(`v${major}.${minor}.${p}`);
  return out;
}

/** "2.7.x" or "2.7" → the newest published 2.7 patch; "2.9.5" stays. */
async function resolveFluxVersion(requested: string): Promise<string> {
  const wanted = bare(requested).replace(/\.x$/, '');
  if (/^\d+\.\d+\.\d+$/.test(wanted)) return wanted;
  if (!/^\d+\.\d+$/.test(wanted)) {
    throw new UsageError(`--flux-version "${requested}": use a published Flux release such as 2.9.5, 2.9.x or 2.7`);
  }
  const { stdout } = await execa('go', ['list', '-m', '-versions', flux2Module], { env: goEnv() });
  const candidates = stdout
    .split(/\s+/)
    .slice(1)
    .map(bare)
    .filter((v) => v.startsWith(`${wanted}.`) && !v.includes('-'))
    .sort(compareVersions);
  const newest = candidates.at(-1);
  if (!newest) throw new UsageError(`no published Flux release matches ${requested}`);
  return newest;
}

/**
 * Resolves a Flux release into the controller versions to build. The answer is cached, so
 * later runs need no module look-up.
 */
export async function resolveFluxRelease(requested: string, root: string): Promise<FluxRelease> {
  const flux = await resolveFluxVersion(requested);
  const cacheFile = join(root, `flux-release-${flux}.json`);
  if (existsSync(cacheFile)) return JSON.parse(await readFile(cacheFile, 'utf8')) as FluxRelease;

  let flux2;
  try {
    flux2 = await downloadModule(flux2Module, `v${flux}`);
  } catch (err) {
    if (err instanceof ModuleUnavailableError) {
      throw new UsageError(`Flux ${flux} is not a published release here (${err.detail}); try e.g. --flux-version 2.9.5`);
    }
    throw err;
  }
  const pinned = controllerVersionsFromFlux2GoMod(flux2.goModText);
  const controllers = {} as Record<FluxControllerName, FluxControllerVersion>;
  for (const name of fluxControllerNames) {
    const release = pinned[name];
    const tried: string[] = [];
    for (const candidate of patchFallbacks(release)) {
      try {
        await downloadModule(`github.com/fluxcd/${name}`, candidate);
        controllers[name] = {
          release,
          version: candidate,
          ...(candidate !== release
            ? { note: `${name} ${release} is not served by the Go module proxy; built ${candidate}, the newest earlier patch of the same minor` }
            : {}),
        };
        break;
      } catch (err) {
        if (!(err instanceof ModuleUnavailableError)) throw err;
        tried.push(candidate);
      }
    }
    if (!controllers[name]) {
      // Recorded, not fatal: a scenario that does not enable this controller can still run.
      controllers[name] = { release, version: '', note: `${name}: none of ${tried.join(', ')} is served by the Go module proxy` };
    }
  }
  const result: FluxRelease = { flux, controllers };
  await mkdir(root, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(result, null, 2));
  return result;
}
