import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deleteKwokCluster, listKwokClusters } from '../providers/index.ts';
import { reapOrphanedRuns, readRunRecords } from '../lifecycle/index.ts';
import { cacheRoot } from '../toolchain/index.ts';

/** A kwokctl from the cache, whatever version: cleanup must work without building anything. */
function cachedKwokctl(root: string): string | undefined {
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => /^kwok-v[\d.]+$/.test(d)) : [];
  return dirs.map((d) => join(root, d, 'bin', 'kwokctl')).find((p) => existsSync(p));
}

export function registerCleanupCommand(program: Command): void {
  program
    .command('cleanup')
    .description('stop every process and delete every cluster left by runs that are no longer running (e.g. a SIGKILLed runner)')
    .option('--all', 'also stop runs whose runner is still alive, and delete every fluxbench kwok cluster')
    .action(async (opts: { all?: boolean }) => {
      const root = cacheRoot();
      const actions = await reapOrphanedRuns(root, { includeLive: Boolean(opts.all) });
      const kwokctl = cachedKwokctl(root);
      if (opts.all && kwokctl) {
        const toolchain = { cacheRoot: root, binaries: { kwokctl } };
        const known = new Set(readRunRecords(root).map((r) => r.record.runId));
        for (const name of await listKwokClusters(toolchain)) {
          if (known.has(name)) continue;
          await deleteKwokCluster(toolchain, name);
          actions.push(`deleted cluster ${name}`);
        }
      }
      console.log(actions.length ? actions.join('\n') : 'nothing to clean up');
    });
}
