import { describe, expect, it } from 'vitest';
import { canonicalCycle, diagnose } from '../../../src/diagnose/index.ts';
import type { Diagnosis } from '../../../src/diagnose/index.ts';
import { buildFluxState, graph, hr, ks, simulate } from './fixtures.ts';
import type { GraphSpec } from './fixtures.ts';
import { mulberry32 } from '../../support/random.ts';

const now = new Date('2026-11-25T12:00:00Z');

function cycleKeys(cycles: readonly (readonly string[])[]): string[] {
  return cycles.map((c) => canonicalCycle(c).join(' > ')).sort();
}

/** The Flux object a finding's root cause blames (for a PVC root: the Flux object waiting on it). */
function rootObjects(diagnosis: Diagnosis): string[] {
  const ids = new Set<string>();
  for (const f of diagnosis.findings) {
    if (f.rootCause.type === 'object') ids.add(f.rootCause.fluxObject ?? f.rootCause.id);
  }
  return [...ids].sort();
}

/** Broken roots Flux can show: the ones whose dependencies are all satisfied (otherwise DependencyNotReady hides them). */
function visibleRoots(spec: GraphSpec): string[] {
  const { depsOk } = simulate(spec);
  return spec.brokenRoots.map((b) => b.id).filter((id) => depsOk.has(id)).sort();
}

function assertExact(spec: GraphSpec, diagnosis: Diagnosis): void {
  expect(cycleKeys(diagnosis.cycles.map((c) => c.ids))).toEqual(cycleKeys(spec.cycles));
  expect([...new Set(diagnosis.missing.map((m) => m.to))].sort()).toEqual([...spec.missing].sort());
  expect(rootObjects(diagnosis)).toEqual(visibleRoots(spec));
  const inCycle = new Set(spec.cycles.flat());
  for (const f of diagnosis.findings) {
    if (inCycle.has(f.id)) {
      expect(f.rootCause.type, f.id).toBe('cycle');
      if (f.rootCause.type === 'cycle') expect(f.rootCause.cycle[0]).toBe(f.id);
    }
    if (f.rootCause.type === 'missing') expect(spec.missing).toContain(f.rootCause.id);
  }
  // Every object the simulation says is not Ready is a finding, and nothing else is.
  const { ready } = simulate(spec);
  const notReady = spec.nodes.filter((n) => !ready.has(n.id)).map((n) => n.id).sort();
  expect(diagnosis.findings.filter((f) => f.kind !== 'GitRepository' && f.kind !== 'HelmChart').map((f) => f.id).sort()).toEqual(notReady);
}

