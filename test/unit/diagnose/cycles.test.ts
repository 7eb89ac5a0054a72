import { describe, expect, it } from 'vitest';
import { canonicalCycle, elementaryCycles, stronglyConnectedComponents } from '../../../src/diagnose/index.ts';

function adjacency(edges: Record<string, string[]>): Map<string, string[]> {
  return new Map(Object.entries(edges));
}

describe('stronglyConnectedComponents', () => {
  it('groups mutually reachable vertices and leaves the rest alone', () => {
    const graph = adjacency({ a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: ['a'] });
    expect(stronglyConnectedComponents(graph)).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f']]);
  });

  it('handles a 50,000-vertex chain without overflowing the stack', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 50_000; i += 1) edges[`v${i}`] = i > 0 ? [`v${i - 1}`] : [];
    expect(stronglyConnectedComponents(adjacency(edges))).toHaveLength(50_000);
  });

  it('ignores edges to vertices that are not in the graph', () => {
    expect(stronglyConnectedComponents(adjacency({ a: ['ghost'] }))).toEqual([['a']]);
  });
});

describe('elementaryCycles', () => {
  it('finds every cycle of a complete digraph on 5 vertices (84 = Σ C(5,k)(k-1)!)', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const graph = adjacency(Object.fromEntries(names.map((n) => [n, names.filter((m) => m !== n)])));
    const { cycles, truncated } = elementaryCycles(graph);
    expect(truncated).toBe(false);
    expect(cycles).toHaveLength(10 + 20 + 30 + 24);
    expect(new Set(cycles.map((c) => c.join(','))).size).toBe(84);
    for (const cycle of cycles) expect(cycle).toEqual(canonicalCycle(cycle));
  });

  it('reports self-loops as one-vertex cycles, besides longer ones through the same vertex', () => {
    const { cycles } = elementaryCycles(adjacency({ a: ['a', 'b'], b: ['a'] }));
    expect(cycles).toEqual([['a'], ['a', 'b']]);
  });

  it('lists cycles in edge order starting at the smallest vertex', () => {
    const { cycles } = elementaryCycles(adjacency({ c: ['a'], a: ['b'], b: ['c'] }));
    expect(cycles).toEqual([['a', 'b', 'c']]);
  });

  it('returns nothing for a DAG', () => {
    expect(elementaryCycles(adjacency({ a: ['b', 'c'], b: ['c'], c: [] })).cycles).toEqual([]);
  });

  it('stops at its bound and says so', () => {
    const names = Array.from({ length: 9 }, (_, i) => `n${i}`);
    const graph = adjacency(Object.fromEntries(names.map((n) => [n, names.filter((m) => m !== n)])));
    const limited = elementaryCycles(graph, { maxCycles: 100, maxSteps: 1_000_000 });
    expect(limited.truncated).toBe(true);
    expect(limited.cycles).toHaveLength(100);
    const stepped = elementaryCycles(graph, { maxCycles: 1_000_000, maxSteps: 500 });
    expect(stepped.truncated).toBe(true);
  });

  it('finds the one cycle of a 3,000-vertex ring', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 3000; i += 1) edges[`v${String(i).padStart(4, '0')}`] = [`v${String((i + 1) % 3000).padStart(4, '0')}`];
    const { cycles } = elementaryCycles(adjacency(edges));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(3000);
  });
});

describe('canonicalCycle', () => {
  it('rotates to the smallest id and keeps the order', () => {
    expect(canonicalCycle(['c', 'a', 'b'])).toEqual(['a', 'b', 'c']);
    expect(canonicalCycle(['b', 'c', 'a'])).toEqual(['a', 'b', 'c']);
  });
});
