/**
 * Cycle detection on a directed graph of string ids: strongly connected components (Tarjan)
 * and every elementary cycle within each (Johnson), bounded so a dense graph cannot hang a
 * diagnosis.
 */

import { stronglyConnectedComponents, type Adjacency } from '../util/graph.ts';

export { stronglyConnectedComponents, type Adjacency };

export interface CycleSearchLimits {
  /** Stop after this many cycles. */
  maxCycles: number;
  /** Stop after this many search steps (edge visits), whatever was found. */
  maxSteps: number;
}

export interface CycleSearchResult {
  /** Each cycle lists its vertices in edge order, starting at its smallest id; a self-loop is a one-vertex cycle. */
  cycles: string[][];
  /** True when a limit stopped the search before every cycle was found. */
  truncated: boolean;
}

export const defaultCycleLimits: CycleSearchLimits = { maxCycles: 10_000, maxSteps: 5_000_000 };

/** Every elementary cycle (Johnson's algorithm per strongly connected component), sorted by length then ids. */
export function elementaryCycles(graph: Adjacency, limits: CycleSearchLimits = defaultCycleLimits): CycleSearchResult {
  const cycles: string[][] = [];
  let steps = 0;
  let truncated = false;

  for (const vertex of [...graph.keys()].sort()) {
    if ((graph.get(vertex) ?? []).includes(vertex)) cycles.push([vertex]);
  }

  const withoutSelfLoops = new Map<string, string[]>();
  for (const [vertex, targets] of graph) {
    withoutSelfLoops.set(vertex, [...new Set(targets)].filter((t) => t !== vertex && graph.has(t)).sort());
  }

  search: for (const component of stronglyConnectedComponents(withoutSelfLoops)) {
    if (component.length < 2) continue;
    const order = component; // sorted: each start vertex is the least of the cycles it finds
    const rank = new Map(order.map((v, i) => [v, i]));
    let s = 0;
    while (s < order.length - 1) {
      // Johnson: the least vertex of any non-trivial component of the subgraph on ranks >= s starts the next search.
      const sub = new Map<string, string[]>();
      for (const v of order.slice(s)) {
        sub.set(v, withoutSelfLoops.get(v)!.filter((t) => (rank.get(t) ?? -1) >= s));
      }
      const nontrivial = stronglyConnectedComponents(sub).filter((c) => c.length > 1);
      if (nontrivial.length === 0) break;
      const startComponent = nontrivial.reduce((least, c) => (rank.get(c[0]!)! < rank.get(least[0]!)! ? c : least));
      s = rank.get(startComponent[0]!)!;
      const members = new Set(startComponent);
      const adjacency = new Map<string, string[]>();
      for (const v of startComponent) adjacency.set(v, sub.get(v)!.filter((t) => members.has(t)));

      const start = order[s]!;
      const blocked = new Set<string>();
      const blockedBy = new Map<string, Set<string>>();
      const path: string[] = [];
      const unblock = (v: string): void => {
        const pending = [v];
        while (pending.length > 0) {
          const u = pending.pop()!;
          if (!blocked.delete(u)) continue;
          const waiters = blockedBy.get(u);
          if (waiters) {
            blockedBy.delete(u);
            pending.push(...waiters);
          }
        }
      };
      const circuit = (v: string): boolean => {
        let found = false;
        path.push(v);
        blocked.add(v);
        for (const w of adjacency.get(v)!) {
          steps += 1;
          if (steps > limits.maxSteps || cycles.length >= limits.maxCycles) {
            truncated = true;
            return found;
          }
          if (w === start) {
            cycles.push([...path]);
            found = true;
          } else if (!blocked.has(w) && circuit(w)) {
            found = true;
          }
          if (truncated) return found;
        }
        if (found) unblock(v);
        else {
          for (const w of adjacency.get(v)!) {
            let waiters = blockedBy.get(w);
            if (!waiters) blockedBy.set(w, (waiters = new Set()));
            waiters.add(v);
          }
        }
        path.pop();
        return found;
      };
      try {
        circuit(start);
      } catch (err) {
        // A cycle longer than the call stack allows: report what was found as a truncated search.
        if (!(err instanceof RangeError)) throw err;
        truncated = true;
      }
      if (truncated) break search;
      s += 1;
    }
  }
  cycles.sort((a, b) => a.length - b.length || compareLists(a, b));
  return { cycles, truncated };
}

function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length - b.length;
}

/** A cycle rotated to start at its smallest id: the canonical form to compare cycles by. */
export function canonicalCycle(cycle: readonly string[]): string[] {
  if (cycle.length === 0) return [];
  let least = 0;
  for (let i = 1; i < cycle.length; i += 1) if (cycle[i]! < cycle[least]!) least = i;
  return [...cycle.slice(least), ...cycle.slice(0, least)];
}
