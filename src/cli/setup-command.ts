import type { Command } from 'commander';
import { ensureToolchain, formatProgress, fluxControllerNames, type FluxControllerName } from '../toolchain/index.ts';
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
    .option('--cache <dir>', 'cache folder (default $FLUXBENCH_CACHE or ~/.cache/fluxbench)')
    .action(async (opts: Record<string, string | undefined>) => {
      const controllers = opts.controllers?.split(',').map((c) => c.trim());
      for (const c of controllers ?? []) {
        if (!(fluxControllerNames as readonly string[]).includes(c)) {
          throw new UsageError(`--controllers: unknown controller "${c}" (allowed: ${fluxControllerNames.join(', ')})`);
        }
      }
      const started = Date.now();
      const toolchain = await ensureToolchain({
        versions: {
          ...(opts.fluxVersion ? { flux: opts.fluxVersion } : {}),
          ...(opts.kubernetesVersion ? { kubernetes: opts.kubernetesVersion } : {}),
          ...(opts.etcdVersion ? { etcd: opts.etcdVersion } : {}),
          ...(opts.kwokVersion ? { kwok: opts.kwokVersion } : {}),
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
