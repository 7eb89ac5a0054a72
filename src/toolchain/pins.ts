import { UsageError } from '../util/exit-codes.ts';
import type { FluxRelease } from './flux-release.ts';
import { downloadModule, ModuleUnavailableError, servedVersions } from './go.ts';
import { compareVersions } from './go-mod.ts';
import { bare, type FluxControllerName } from './versions.ts';

/** The short name a scenario uses (`toolchain.controllers.kustomize`) for a Flux controller. */
export function shortControllerName(name: FluxControllerName): string {
  return name.replace(/-controller$/, '');
}

/** The module name for a short one (`kustomize` → `kustomize-controller`); a full name stays. Not checked against the known controllers. */
export function fullControllerName(name: string): string {
  return name.endsWith('-controller') ? name : `${name}-controller`;
}

/**
 * Up to `count` served versions nearest to `wanted`: the newest ones of its minor first, then the
 * closest others, newest first. Pure; for the error a refused pin gets.
 */
export function nearestVersions(wanted: string, served: readonly string[], count = 6): string[] {
  const [major, minor] = bare(wanted).split('.');
  const stable = served.filter((v) => !v.includes('-'));
  const sameMinor = stable.filter((v) => bare(v).startsWith(`${major}.${minor}.`)).sort((a, b) => compareVersions(b, a));
  const others = stable
    .filter((v) => !sameMinor.includes(v))
    .sort((a, b) => distance(a, wanted) - distance(b, wanted) || compareVersions(b, a));
  return [...sameMinor, ...others].slice(0, count).sort((a, b) => compareVersions(b, a));
}

/** How far apart two versions are, minor versions weighing more than patches. */
function distance(a: string, b: string): number {
  const [am = 0, an = 0, ap = 0] = bare(a).split('.').map(Number);
  const [bm = 0, bn = 0, bp = 0] = bare(b).split('.').map(Number);
  return Math.abs(am - bm) * 1e6 + Math.abs(an - bn) * 1e3 + Math.abs(ap - bp);
}

/**
 * The release with each pinned controller's version in place of the release's own, after
 * checking the Go module proxy serves it (downloading it into the module cache).
 *
 * @returns the release with each pin as the controller's `version` and `release` (the image tag
 *   pod providers run), its note naming the version the release ships.
 * @throws UsageError naming the field (`toolchain.controllers.<short>`) and the served versions
 *   near the pin when the proxy does not serve it.
 */
export async function pinControllers(release: FluxRelease, pins: Partial<Record<FluxControllerName, string>>): Promise<FluxRelease> {
  const controllers = { ...release.controllers };
  for (const [name, pin] of Object.entries(pins) as Array<[FluxControllerName, string | undefined]>) {
    if (!pin) continue;
    const version = `v${bare(pin)}`;
    const module = `github.com/fluxcd/${name}`;
    try {
      await downloadModule(module, version);
    } catch (err) {
      if (!(err instanceof ModuleUnavailableError)) throw err;
      // Some modules are served by exact version only; their /api module's list still names the releases.
      const own = await servedVersions(module);
      const listed = own.length > 0 ? own : await servedVersions(`${module}/api`);
      const near = nearestVersions(version, listed);
      throw new UsageError(
        `toolchain.controllers.${shortControllerName(name)}: ${name} ${version} is not served by the Go module proxy (${err.detail.split('\n')[0]})` +
          (near.length > 0 ? `; published near it: ${near.join(', ')}` : ''),
      );
    }
    const shipped = release.controllers[name].release;
    // The pin is also the image tag pod providers run (src/flux/manifests.ts reads `release`).
    controllers[name] = { release: version, version, note: `${name} pinned to ${version} (Flux ${release.flux} ships ${shipped})` };
  }
  return { ...release, controllers };
}
