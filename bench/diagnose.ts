/**
 * How long a diagnosis takes on large fleets, as a ratio to a baseline measured in the same
 * run: one JSON round-trip of the same state (the least any analysis of it must cost).
 * Fleets: N Kustomizations/HelmReleases in random dependency DAGs with planted cycles, broken
 * roots and missing dependencies.
 */
import { performance } from 'node:perf_hooks';
import { diagnose } from '../src/diagnose/index.ts';
import { buildFluxState, graph, hr, ks } from '../test/unit/diagnose/fixtures.ts';

const now = new Date('2026-11-25T12:00:00Z');

function fleet(size: number): ReturnType<typeof graph> {
  let seed = size;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ids = Array.from({ length: size }, (_, i) => (i % 5 === 4 ? hr(`team-${i % 20}`, `app-${i}`) : ks(`team-${i % 20}`, `app-${i}`)));
  const edges: Record<string, string[]> = Object.fromEntries(ids.map((id) => [id, [] as string[]]));
  for (let i = 1; i < size; i += 1) for (let e = 0; e < 2; e += 1) if (random() < 0.5) edges[ids[i]!]!.push(ids[Math.floor(random() * i)]!);
  for (let c = 0; c < Math.max(1, size / 100); c += 1) {
    // A descending path a+k → … → a closed by a → a+k: one planted cycle of k+1 objects.
    const a = Math.floor(random() * (size - 10));
    const k = 1 + Math.floor(random() * 8);
    for (let j = 1; j <= k; j += 1) edges[ids[a + j]!]!.push(ids[a + j - 1]!);
    edges[ids[a]!]!.push(ids[a + k]!);
  }
  edges[ids[size - 1]!]!.push(ks('gone', 'missing'));
  const brokenRoots = ids.filter((_, i) => i % 97 === 3).map((id) => ({ id, reason: 'HealthCheckFailed' }));
  for (const id of Object.keys(edges)) edges[id] = [...new Set(edges[id])];
  return graph(edges, { brokenRoots });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => void, rounds: number): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

console.log('size  baseline(json round-trip)  diagnose   ratio   cycles  findings');
for (const size of [500, 2000, 5000]) {
  const state = buildFluxState(fleet(size), { now });
  const rounds = size >= 5000 ? 5 : size >= 2000 ? 9 : 21;
  const baseline = time(() => JSON.parse(JSON.stringify(state)), rounds);
  let cycles = 0;
  let findings = 0;
  const analysis = time(() => {
    const d = diagnose(state, now);
    cycles = d.counts.cycles;
    findings = d.findings.length;
  }, rounds);
  console.log(
    `${String(size).padEnd(5)} ${`${baseline.toFixed(1)}ms`.padEnd(26)} ${`${analysis.toFixed(1)}ms`.padEnd(10)} ${`${(analysis / baseline).toFixed(1)}x`.padEnd(7)} ${String(cycles).padEnd(7)} ${findings}`,
  );
}
