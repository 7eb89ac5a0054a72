import { describe, expect, it } from 'vitest';
import { canonicalCycle, diagnose } from '../../../src/diagnose/index.ts';
import { parseGeneratorOptions, planWorkload } from '../../../src/workload/index.ts';
import { buildFluxState, simulate } from './fixtures.ts';
import type { GraphSpec } from './fixtures.ts';

const now = new Date('2026-11-25T12:00:00Z');

/** The generator's own graphs (graph.json truth), turned into cluster state, over several seeds. */
describe('diagnose on graphs from the workload generator', () => {
  for (const seed of [1, 7, 42, 1234, 99_999]) {
    it(`seed ${seed}: the generator's cycles, missing dependencies and broken roots, exactly`, () => {
      const options = parseGeneratorOptions({
        seed,
        apps: 60,
        teams: 3,
        helm: { releases: 3 },
        graph: {
          shape: 'random',
          edgeProbability: 0.15,
          faults: { selfDependency: 1, twoCycles: 2, cycles: [3, 5], missingDependency: 2, brokenRoots: 2, brokenChainLength: 2, kustomizationHelmCycle: true },
        },
      });
      const truth: GraphSpec = planWorkload(options, 'http://127.0.0.1:1').graph;
      const diagnosis = diagnose(buildFluxState(truth, { now }), now);

      const key = (cycles: readonly (readonly string[])[]) => cycles.map((c) => canonicalCycle(c).join(' > ')).sort();
      expect(key(diagnosis.cycles.map((c) => c.ids))).toEqual(key(truth.cycles));
      expect(truth.cycles).toHaveLength(1 + 2 + 2 + 1);
      expect([...new Set(diagnosis.missing.map((m) => m.to))].sort()).toEqual([...truth.missing].sort());

      const roots = new Set<string>();
      for (const f of diagnosis.findings) if (f.rootCause.type === 'object') roots.add(f.rootCause.fluxObject ?? f.rootCause.id);
      expect([...roots].sort()).toEqual(truth.brokenRoots.map((b) => b.id).sort());
      for (const b of truth.brokenRoots) {
        const finding = diagnosis.findings.find((f) => f.id === b.id)!;
        expect(finding.rootCause).toMatchObject({ type: 'object', reason: 'Pending', message: 'storageclass "fast" not found' });
      }

      const { ready } = simulate(truth);
      const notReady = truth.nodes.filter((n) => !ready.has(n.id)).map((n) => n.id).sort();
      expect(diagnosis.findings.map((f) => f.id).sort()).toEqual(notReady);
      for (const f of diagnosis.findings) expect(f.stuck, f.id).toBe(true);
    });
  }
});