describe('diagnose against known graphs', () => {
  it('reports a self-dependency as a one-object cycle', () => {
    const spec = graph({ [ks('apps', 'a')]: [ks('apps', 'a')], [ks('apps', 'b')]: [ks('apps', 'a')] }, { cycles: [[ks('apps', 'a')]] });
    const diagnosis = diagnose(buildFluxState(spec, { now }), now);
    assertExact(spec, diagnosis);
    expect(diagnosis.selfDependencies).toEqual([ks('apps', 'a')]);
    const b = diagnosis.findings.find((f) => f.id === ks('apps', 'b'))!;
    expect(b.rootCause).toEqual({ type: 'cycle', cycle: [ks('apps', 'a')] });
    expect(b.stuck).toBe(true);
  });

  it('reports a 2-cycle and a k-cycle, and their dependents', () => {
    const spec = graph(
      {
        [ks('a', 'x')]: [ks('a', 'y')],
        [ks('a', 'y')]: [ks('a', 'x')],
        [ks('b', 'p')]: [ks('b', 'q')],
        [ks('b', 'q')]: [ks('c', 'r')],
        [ks('c', 'r')]: [ks('b', 's')],
        [ks('b', 's')]: [ks('b', 'p')],
        [ks('d', 'downstream')]: [ks('b', 'q')],
        [ks('d', 'fine')]: [],
      },
      { cycles: [[ks('a', 'x'), ks('a', 'y')], [ks('b', 'p'), ks('b', 'q'), ks('c', 'r'), ks('b', 's')]] },
    );
    const diagnosis = diagnose(buildFluxState(spec, { now }), now);
    assertExact(spec, diagnosis);
    const downstream = diagnosis.findings.find((f) => f.id === ks('d', 'downstream'))!;
    expect(downstream.rootCause).toEqual({ type: 'cycle', cycle: [ks('b', 'q'), ks('c', 'r'), ks('b', 's'), ks('b', 'p')] });
    expect(downstream.chain.map((h) => h.id)).toEqual([ks('d', 'downstream'), ks('b', 'q')]);
  });

  it('enumerates every elementary cycle of overlapping cycles', () => {
    // a→b→a, b→c→b, a→b→c→a: three elementary cycles sharing vertices.
    const a = ks('o', 'a');
    const b = ks('o', 'b');
    const c = ks('o', 'c');
    const spec = graph({ [a]: [b], [b]: [a, c], [c]: [b, a] }, { cycles: [[a, b], [b, c], [a, b, c]] });
    assertExact(spec, diagnose(buildFluxState(spec, { now }), now));
  });

  it('finds a Kustomization ↔ HelmRelease cycle: a health check one way, a ConfigMap the other', () => {
    const k = ks('apps', 'config');
    const h = hr('apps', 'web');
    const spec = graph({ [k]: [h], [h]: [k], [ks('apps', 'after')]: [k] }, { cycles: [[h, k]] });
    const state = buildFluxState(spec, { now });
    expect(state.producerHints).toBeUndefined(); // the Kustomization applied once: its inventory tells
    const diagnosis = diagnose(state, now);
    assertExact(spec, diagnosis);
    expect(diagnosis.cycles[0]!.edges.map((e) => e.via)).toEqual([['needs'], ['healthCheck']]);
  });

  it('sees a never-applied cross-kind deadlock through producer hints only; without them the release blames the missing ConfigMap', () => {
    // The workload generator's deadlock: config dependsOn release, release health-checks the
    // HelmRelease, and the HelmRelease reads a ConfigMap only config would create.
    const config = ks('flux-system', 'khc-config');
    const release = ks('flux-system', 'khc-release');
    const h = hr('flux-system', 'khc-hr');
    const spec = graph({ [config]: [release], [release]: [h], [h]: [config] }, { cycles: [[config, release, h]] });
    const state = buildFluxState(spec, { now });
    expect(Object.values(state.producerHints ?? {})).toEqual([config]);
    assertExact(spec, diagnose(state, now));

    delete state.producerHints;
    const blind = diagnose(state, now);
    expect(blind.cycles).toEqual([]);
    const finding = blind.findings.find((f) => f.id === config)!;
    expect(finding.chain.map((hop) => hop.id)).toEqual([config, release, h]);
    expect(finding.rootCause).toMatchObject({ type: 'object', id: h, reason: 'InitFailed' });
    expect(finding.rootCause.type === 'object' && finding.rootCause.message).toContain('configmaps "needs-kustomization-flux-system-khc-config" not found');
  });

  it('follows a chain to a known broken root through a health check to the PVC and its StorageClass', () => {
    const web = ks('apps', 'web');
    const db = ks('infra', 'db');
    const spec = graph({ [web]: [db], [db]: [] }, { brokenRoots: [{ id: db, reason: 'HealthCheckFailed' }] });
    const diagnosis = diagnose(buildFluxState(spec, { now }), now);
    assertExact(spec, diagnosis);
    const finding = diagnosis.findings.find((f) => f.id === web)!;
    expect(finding.chain.map((h) => h.id)).toEqual([web, db, 'PersistentVolumeClaim/infra/pvc-db']);
    expect(finding.rootCause).toEqual({
      type: 'object',
      id: 'PersistentVolumeClaim/infra/pvc-db',
      reason: 'Pending',
      message: 'storageclass "fast" not found',
      fluxObject: db,
    });
  });

  it('reports missing dependencies and blames them, not the waiting object', () => {
    const spec = graph(
      { [ks('apps', 'web')]: [ks('infra', 'gone')], [hr('apps', 'api')]: [hr('apps', 'nope')], [ks('apps', 'front')]: [ks('apps', 'web')] },
      { missing: [ks('infra', 'gone'), hr('apps', 'nope')] },
    );
    const diagnosis = diagnose(buildFluxState(spec, { now }), now);
    assertExact(spec, diagnosis);
    const front = diagnosis.findings.find((f) => f.id === ks('apps', 'front'))!;
    expect(front.rootCause).toEqual({ type: 'missing', id: ks('infra', 'gone'), referencedBy: ks('apps', 'web') });
  });

  it('keeps roots exact in a mixed graph: cycles, broken roots behind and beside them, missing', () => {
    const spec = graph(
      {
        [ks('m', 'a')]: [ks('m', 'b')],
        [ks('m', 'b')]: [ks('m', 'a'), ks('m', 'broken1')],
        [ks('m', 'broken1')]: [],
        [ks('m', 'broken2')]: [ks('m', 'a')],
        [hr('m', 'h1')]: [ks('m', 'root')],
        [ks('m', 'root')]: [],
        [hr('m', 'h2')]: [hr('m', 'h1'), hr('m', 'missing')],
        [ks('m', 'leaf')]: [hr('m', 'h2')],
      },
      {
        cycles: [[ks('m', 'a'), ks('m', 'b')]],
        brokenRoots: [
          { id: ks('m', 'broken1'), reason: 'BuildFailed' },
          { id: ks('m', 'broken2'), reason: 'BuildFailed' },
          { id: ks('m', 'root'), reason: 'HealthCheckFailed' },
        ],
        missing: [hr('m', 'missing')],
      },
    );
    assertExact(spec, diagnose(buildFluxState(spec, { now }), now));
  });

  it('reports nothing on a healthy graph', () => {
    const spec = graph({ [ks('a', 'one')]: [], [ks('a', 'two')]: [ks('a', 'one')], [hr('a', 'three')]: [hr('a', 'four')], [hr('a', 'four')]: [] });
    const diagnosis = diagnose(buildFluxState(spec, { now }), now);
    expect(diagnosis.findings).toEqual([]);
    expect(diagnosis.counts).toEqual({ objects: 8, notReady: 0, stuck: 0, cycles: 0, missing: 0, staleRevision: 0 });
  });
});

