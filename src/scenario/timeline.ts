/**
 * The scenario's side of the timeline: the context chaos planning needs (measure-phase length,
 * controllers and shards the scenario runs, its provider's capabilities), built from the
 * scenario file, and planTimeline/timelineProblems taking a scenario as before. The plan itself
 * and every action's checks live in src/chaos.
 */
import {
  planTimeline as planChaosTimeline,
  timelineProblems as chaosTimelineProblems,
  type ChaosContext,
  type ControllerName,
  type PlannedAction,
} from '../chaos/index.ts';
import { providerCapabilities, providerTypes } from '../providers/index.ts';
import { sourceKinds } from '../sources/index.ts';
import { parseDuration } from '../util/units.ts';
import { spokeNames } from '../workload/index.ts';
import type { Scenario } from './object-schema.ts';

export interface ScenarioProblem {
  /** Path of the offending field inside the scenario. */
  path: (string | number)[];
  message: string;
  allowed?: string[];
}

/**
 * The parts of a scenario the plan depends on; with `provider`, actions it cannot carry out are
 * problems too, and with `workload`, actions on a server its source kind does not run.
 */
export type TimelineScenario = Pick<Scenario, 'timeline' | 'duration' | 'controllers'> & {
  provider?: Pick<Scenario['provider'], 'type'>;
  workload?: { source?: string };
  fleet?: { spokes: number };
};

/** What chaos planning and validation know of the scenario. */
export function timelineContext(scenario: TimelineScenario): ChaosContext {
  const controllers = enabledControllers(scenario.controllers);
  const type = scenario.provider?.type;
  // Git unless the workload names another source kind.
  const source = scenario.workload ? (scenario.workload.source ?? 'git') : undefined;
  return {
    durationMs: parseDuration(scenario.duration),
    controllers,
    ...(scenario.fleet ? { spokes: spokeNames(scenario.fleet.spokes) } : {}),
    shards: Object.fromEntries(controllers.map((controller) => [controller, shardInstances(scenario.controllers, controller)])),
    ...(type !== undefined
      ? { provider: { type, capabilities: providerCapabilities(type), typesWith: (capability) => providerTypes.filter((t) => providerCapabilities(t)[capability]) } }
      : {}),
    ...(source !== undefined
      ? {
          source: {
            kind: source,
            // An unknown kind is the schema's to refuse (with the allowed values); here it runs nothing.
            servers: sourceKinds.find((k) => k.name === source)?.servers ?? [],
            kindsWith: (server) => sourceKinds.filter((k) => k.servers.includes(server)).map((k) => k.name),
          },
        }
      : {}),
  };
}

/** Sorted, validated plan. Throws a UsageError naming every action that does not fit. */
export function planTimeline(scenario: TimelineScenario): PlannedAction[] {
  return planChaosTimeline(scenario.timeline, timelineContext(scenario));
}

/** Every reason the timeline cannot run as written; empty when it can. */
export function timelineProblems(scenario: TimelineScenario): ScenarioProblem[] {
  return chaosTimelineProblems(scenario.timeline, timelineContext(scenario));
}

/** Controllers the scenario runs, in the catalogue's naming. */
export function enabledControllers(controllers: Scenario['controllers']): ControllerName[] {
  const names: ControllerName[] = ['source-controller', 'kustomize-controller'];
  if (controllers.helm.enabled) names.push('helm-controller');
  if (controllers.notification.enabled) names.push('notification-controller');
  return names;
}

/**
 * Shard instances beside the main one: `shards: 1` is one unsharded instance, `shards: N > 1`
 * the main instance (shard 0) plus N instances watching `sharding.fluxcd.io/key in (shard<i>)`.
 */
export function shardInstances(controllers: Scenario['controllers'], controller: ControllerName): number {
  if (controller !== 'kustomize-controller') return 0;
  return controllers.kustomize.shards > 1 ? controllers.kustomize.shards : 0;
}
