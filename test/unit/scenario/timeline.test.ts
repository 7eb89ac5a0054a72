import { describe, expect, it } from 'vitest';
import { defineScenario, planTimeline, type ScenarioInput } from '../../../src/scenario/index.ts';
import { toFakeGitHubFault } from '../../../src/chaos/index.ts';
import { faultSpecSchema } from '../../../src/github/index.ts';

function scenarioWith(timeline: NonNullable<ScenarioInput['timeline']>, extra: Partial<ScenarioInput> = {}) {
  return defineScenario({ name: 'plan', workload: {}, duration: '5m', timeline, ...extra });
}

describe('planTimeline', () => {
  it('sorts actions by offset, keeping file order for equal offsets', () => {
    const plan = planTimeline(
      scenarioWith([
        { at: '2m', action: 'controller.kill', controller: 'source-controller' },
        { at: '30s', action: 'controller.kill', controller: 'kustomize-controller' },
        { at: '30s', action: 'object.delete', kind: 'Kustomization', name: 'app-001' },
        { at: 0, action: 'flux.suspend', kind: 'Kustomization' },
      ]),
    );
    expect(plan.map((planned) => [planned.index, planned.atMs, planned.label])).toEqual([
      [3, 0, 'flux.suspend Kustomization'],
      [1, 30_000, 'controller.kill kustomize-controller'],
      [2, 30_000, 'object.delete Kustomization/app-001'],
      [0, 120_000, 'controller.kill source-controller'],
    ]);
    expect(plan[1]?.endMs).toBeUndefined();
  });

  it('gives lasting actions an end: their duration, the matching stop/resume, or the end of the measure phase', () => {
    const plan = planTimeline(
      scenarioWith([
        { at: '1m', action: 'github.fault', fault: 'latency', delay: '500ms', duration: '30s' },
        { at: '1m', action: 'github.fault', fault: 'outage' },
        { at: '10s', action: 'churn.start', rate: 0.5 },
        { at: '3m', action: 'churn.stop' },
        { at: '2m', action: 'component.pause', component: 'etcd', duration: '20s' },
        { at: '1m', action: 'flux.suspend', kind: 'Kustomization', name: 'app-001' },
        { at: '4m', action: 'flux.resume', kind: 'Kustomization' },
        { at: '1m', action: 'github.ratelimit', limit: 10 },
      ]),
    );
    const ends = Object.fromEntries(plan.map((planned) => [planned.index, [planned.atMs, planned.endMs]]));
    expect(ends).toEqual({
      0: [60_000, 90_000],
      1: [60_000, 300_000],
      2: [10_000, 180_000],
      3: [180_000, undefined],
      4: [120_000, 140_000],
      5: [60_000, 240_000],
      6: [240_000, undefined],
      7: [60_000, 300_000],
    });
  });

  it('ends a churn on a repo at the stop naming that repo or at a stop for every repo', () => {
    const plan = planTimeline(
      scenarioWith([
        { at: '0s', action: 'churn.start', rate: 1, repo: 'fluxbench/a' },
        { at: '0s', action: 'churn.start', rate: 1, repo: 'fluxbench/b' },
        { at: '1m', action: 'churn.stop', repo: 'fluxbench/a' },
        { at: '2m', action: 'churn.stop' },
      ]),
    );
    expect(plan.slice(0, 2).map((planned) => planned.endMs)).toEqual([60_000, 120_000]);
  });

  it('rejects an action after the end of the measure phase, naming it', () => {
    const scenario = scenarioWith([]);
    scenario.timeline.push({ at: '6m', action: 'object.delete', kind: 'Kustomization', name: 'app-001' });
    expect(() => planTimeline(scenario)).toThrow('timeline[0].at: object.delete Kustomization/app-001 at 6m starts after the end of the measure phase (duration 5m)');
  });

  it('rejects a fault that would outlast the measure phase', () => {
    const scenario = scenarioWith([]);
    scenario.timeline.push({ at: '4m', action: 'component.pause', component: 'kube-apiserver', duration: '2m' });
    expect(() => planTimeline(scenario)).toThrow(
      'timeline[0].duration: component.pause kube-apiserver at 4m ends at 6m, after the end of the measure phase (duration 5m)',
    );
  });

  it('rejects overlapping churn on the same repos and a stop with nothing to stop', () => {
    expect(() =>
      scenarioWith([
        { at: '0s', action: 'churn.start', rate: 1 },
        { at: '10s', action: 'churn.start', rate: 1, repo: 'fluxbench/a' },
      ]),
    ).toThrow('timeline[1]: churn.start fluxbench/a at 10s overlaps the churn started by timeline[0] (churn.start at 0ms) on the same repositories');
    expect(() => scenarioWith([{ at: '10s', action: 'churn.stop', repo: 'fluxbench/a' }])).toThrow(
      'timeline[0]: churn.stop fluxbench/a at 10s has no running churn.start on fluxbench/a to stop',
    );
  });

  it('rejects actions on controllers or shards the scenario does not run, listing those it does', () => {
    expect(() => scenarioWith([{ at: '1m', action: 'controller.memoryLimit', controller: 'helm-controller', limit: '64Mi' }])).toThrow(
      'timeline[0].controller: controller.memoryLimit helm-controller at 1m targets helm-controller, which this scenario does not run (allowed: source-controller, kustomize-controller)',
    );
    const helm = scenarioWith([{ at: '1m', action: 'controller.kill', controller: 'helm-controller' }], {
      controllers: { helm: { enabled: true } },
    });
    expect(planTimeline(helm)).toHaveLength(1);
    const sharded = { controllers: { kustomize: { shards: 3 } } };
    expect(planTimeline(scenarioWith([{ at: '1m', action: 'controller.kill', controller: 'kustomize-controller', shard: 3 }], sharded))).toHaveLength(1);
    expect(() => scenarioWith([{ at: '1m', action: 'controller.kill', controller: 'kustomize-controller', shard: 4 }], sharded)).toThrow(
      'targets shard 4, but kustomize-controller runs the main instance (0) and shards 1..3 (allowed: 0, 1, 2, 3)',
    );
    expect(() => scenarioWith([{ at: '1m', action: 'controller.kill', controller: 'source-controller', shard: 1 }])).toThrow(
      'targets shard 1, but source-controller is not sharded (only shard 0, the main instance) (allowed: 0)',
    );
  });
});

