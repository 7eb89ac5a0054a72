/**
 * The dependency graph between Flux objects, and its ground truth (`graph.json`): which
 * objects exist, what each depends on, which cycles, broken roots and missing objects were
 * injected. `fluxbench diagnose` and reports are checked against this file.
 */
import { stronglyConnectedComponents } from '../util/graph.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import type { GeneratorOptions } from './options.ts';
import type { SeededRandom } from './random.ts';

export type FluxNodeKind = 'Kustomization' | 'HelmRelease';

export interface GraphNode {
  /** `<Kind>/<namespace>/<name>` */
  id: string;
  kind: FluxNodeKind;
  namespace: string;
  name: string;
  /** Ids this object waits for (Flux dependsOn, or a health check / needed ConfigMap for cross-kind edges). */
  dependsOn: string[];
}

export interface BrokenRoot {
  id: string;
  reason: string;
}

export interface GraphTruth {
  nodes: GraphNode[];
  /** Each injected cycle, ids in dependency order (a depends on b depends on ... depends on a). */
  cycles: string[][];
  brokenRoots: BrokenRoot[];
  /** Ids depended on that no generated object has. */
  missing: string[];
}

export function nodeId(kind: FluxNodeKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Edges among healthy apps for a shape; `dependsOn[i]` lists indices app i depends on. */
export function shapeEdges(count: number, graph: GeneratorOptions['graph'], random: SeededRandom): number[][] {
  const deps: number[][] = Array.from({ length: count }, () => []);
  switch (graph.shape) {
    case 'none':
      break;
    case 'chain':
      // Chains of `depth` apps: each app waits for the one before it in its chain.
      for (let i = 0; i < count; i++) if (i % graph.depth !== 0) deps[i]!.push(i - 1);
      break;
    case 'fan-out':
      // One root many wait for: every child waits for its parent.
      for (let i = 1; i < count; i++) deps[i]!.push(Math.floor((i - 1) / graph.fanOut));
      break;
    case 'fan-in':
      // Many leaves one sink waits for: every parent waits for its children.
      for (let i = 1; i < count; i++) deps[Math.floor((i - 1) / graph.fanOut)]!.push(i);
      break;
    case 'random':
      // Edges only point to earlier apps, so the result is acyclic by construction.
      for (let i = 1; i < count; i++) {
        for (let j = 0; j < i && deps[i]!.length < graph.maxDependsOn; j++) {
          if (random.next() < graph.edgeProbability) deps[i]!.push(j);
        }
      }
      break;
  }
  return deps;
}

/** Strongly connected components with a cycle (size > 1 or a self-loop). */
export function cyclicComponents(nodes: readonly Pick<GraphNode, 'id' | 'dependsOn'>[]): string[][] {
  const known = new Set(nodes.map((n) => n.id));
  const edges = new Map(nodes.map((n) => [n.id, n.dependsOn.filter((d) => known.has(d))]));
  return stronglyConnectedComponents(edges).filter((c) => c.length > 1 || (edges.get(c[0]!) ?? []).includes(c[0]!));
}

export type StuckCause = 'cycle' | 'broken-root' | 'missing-dependency' | 'dependency-not-ready';

export interface StuckNode {
  id: string;
  cause: StuckCause;
  /** The cycle, broken root, missing id or not-ready dependency that holds it. */
  blockedBy: string;
}

export interface ExpectedOutcome {
  /** Ids that should become Ready once Flux has caught up. */
  ready: string[];
  /** Ids that can never become Ready, and why (first cause found). */
  stuck: StuckNode[];
}

/**
 * What a correct Flux does with this graph: objects in a cycle, broken roots and objects
 * waiting on a missing object never get Ready, nor does anything that waits on them.
 */
export function expectedOutcome(truth: GraphTruth): ExpectedOutcome {
  const stuck = new Map<string, StuckNode>();
  for (const cycle of truth.cycles) for (const id of cycle) if (!stuck.has(id)) stuck.set(id, { id, cause: 'cycle', blockedBy: cycle[0]! });
  for (const root of truth.brokenRoots) if (!stuck.has(root.id)) stuck.set(root.id, { id: root.id, cause: 'broken-root', blockedBy: root.id });
  const missing = new Set(truth.missing);
  const dependants = new Map<string, string[]>();
  for (const node of truth.nodes) {
    for (const dep of node.dependsOn) {
      if (missing.has(dep) && !stuck.has(node.id)) stuck.set(node.id, { id: node.id, cause: 'missing-dependency', blockedBy: dep });
      const list = dependants.get(dep) ?? [];
      list.push(node.id);
      dependants.set(dep, list);
    }
  }
  const queue = [...stuck.keys()];
  while (queue.length > 0) {
    const blocker = queue.shift()!;
    for (const id of dependants.get(blocker) ?? []) {
      if (stuck.has(id)) continue;
      stuck.set(id, { id, cause: 'dependency-not-ready', blockedBy: blocker });
      queue.push(id);
    }
  }
  return { ready: truth.nodes.filter((n) => !stuck.has(n.id)).map((n) => n.id), stuck: [...stuck.values()] };
}

const graphTruthSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['Kustomization', 'HelmRelease']),
      namespace: z.string(),
      name: z.string(),
      dependsOn: z.array(z.string()),
    }),
  ),
  cycles: z.array(z.array(z.string())),
  brokenRoots: z.array(z.object({ id: z.string(), reason: z.string() })),
  missing: z.array(z.string()),
});

export function writeGraphTruth(path: string, truth: GraphTruth): void {
  writeFileSync(path, `${JSON.stringify(truth, null, 2)}\n`);
}

/** Reads and validates a `graph.json` written by the generator. */
export function loadGraphTruth(path: string): GraphTruth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: cannot read graph truth: ${(err as Error).message}`);
  }
  const result = graphTruthSchema.safeParse(raw);
  if (!result.success) {
    throw new UsageError(`${path}: not a fluxbench graph.json: ${formatZodIssues(result.error.issues.slice(0, 1))[0]}`);
  }
  return result.data;
}
