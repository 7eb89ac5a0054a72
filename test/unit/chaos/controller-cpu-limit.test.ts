import { describe, expect, it } from 'vitest';
import { planTimeline, timelineActionSchema, timelineProblems, type ChaosContext, type TimelineAction } from '../../../src/chaos/index.ts';
import { providerCapabilities, providerTypes } from '../../../src/providers/index.ts';

/** A scenario with source- and kustomize-controller, kustomize sharded into 1..2, five minutes long. */
const context: ChaosContext = {
  durationMs: 300_000,
  controllers: ['source-controller', 'kustomize-controller'],
  shards: { 'kustomize-controller': 2 },
};

function onProvider(type: string): ChaosContext {
  return { ...context, provider: { type, capabilities: providerCapabilities(type), typesWith: (c) => providerTypes.filter((t) => providerCapabilities(t)[c]) } };
}

const parse = (input: Record<string, unknown>): TimelineAction[] => [timelineActionSchema.parse(input)];

describe('controller.cpuLimit', () => {
  it('accepts a controller, an optional shard, cores and an optional duration', () => {
    expect(timelineActionSchema.parse({ at: '30s', action: 'controller.cpuLimit', controller: 'kustomize-controller', shard: 1, cores: 0.5, duration: '1m' })).toEqual({
      at: '30s',
      action: 'controller.cpuLimit',
      controller: 'kustomize-controller',
      shard: 1,
      cores: 0.5,
      duration: '1m',
    });
  });

  it('refuses cores that are not above 0, unknown controllers and unknown fields', () => {
    const issues = (input: Record<string, unknown>) => timelineActionSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ at: 0, action: 'controller.cpuLimit', controller: 'source-controller', cores: 0 })).toEqual(['cores: must be greater than 0 (CPUs, e.g. 0.5 for half of one)']);
    expect(issues({ at: 0, action: 'controller.cpuLimit', controller: 'source-controller', cores: -1 })).toEqual(['cores: must be greater than 0 (CPUs, e.g. 0.5 for half of one)']);
    expect(issues({ at: 0, action: 'controller.cpuLimit', controller: 'source-controller' })?.[0]).toMatch(/^cores: /);
    expect(issues({ at: 0, action: 'controller.cpuLimit', controller: 'image-controller', cores: 1 })?.[0]).toMatch(/^controller: /);
    expect(issues({ at: 0, action: 'controller.cpuLimit', controller: 'source-controller', cores: 1, limit: '1' })?.[0]).toMatch(/limit/);
  });

  it('must target a controller the scenario runs, and a shard it has', () => {
    expect(timelineProblems(parse({ at: '1m', action: 'controller.cpuLimit', controller: 'helm-controller', cores: 0.5 }), context)).toEqual([
      {
        path: ['timeline', 0, 'controller'],
        message: 'controller.cpuLimit helm-controller at 1m targets helm-controller, which this scenario does not run',
        allowed: ['source-controller', 'kustomize-controller'],
      },
    ]);
    expect(timelineProblems(parse({ at: '1m', action: 'controller.cpuLimit', controller: 'kustomize-controller', shard: 3, cores: 0.5 }), context)).toEqual([
      {
        path: ['timeline', 0, 'shard'],
        message: 'controller.cpuLimit kustomize-controller#3 at 1m targets shard 3, but kustomize-controller runs the main instance (0) and shards 1..2',
        allowed: ['0', '1', '2'],
      },
    ]);
    expect(timelineProblems(parse({ at: '1m', action: 'controller.cpuLimit', controller: 'kustomize-controller', shard: 2, cores: 0.5 }), context)).toEqual([]);
  });

  it('needs controllers the run starts: refused on provider existing, allowed on local, kind and k3s', () => {
    const timeline = parse({ at: '1m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 0.5 });
    expect(timelineProblems(timeline, onProvider('existing'))).toEqual([
      {
        path: ['timeline', 0, 'action'],
        message: "controller.cpuLimit needs controllers the run starts (provider.type local, kind or k3s); on existing, Flux is not the run's",
      },
    ]);
    for (const type of ['local', 'kind', 'k3s']) expect(timelineProblems(timeline, onProvider(type)), type).toEqual([]);
  });

  it('is labelled by controller and shard, and lasts for its duration or until the end of the measure phase', () => {
    const plan = planTimeline(
      [
        ...parse({ at: '1m', action: 'controller.cpuLimit', controller: 'kustomize-controller', shard: 1, cores: 0.25, duration: '30s' }),
        ...parse({ at: '2m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 1 }),
      ],
      context,
    );
    expect(plan.map((p) => [p.label, p.atMs, p.endMs])).toEqual([
      ['controller.cpuLimit kustomize-controller#1', 60_000, 90_000],
      ['controller.cpuLimit source-controller', 120_000, 300_000],
    ]);
  });

  it('may not outlast the measure phase', () => {
    expect(() => planTimeline(parse({ at: '4m', action: 'controller.cpuLimit', controller: 'source-controller', cores: 1, duration: '2m' }), context)).toThrow(
      'timeline[0].duration: controller.cpuLimit source-controller at 4m ends at 6m, after the end of the measure phase (duration 5m)',
    );
  });
});
