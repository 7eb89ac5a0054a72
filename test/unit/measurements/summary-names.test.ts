import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSamples, findMetric, flatMetrics } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { CONTROLLERS, INTERVAL_MS, ROUNDS, START_MS, syntheticSamples } from '../report/synthetic-run.ts';
import { shardedSyntheticSamples } from './support/sharded-run.ts';

/**
 * The summary metric names the synthetic runs produced before the measurements became modules,
 * captured by running the old flatMetrics over them (summary-metric-names.json).
 */
const before = JSON.parse(readFileSync(join(import.meta.dirname, 'summary-metric-names.json'), 'utf8')) as { synthetic: string[]; sharded: string[] };

const names = (samples: readonly Sample[]) => Object.keys(flatMetrics(analyzeSamples(samples)));

/** Added since that capture: the memory trend, which the synthetic runs' 5-minute measure phase has. */
const addedSince = (name: string) => /^memory\.[^.]+\.slope$/.test(name);
const namesThen = (samples: readonly Sample[]) => names(samples).filter((name) => !addedSince(name));

/** The synthetic run plus what the Go and process collectors add to each scrape. */
function withGoProcess(samples: Sample[]): Sample[] {
  const out = [...samples];
  for (let round = 0; round < ROUNDS; round++) {
    for (const controller of CONTROLLERS) {
      const labels = { controller };
      const ts = START_MS + round * INTERVAL_MS + 5;
      out.push({ ts, kind: 'controller', name: 'goroutines', value: 80 + round, labels });
      out.push({ ts, kind: 'controller', name: 'open_fds', value: 20 + (round % 5), labels });
      out.push({ ts, kind: 'controller', name: 'max_fds', value: 1_048_576, labels });
    }
  }
  return out;
}

describe('summary metric names', () => {
  const runs: Record<string, Sample[]> = {
    synthetic: syntheticSamples(),
    sharded: shardedSyntheticSamples(),
    'synthetic with goroutines and fds': withGoProcess(syntheticSamples()),
  };

  it.each(Object.keys(runs))('each one the %s run produces matches exactly one catalogue entry', (run) => {
    const produced = names(runs[run]!);
    expect(produced.length).toBeGreaterThan(50);
    const unmatched = produced.filter((name) => findMetric(name).length !== 1);
    expect(unmatched).toEqual([]);
  });

  it('are the names produced before the measurements became modules, plus memory.<controller>.slope', () => {
    expect(namesThen(runs.synthetic!)).toEqual(before.synthetic);
    expect(namesThen(runs.sharded!)).toEqual(before.sharded);
    expect(names(runs.synthetic!).filter(addedSince).sort()).toEqual(CONTROLLERS.map((c) => `memory.${c}.slope`).sort());
    const shardSlopes = ['kustomize-controller-shard1', 'kustomize-controller-shard2'].map((i) => `memory.${i}.slope`);
    expect(names(runs.sharded!).filter(addedSince).sort()).toEqual([...CONTROLLERS.map((c) => `memory.${c}.slope`), ...shardSlopes].sort());
  });

  it('gain only goroutines.<controller>.max and fds.<controller>.max from the go-process measurement', () => {
    const added = namesThen(runs['synthetic with goroutines and fds']!).filter((name) => !before.synthetic.includes(name));
    expect(added.sort()).toEqual(CONTROLLERS.flatMap((c) => [`fds.${c}.max`, `goroutines.${c}.max`]).sort());
    expect(before.synthetic.every((name) => names(runs['synthetic with goroutines and fds']!).includes(name))).toBe(true);
  });
});
