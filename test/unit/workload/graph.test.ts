import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { cyclicComponents, expectedOutcome, shapeEdges } from '../../../src/workload/graph.ts';
import { loadGraphTruth, parseGeneratorOptions, planWorkload, writeGraphTruth } from '../../../src/workload/index.ts';
import { SeededRandom } from '../../../src/workload/random.ts';
import { tempDir } from './helpers.ts';

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const graphOf = (input: object) => parseGeneratorOptions({ graph: input }).graph;

describe('graph shapes', () => {
  it('chains apps in runs of depth', () => {
    expect(shapeEdges(7, graphOf({ shape: 'chain', depth: 3 }), new SeededRandom(1))).toEqual([[], [0], [1], [], [3], [4], []]);
  });

  it('fans out from one root and fans in to one sink', () => {
    expect(shapeEdges(7, graphOf({ shape: 'fan-out', fanOut: 3 }), new SeededRandom(1))).toEqual([[], [0], [0], [0], [1], [1], [1]]);
    expect(shapeEdges(7, graphOf({ shape: 'fan-in', fanOut: 3 }), new SeededRandom(1))).toEqual([[1, 2, 3], [4, 5, 6], [], [], [], [], []]);
  });

  it('draws random DAGs that are acyclic, bounded and reproducible', () => {
    const options = graphOf({ shape: 'random', edgeProbability: 0.5, maxDependsOn: 4 });
    const first = shapeEdges(60, options, new SeededRandom('s'));
    expect(shapeEdges(60, options, new SeededRandom('s'))).toEqual(first);
    expect(shapeEdges(60, options, new SeededRandom('t'))).not.toEqual(first);
    first.forEach((deps, i) => {
      expect(deps.length).toBeLessThanOrEqual(4);
      for (const d of deps) expect(d).toBeLessThan(i);
    });
    expect(first.flat().length).toBeGreaterThan(60);
    const nodes = first.map((deps, i) => ({ id: String(i), dependsOn: deps.map(String) }));
    expect(cyclicComponents(nodes)).toEqual([]);
  });
});

describe('cycle detection', () => {
  it('finds self-loops and cycles, not DAG diamonds', () => {
    const nodes = [
      { id: 'a', dependsOn: ['b', 'c'] },
      { id: 'b', dependsOn: ['d'] },
      { id: 'c', dependsOn: ['d'] },
      { id: 'd', dependsOn: [] },
      { id: 's', dependsOn: ['s'] },
      { id: 'x', dependsOn: ['y'] },
      { id: 'y', dependsOn: ['z'] },
      { id: 'z', dependsOn: ['x', 'gone'] },
    ];
    const found = cyclicComponents(nodes).map((c) => [...c].sort());
    expect(found.sort()).toEqual([['s'], ['x', 'y', 'z']]);
  });

  it('walks a 20000-deep chain without overflowing the stack', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, dependsOn: [`n${(i + 1) % 20_000}`] }));
    expect(cyclicComponents(nodes)[0]).toHaveLength(20_000);
  });
});

