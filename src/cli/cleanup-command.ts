import type { Command } from 'commander';
import { deleteKwokCluster, listKwokClusters } from '../cluster/index.ts';
import { reapOrphanedRuns, readRunRecords } from '../lifecycle/index.ts';
import { ensureToolchain } from '../toolchain/index.ts';

export function registerCleanupCommand(program: Command): void {
  program
    .command('cleanup')
    .description('stop every process and delete every cluster left by runs that are no longer running (e.g. a SIGKILLed runner)')
    .option('--all', 'also stop runs whose runner is still alive, and delete every fluxbench kwok cluster')
    .action(async (opts: { all?: boolean }) => {
      const toolchain = await ensureToolchain();
      const actions = await reapOrphanedRuns(toolchain.cacheRoot, { includeLive: Boolean(opts.all) });
      if (opts.all) {
        const known = new Set(readRunRecords(toolchain.cacheRoot).map((r) => r.record.runId));
        for (const name of await listKwokClusters(toolchain)) {
          if (known.has(name)) continue;
          await deleteKwokCluster(toolchain, name);
          actions.push(`deleted cluster ${name}`);
        }
      }
      console.log(actions.length ? actions.join('\n') : 'nothing to clean up');
    });
}