/** Deterministic PRNG so a failing seed can be replayed. */

/** A random DAG with planted cycles, broken roots and missing dependencies, and its ground truth. */
function randomGraph(seed: number): GraphSpec {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const count = 15 + Math.floor(random() * 25);
  const ids = Array.from({ length: count }, (_, i) => (random() < 0.3 ? hr(`ns${i % 3}`, `n${i}`) : ks(`ns${i % 3}`, `n${i}`)));
  const edges: Record<string, string[]> = Object.fromEntries(ids.map((id) => [id, [] as string[]]));
  // DAG edges point from higher to lower index.
  for (let i = 1; i < count; i += 1) {
    for (let e = 0; e < 2; e += 1) if (random() < 0.5) edges[ids[i]!]!.push(ids[Math.floor(random() * i)]!);
  }
  // Planted cycles: a descending path through a few vertices closed by one back edge. They
  // overlap each other and the random edges; the true set is then computed by brute force below.
  const planted = 1 + Math.floor(random() * 3);
  for (let p = 0; p < planted; p += 1) {
    const size = 2 + Math.floor(random() * 4);
    const members = [...new Set(Array.from({ length: size }, () => Math.floor(random() * count)))].sort((x, y) => x - y);
    if (members.length < 2) continue;
    for (let i = 1; i < members.length; i += 1) edges[ids[members[i]!]!]!.push(ids[members[i - 1]!]!);
    edges[ids[members[0]!]!]!.push(ids[members[members.length - 1]!]!);
  }
  if (random() < 0.3) edges[pick(ids)]!.push(pick(ids)); // maybe a self-dependency
  for (const id of Object.keys(edges)) edges[id] = [...new Set(edges[id])];
  const missing = random() < 0.6 ? [ks('gone', `m${seed}`)] : [];
  for (const m of missing) edges[pick(ids.filter((id) => id.startsWith('Kustomization/')))]?.push(m);
  const brokenRoots = ids.filter(() => random() < 0.1).map((id) => ({ id, reason: pick(['BuildFailed', 'HealthCheckFailed', 'ArtifactFailed']) }));
  const spec = graph(edges, { brokenRoots, missing: missing.filter((m) => Object.values(edges).some((d) => d.includes(m))) });
  spec.cycles = bruteForceCycles(edges);
  return spec;
}

/** Every elementary cycle by exhaustive DFS from each vertex as its least member: slow, obviously correct. */
function bruteForceCycles(edges: Record<string, string[]>): string[][] {
  const vertices = Object.keys(edges).sort();
  const cycles: string[][] = [];
  for (const start of vertices) {
    const walk = (v: string, path: string[]): void => {
      for (const w of edges[v] ?? []) {
        if (w === start) cycles.push([...path]);
        else if (w > start && edges[w] && !path.includes(w)) walk(w, [...path, w]);
      }
    };
    walk(start, [start]);
  }
  return cycles;
}

describe('diagnose over random graphs', () => {
  it('the seeds plant cycles, cross-kind needs, broken roots and missing dependencies between them', () => {
    const specs = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89].map(randomGraph);
    expect(specs.filter((s) => s.cycles.length > 0).length).toBeGreaterThanOrEqual(8);
    expect(specs.filter((s) => s.cycles.some((c) => c.length >= 3)).length).toBeGreaterThanOrEqual(3);
    expect(specs.filter((s) => visibleRoots(s).length > 0).length).toBeGreaterThanOrEqual(3);
    expect(specs.filter((s) => s.missing.length > 0).length).toBeGreaterThanOrEqual(3);
    expect(specs.filter((s) => s.cycles.some((c) => new Set(c.map((id) => id.split('/')[0])).size > 1)).length).toBeGreaterThanOrEqual(1);
  });

  for (const seed of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
    it(`seed ${seed}: exactly the planted cycles, missing dependencies and visible roots`, () => {
      const spec = randomGraph(seed);
      assertExact(spec, diagnose(buildFluxState(spec, { now }), now));
    });
  }
});