describe('controller.cpuLimit in a scenario', () => {
  it('plans a CPU cap on a shard until its duration ends, or until the end of the measure phase', () => {
    const sharded = { controllers: { kustomize: { shards: 2 } } };
    const plan = planTimeline(
      scenarioWith(
        [
          { at: '1m', action: 'controller.cpuLimit', controller: 'kustomize-controller', shard: 2, cores: 0.5, duration: '1m' },
          { at: '2m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 1 },
        ],
        sharded,
      ),
    );
    expect(plan.map((planned) => [planned.label, planned.atMs, planned.endMs])).toEqual([
      ['controller.cpuLimit kustomize-controller#2', 60_000, 120_000],
      ['controller.cpuLimit source-controller', 120_000, 300_000],
    ]);
  });

  it('refuses controllers and shards the scenario does not run, cores not above 0, and providers whose Flux the run does not start', () => {
    expect(() => scenarioWith([{ at: '1m', action: 'controller.cpuLimit', controller: 'helm-controller', cores: 0.5 }])).toThrow(
      'timeline[0].controller: controller.cpuLimit helm-controller at 1m targets helm-controller, which this scenario does not run (allowed: source-controller, kustomize-controller)',
    );
    expect(() => scenarioWith([{ at: '1m', action: 'controller.cpuLimit', controller: 'source-controller', shard: 1, cores: 0.5 }])).toThrow(
      'targets shard 1, but source-controller is not sharded (only shard 0, the main instance) (allowed: 0)',
    );
    expect(() => scenarioWith([{ at: '1m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 0 }])).toThrow(
      'timeline[0].cores: must be greater than 0 (CPUs, e.g. 0.5 for half of one)',
    );
    const timeline = [{ at: '1m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 0.5 }] as const;
    expect(() => scenarioWith([...timeline], { provider: { type: 'existing' } })).toThrow(
      "timeline[0].action: controller.cpuLimit needs controllers the run starts (provider.type local, kind or k3s); on existing, Flux is not the run's",
    );
    expect(planTimeline(scenarioWith([...timeline], { provider: { type: 'kind' } }))).toHaveLength(1);
  });
});

describe('toFakeGitHubFault', () => {
  it('produces specs the fake GitHub accepts, with the same parameters', () => {
    const scenario = scenarioWith([
      { at: '1m', action: 'github.fault', fault: 'latency', delay: '500ms', jitter: '100ms', duration: '30s', repo: 'fluxbench/fleet' },
      { at: '1m', action: 'github.fault', fault: 'errors', rate: 0.5, status: 502, route: 'git.*' },
      { at: '1m', action: 'github.fault', fault: 'reset', rate: 0.1 },
      { at: '1m', action: 'github.fault', fault: 'outage' },
      { at: '1m', action: 'github.fault', fault: 'bandwidth', bytesPerSecond: '64Ki' },
    ]);
    const specs = scenario.timeline.map((action) => {
      if (action.action !== 'github.fault') throw new Error('unexpected action');
      return faultSpecSchema.parse(toFakeGitHubFault(action));
    });
    // Compared after the fake GitHub's own parsing, so its internal representation may change.
    const expected = [
      { type: 'latency', match: { route: '*', repo: 'fluxbench/fleet' }, for: '30s', fixed: '500ms', jitter: '100ms' },
      { type: 'error', match: { route: 'git.*', repo: '*' }, rate: 0.5, status: 502 },
      { type: 'reset', match: { route: '*', repo: '*' }, rate: 0.1 },
      { type: 'outage', match: { route: '*', repo: '*' }, status: 503 },
      { type: 'bandwidth', match: { route: '*', repo: '*' }, bytesPerSecond: '64Ki' },
    ].map((spec) => faultSpecSchema.parse(spec));
    expect(specs).toEqual(expected);
    expect(specs.map((spec) => spec.type)).toEqual(['latency', 'error', 'reset', 'outage', 'bandwidth']);
  });
});
