/**
 * Graph algorithms shared by the generator (its ground truth) and the diagnosis (what the
 * cluster shows): both ask which ids wait on each other in a cycle.
 */

export type Adjacency = ReadonlyMap<string, readonly string[]>;

/** Strongly connected components, each sorted, in a deterministic order. Iterative: deep chains do not overflow the stack. */
export function stronglyConnectedComponents(graph: Adjacency): string[][] {
  const index = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;

  const vertices = [...graph.keys()].sort();
  for (const root of vertices) {
    if (index.has(root)) continue;
    const work: { vertex: string; edge: number }[] = [{ vertex: root, edge: 0 }];
    index.set(root, next);
    lowlink.set(root, next);
    next += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.vertex) ?? [];
      if (frame.edge < edges.length) {
        const target = edges[frame.edge]!;
        frame.edge += 1;
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          index.set(target, next);
          lowlink.set(target, next);
          next += 1;
          stack.push(target);
          onStack.add(target);
          work.push({ vertex: target, edge: 0 });
        } else if (onStack.has(target)) {
          lowlink.set(frame.vertex, Math.min(lowlink.get(frame.vertex)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowlink.set(parent.vertex, Math.min(lowlink.get(parent.vertex)!, lowlink.get(frame.vertex)!));
      if (lowlink.get(frame.vertex) === index.get(frame.vertex)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.vertex);
        components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}