describe('graph truth of a plan', () => {
  const options = parseGeneratorOptions({
    apps: 30,
    helm: { releases: 1 },
    graph: {
      shape: 'random',
      edgeProbability: 0.3,
      faults: { selfDependency: 1, twoCycles: 2, cycles: [4], kustomizationHelmCycle: true, missingDependency: 2, brokenRoots: 1, brokenChainLength: 3 },
    },
  });
  const plan = planWorkload(options, 'http://127.0.0.1:1');
  const { graph } = plan;

  it('lists exactly the cycles the graph has', () => {
    expect(graph.cycles.map((c) => c.length)).toEqual([1, 2, 2, 4, 3]);
    const actual = cyclicComponents(graph.nodes).map((c) => [...c].sort().join(' '));
    expect(actual.sort()).toEqual(graph.cycles.map((c) => [...c].sort().join(' ')).sort());
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    for (const cycle of graph.cycles) {
      cycle.forEach((id, i) => expect(byId.get(id)!.dependsOn).toContain(cycle[(i + 1) % cycle.length]));
    }
  });

  it('crosses kinds in the Kustomization <-> HelmRelease cycle', () => {
    const khc = graph.cycles.at(-1)!;
    expect(khc).toEqual(['Kustomization/flux-system/khc-config', 'Kustomization/flux-system/khc-release', 'HelmRelease/flux-system/khc-hr']);
  });

  it('records missing dependencies that no node has, and a broken root with its dependants', () => {
    const ids = new Set(graph.nodes.map((n) => n.id));
    expect(graph.missing).toHaveLength(2);
    for (const id of graph.missing) {
      expect(ids.has(id)).toBe(false);
      expect(graph.nodes.some((n) => n.dependsOn.includes(id))).toBe(true);
    }
    expect(graph.brokenRoots).toHaveLength(1);
    const root = graph.brokenRoots[0]!;
    expect(root.reason).toMatch(/StorageClass "fast"/);
    expect(plan.units.find((u) => u.id === root.id)!.variant).toBe('broken-root');
    // three dependants chained below it
    let current = root.id;
    for (let i = 0; i < 3; i++) {
      const next = graph.nodes.find((n) => n.dependsOn.includes(current));
      expect(next).toBeDefined();
      current = next!.id;
    }
  });

  it('round-trips through graph.json and refuses other files', () => {
    const dir = tempDir('graph');
    cleanup.push(dir);
    const path = join(dir, 'graph.json');
    writeGraphTruth(path, graph);
    expect(loadGraphTruth(path)).toEqual(graph);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ nodes: [{ id: 1 }] }));
    expect(() => loadGraphTruth(join(dir, 'bad.json'))).toThrow(UsageError);
    expect(() => loadGraphTruth(join(dir, 'absent.json'))).toThrow(/cannot read graph truth/);
  });
});

describe('expected outcome', () => {
  it('marks cycles, broken roots, missing dependencies and everything downstream as stuck', () => {
    const truth = {
      nodes: [
        { id: 'ok', kind: 'Kustomization' as const, namespace: 'f', name: 'ok', dependsOn: [] },
        { id: 'ok2', kind: 'Kustomization' as const, namespace: 'f', name: 'ok2', dependsOn: ['ok'] },
        { id: 'c1', kind: 'Kustomization' as const, namespace: 'f', name: 'c1', dependsOn: ['c2'] },
        { id: 'c2', kind: 'Kustomization' as const, namespace: 'f', name: 'c2', dependsOn: ['c1'] },
        { id: 'afterCycle', kind: 'Kustomization' as const, namespace: 'f', name: 'a', dependsOn: ['ok', 'c2'] },
        { id: 'root', kind: 'Kustomization' as const, namespace: 'f', name: 'root', dependsOn: [] },
        { id: 'below', kind: 'Kustomization' as const, namespace: 'f', name: 'below', dependsOn: ['root'] },
        { id: 'further', kind: 'HelmRelease' as const, namespace: 'f', name: 'further', dependsOn: ['below'] },
        { id: 'orphan', kind: 'Kustomization' as const, namespace: 'f', name: 'orphan', dependsOn: ['gone'] },
      ],
      cycles: [['c1', 'c2']],
      brokenRoots: [{ id: 'root', reason: 'r' }],
      missing: ['gone'],
    };
    const outcome = expectedOutcome(truth);
    expect(outcome.ready).toEqual(['ok', 'ok2']);
    const byId = new Map(outcome.stuck.map((s) => [s.id, s]));
    expect(byId.get('c1')).toEqual({ id: 'c1', cause: 'cycle', blockedBy: 'c1' });
    expect(byId.get('afterCycle')).toEqual({ id: 'afterCycle', cause: 'dependency-not-ready', blockedBy: 'c2' });
    expect(byId.get('root')!.cause).toBe('broken-root');
    expect(byId.get('further')).toEqual({ id: 'further', cause: 'dependency-not-ready', blockedBy: 'below' });
    expect(byId.get('orphan')).toEqual({ id: 'orphan', cause: 'missing-dependency', blockedBy: 'gone' });
    expect(outcome.stuck).toHaveLength(7);
  });

  it('leaves every node of a healthy plan ready', () => {
    const healthy = planWorkload(parseGeneratorOptions({ apps: 20, graph: { shape: 'fan-in' } }), 'http://127.0.0.1:1').graph;
    expect(expectedOutcome(healthy)).toEqual({ ready: healthy.nodes.map((n) => n.id), stuck: [] });
  });
});
