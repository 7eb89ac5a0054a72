import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onTermination, reapOrphanedRuns, RunRegistry, startWatchdog } from '../lifecycle/index.ts';
import { startEnvironment } from '../providers/index.ts';
import { ensureToolchain, formatProgress } from '../toolchain/index.ts';
import { NdjsonWriter } from '../util/ndjson.ts';
import { newRunId } from '../util/run-id.ts';
import { ExitCode, UsageError } from '../util/exit-codes.ts';

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start the local cluster with the real Flux controllers and keep it until Ctrl-C (or --exit-when-ready)')
    .option('--nodes <n>', 'number of kwok nodes', '2')
    .option('--helm', 'also start helm-controller')
    .option('--kustomize-shards <n>', 'kustomize-controller shards beside the main instance', '0')
    .option('--exit-when-ready', 'tear down and exit as soon as everything is ready (prints timings)')
    .option('--reports <dir>', 'folder for run folders', 'reports')
    .action(async (opts: { nodes: string; helm?: boolean; kustomizeShards: string; exitWhenReady?: boolean; reports: string }) => {
      const nodes = Number(opts.nodes);
      const shards = Number(opts.kustomizeShards);
      if (!Number.isInteger(nodes) || nodes < 0) throw new UsageError(`--nodes: "${opts.nodes}" is not a whole number >= 0`);
      if (!Number.isInteger(shards) || shards < 0) throw new UsageError(`--kustomize-shards: "${opts.kustomizeShards}" is not a whole number >= 0`);
      const toolchain = await ensureToolchain({ progress: (e) => console.error(formatProgress(e)) });
      for (const action of await reapOrphanedRuns(toolchain.cacheRoot)) console.error(`cleanup: ${action}`);
      const runId = newRunId();
      const runDir = resolve(opts.reports, runId);
      // The run's folder holds the kubeconfig and the controllers' logs: owner only.
      mkdirSync(runDir, { recursive: true, mode: 0o700 });
      const registry = new RunRegistry(toolchain.cacheRoot, runId);
      startWatchdog(registry);
      const sink = new NdjsonWriter(join(runDir, 'samples.ndjson'));
      let env: Awaited<ReturnType<typeof startEnvironment>> | undefined;
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const teardown = async (reason: string): Promise<void> => {
        console.error(`fluxbench up: ${reason}: tearing down ${runId}`);
        if (reason === 'SIGINT' || reason === 'SIGTERM') process.exitCode = ExitCode.interrupted;
        await env?.stop();
        sink.close();
        registry.remove();
        done();
      };
      const release = onTermination(teardown);
      try {
        env = await startEnvironment({
          toolchain,
          runId,
          runDir,
          nodes,
          sink,
          registry,
          controllers: { source: {}, kustomize: { shards }, helm: { enabled: Boolean(opts.helm) }, notification: { enabled: false } },
        });
        console.log(`cluster ready in ${(env.timings.clusterReadyMs / 1000).toFixed(1)}s, Flux ready in ${(env.timings.fluxReadyMs / 1000).toFixed(1)}s`);
        console.log(`export KUBECONFIG=${env.cluster.kubeconfigPath}`);
        for (const c of env.flux.controllers) console.log(`  ${c.id.padEnd(32)} pid ${c.process.pid}  ${c.metricsUrl}`);
        if (opts.exitWhenReady) await teardown('ready');
        await finished;
      } catch (err) {
        await teardown('error');
        throw err;
      } finally {
        release();
      }
    });
}
