/**
 * The synthetic run plus what a sharded kustomize-controller adds: two shard instances beside
 * the main one (their own memory, CPU, queue and error figures) and a restart of one shard, so
 * the per-instance summary names (`<controller>-shard<N>`) are produced too.
 */
import type { Sample } from '../../../../src/metrics/sample.ts';
import { INTERVAL_MS, ROUNDS, START_MS, syntheticSamples } from '../../report/synthetic-run.ts';

export function shardedSyntheticSamples(): Sample[] {
  const out = syntheticSamples();
  for (let round = 0; round < ROUNDS; round++) {
    const ts = START_MS + round * INTERVAL_MS + 4;
    for (const shard of ['shard1', 'shard2']) {
      const labels = { controller: 'kustomize-controller', shard };
      out.push({ ts, kind: 'controller', name: 'rss_bytes', value: (80 + round) * 2 ** 20, labels });
      out.push({ ts, kind: 'controller', name: 'cpu_cores', value: 0.05, labels });
      out.push({ ts, kind: 'controller', name: 'workqueue_depth', value: round % 7, labels });
      out.push({ ts, kind: 'controller', name: 'reconcile_errors_total', value: Math.floor(round / 30), labels });
    }
  }
  out.push({ ts: START_MS + 200_000, kind: 'process', name: 'restart', labels: { controller: 'kustomize-controller', shard: 'shard2' }, detail: { restarts: 1, cause: 'exit' } });
  return out.sort((a, b) => a.ts - b.ts);
}
