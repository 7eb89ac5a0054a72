import { describe, expect, it } from 'vitest';
import { apiClientLimitsNote, configName, describeConfig, overlay, parseSizingSpec, planSweep } from '../../../src/sizing/index.ts';
import { parseDuration } from '../../../src/util/units.ts';

const base = {
  controllers: { source: { concurrent: 2 }, kustomize: { requeueDependency: '5s' } },
  workload: { layout: 'monorepo', teams: 2, apps: 1, flux: { auth: 'basic' } },
  sampling: { interval: '2s' },
  timeline: [{ at: '1s', action: 'churn.start', rate: 5 }],
  thresholds: ['objects.ready.last >= 1'],
  regression: { 'memory.*.max': '+10%' },
};

describe('planSweep', () => {
  const spec = parseSizingSpec({
    name: 'sz',
    base,
    sweep: { apps: [500, 50], interval: ['1m', '5m'], concurrency: [10, 4], shards: [1, 2] },
    duration: '90s',
    churn: { rate: 0.5, maxCommits: 20 },
  });
  const runs = planSweep(spec);

  it('plans the cartesian product, lightest load first', () => {
    expect(runs).toHaveLength(16);
    expect(runs.map((r) => r.index)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const keys = runs.map((r) => `${r.config.apps}/${r.config.interval}/${r.config.concurrency}/${r.config.shards}`);
    expect(keys.slice(0, 5)).toEqual(['50/5m/4/1', '50/5m/4/2', '50/5m/10/1', '50/5m/10/2', '50/1m/4/1']);
    expect(keys.at(-1)).toBe('500/1m/10/2');
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.config.apps).toBeGreaterThanOrEqual(runs[i - 1]!.config.apps);
    expect(new Set(runs.map((r) => r.scenario.name)).size).toBe(16);
  });

  it('turns each point into a full scenario with the size applied and the base kept', () => {
    const run = runs.find((r) => r.config.apps === 500 && r.config.interval === '1m' && r.config.concurrency === 10 && r.config.shards === 2)!;
    const s = run.scenario;
    expect(s.name).toBe('sz-a500-i1m-c10-s2');
    expect(s.workload.apps).toBe(500);
    expect(s.workload.teams).toBe(2);
    expect(s.workload.flux).toMatchObject({ interval: '1m', sourceInterval: '1m', auth: 'basic', shards: 2 });
    expect(s.controllers.kustomize).toMatchObject({ concurrent: 10, shards: 2, requeueDependency: '5s' });
    expect(s.controllers.source.concurrent).toBe(2);
    expect(s.controllers.kustomize.memoryLimit).toBeUndefined();
    expect(s.duration).toBe('90s');
    expect(s.sampling.interval).toBe('2s');
    const unsharded = runs.find((r) => r.config.shards === 1)!.scenario;
    expect(unsharded.workload.flux.shards).toBe(0);
    expect(unsharded.controllers.kustomize.shards).toBe(1);
  });

  it('replaces the timeline by bounded churn inside the run, and judges health not lag', () => {
    const s = runs[0]!.scenario;
    expect(s.timeline).toEqual([
      { at: '5s', action: 'churn.start', rate: 0.5, maxCommits: 20 },
      { at: '1m12s', action: 'churn.stop' },
    ]);
    expect(s.thresholds).toEqual(['oom.*.count == 0', 'restarts.count == 0', 'stalled.count == 0']);
    expect(s.regression).toEqual({});
  });

  it('keeps churn within very short runs', () => {
    const short = planSweep(parseSizingSpec({ base, sweep: { apps: [2] }, duration: '20s' }))[0]!.scenario;
    const [start, stop] = short.timeline;
    expect(parseDuration(String(start!.at))).toBe(2_000);
    expect(parseDuration(String(stop!.at))).toBe(16_000);
  });
});

describe('API client limits as sweep dimensions', () => {
  const sweep = { apps: [50], kubeApiQps: [500, 50], kubeApiBurst: [1000] };

  it('sweeps --kube-api-qps/--kube-api-burst into every controller, lower limits first, named in the run', () => {
    const runs = planSweep(parseSizingSpec({ name: 'sz', base, sweep }));
    expect(runs.map((r) => [r.config.kubeApiQps, r.config.kubeApiBurst])).toEqual([
      [50, 1000],
      [500, 1000],
    ]);
    const s = runs[1]!.scenario;
    expect(s.name).toBe('sz-a50-i5m-c4-q500-b1000');
    for (const controller of ['source', 'kustomize', 'helm', 'notification'] as const) {
      expect(s.controllers[controller]).toMatchObject({ kubeApiQps: 500, kubeApiBurst: 1000 });
    }
    expect(describeConfig(runs[1]!.config)).toBe('apps 50, interval 5m, concurrency 4, shards 1, kube-api-qps 500, kube-api-burst 1000');
  });

  it('leaves the limits to the base (or Flux) when the sweep does not vary them', () => {
    const [run] = planSweep(parseSizingSpec({ base: { ...base, controllers: { kustomize: { kubeApiQps: 20 } } }, sweep: { apps: [5] } }));
    expect(run!.config).not.toHaveProperty('kubeApiQps');
    expect(run!.scenario.controllers.kustomize.kubeApiQps).toBe(20);
    expect(run!.scenario.controllers.source.kubeApiQps).toBeUndefined();
    expect(run!.scenario.name).toBe('sizing-a5-i5m-c4');
  });

  it('warns that Flux ignores them while Priority and Fairness is on, and not when the base turns it off', () => {
    expect(apiClientLimitsNote(parseSizingSpec({ base, sweep }))).toMatch(/ignore --kube-api-qps and --kube-api-burst .*Priority and Fairness on/);
    const apfOff = { ...base, provider: { apiServer: { priorityAndFairness: false } } };
    expect(apiClientLimitsNote(parseSizingSpec({ base: apfOff, sweep }))).toBeUndefined();
    expect(apiClientLimitsNote(parseSizingSpec({ base, sweep: { apps: [50] } }))).toBeUndefined();
  });

  it('refuses limits that are not positive, naming the field', () => {
    expect(() => parseSizingSpec({ base, sweep: { apps: [5], kubeApiQps: [0] } }, 'sz.yaml')).toThrow(/sz\.yaml: sweep\.kubeApiQps\[0\]: must be greater than 0/);
    expect(() => parseSizingSpec({ base, sweep: { apps: [5], kubeApiBurst: [10, 10] } }, 'sz.yaml')).toThrow(/sweep\.kubeApiBurst: values must not repeat/);
  });
});

describe('helpers', () => {
  it('builds DNS-label names', () => {
    expect(configName('sizing', { apps: 50, interval: '1m30s', concurrency: 4, shards: 1 })).toBe('sizing-a50-i1m30s-c4');
    expect(configName('sizing', { apps: 5, interval: '1.5m', concurrency: 4, shards: 3 })).toBe('sizing-a5-i1-5m-c4-s3');
    // At the longest, the prefix is cut and the size kept whole, so names stay apart.
    const long = (kubeApiBurst: number) => configName('a-twenty-char-prefix', { apps: 20000, interval: '10m30s', concurrency: 1000, shards: 100, kubeApiQps: 99999.5, kubeApiBurst });
    expect(long(999999)).toHaveLength(63);
    expect(long(999999)).toMatch(/-a20000-i10m30s-c1000-s100-q99999p5-b999999$/);
    expect(long(999998)).not.toBe(long(999999));
  });

  it('overlays objects key by key and replaces arrays', () => {
    expect(overlay({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, e: 2 })).toEqual({ a: { b: 1, c: [3] }, d: 1, e: 2 });
  });
});
