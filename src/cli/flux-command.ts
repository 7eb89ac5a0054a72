/**
 * `fluxbench flux <run> -- <flux args>`: the flux CLI of the run's Flux release (built into the
 * toolchain from flux2's module) against the run's cluster, what users debug a live run with
 * (`get all -A`, `events`, `tree ks fleet`, `trace`). The cluster exists while the run (or
 * `fluxbench up`) is alive; after teardown there is nothing to reach.
 */
import { execa } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureToolchain, formatProgress } from '../toolchain/index.ts';
import { UsageError } from '../util/exit-codes.ts';

/**
 * The kubeconfig of a run: `<run>` may be a run folder (the local provider writes
 * `cluster/kubeconfig`, `fluxbench up` `kubeconfig`) or a kubeconfig file.
 * @throws UsageError naming the paths looked at.
 */
export function runKubeconfig(run: string): string {
  const path = resolve(run);
  if (!existsSync(path)) throw new UsageError(`${run}: no such run folder or kubeconfig`);
  if (statSync(path).isFile()) return path;
  const candidates = [join(path, 'cluster', 'kubeconfig'), join(path, 'kubeconfig')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new UsageError(`${run}: no kubeconfig in this folder (looked for ${candidates.join(', ')}); pass a run folder of a live run, or a kubeconfig`);
  return found;
}

export function registerFluxCommand(program: Command): void {
  program
    .command('flux')
    .description("run the flux CLI of the run's Flux release against a live run's cluster, e.g. fluxbench flux <run-dir> -- get all -A")
    .argument('<run>', 'the run folder (or a kubeconfig file) of a live run or of fluxbench up')
    .argument('[args...]', 'arguments for flux, after --')
    .action(async (run: string, args: string[]) => {
      const kubeconfig = runKubeconfig(run);
      const toolchain = await ensureToolchain({ progress: (e) => console.error(formatProgress(e)) });
      const flux = toolchain.binaries.flux;
      if (!flux) throw new UsageError('the toolchain has no flux CLI; run fluxbench setup');
      const result = await execa(flux, ['--kubeconfig', kubeconfig, ...args], { stdio: 'inherit', reject: false });
      process.exitCode = result.exitCode ?? 1;
    });
}
