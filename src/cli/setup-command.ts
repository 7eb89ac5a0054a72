import type { Command } from 'commander';
import { ensureToolchain, formatProgress, fluxControllerNames, fullControllerName, shortControllerName, type FluxControllerName } from '../toolchain/index.ts';
import { UsageError } from '../util/exit-codes.ts';

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description('build (once) and cache etcd, Kubernetes, kwok and the Flux controllers from their Go modules')
    .option('--flux-version <version>', 'Flux release whose controllers to build (e.g. 2.9.5, 2.7.x)')
    .option('--kubernetes-version <version>', 'Kubernetes version (k8s.io/kubernetes)')
    .option('--etcd-version <version>', 'etcd server version')
    .option('--kwok-version <version>', 'kwok version')
    .option('--controllers <list>', `comma-separated Flux controllers (${fluxControllerNames.join(', ')})`)
    .option('--pin <controller=version>', 'a controller at another version than the release\'s, e.g. kustomize=v1.9.6 (repeatable; as toolchain.controllers in a scenario)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--cache <dir>', 'cache folder (default $FLUXBENCH_CACHE or ~/.cache/fluxbench)')
    .action(async (opts: Record<string, string | undefined> & { pin: string[] }) => {
      const controllers = opts.controllers?.split(',').map((c) => c.trim());
      for (const c of controllers ?? []) {
        if (!(fluxControllerNames as readonly string[]).includes(c)) {
          throw new UsageError(`--controllers: unknown controller "${c}" (allowed: ${fluxControllerNames.join(', ')})`);
        }
      }
      const pins = Object.fromEntries(opts.pin.map((p) => parsePin(p)));
      const started = Date.now();
      const toolchain = await ensureToolchain({
        versions: {
          ...(opts.fluxVersion ? { flux: opts.fluxVersion } : {}),
          ...(opts.kubernetesVersion ? { kubernetes: opts.kubernetesVersion } : {}),
          ...(opts.etcdVersion ? { etcd: opts.etcdVersion } : {}),
          ...(opts.kwokVersion ? { kwok: opts.kwokVersion } : {}),
          controllers: pins,
        },
        ...(opts.cache ? { cacheRoot: opts.cache } : {}),
        ...(controllers ? { controllers: controllers as FluxControllerName[] } : {}),
        progress: (event) => console.error(formatProgress(event)),
      });
      console.log(`toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${toolchain.cacheRoot})`);
      console.log(`  flux ${toolchain.flux.flux}: ${Object.entries(toolchain.flux.controllers).map(([n, v]) => `${n} ${v.version || 'unavailable'}`).join(', ')}`);
      for (const [name, path] of Object.entries(toolchain.binaries)) console.log(`  ${name.padEnd(24)} ${path}`);
      console.log(`  CRDs                     ${toolchain.crdDir}`);
    });
}

/** `kustomize=v1.9.6` (or `kustomize-controller=v1.9.6`) → [kustomize-controller, v1.9.6]. */
function parsePin(text: string): [FluxControllerName, string] {
  const [name = '', version = ''] = text.split('=');
  const full = fullControllerName(name) as FluxControllerName;
  if (!(fluxControllerNames as readonly string[]).includes(full) || !/^v?\d+\.\d+\.\d+$/.test(version)) {
    throw new UsageError(`--pin "${text}": expected <controller>=<version>, e.g. kustomize=v1.9.6 (controllers: ${fluxControllerNames.map(shortControllerName).join(', ')})`);
  }
  return [full, version];
}
