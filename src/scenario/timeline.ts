/**
 * The timeline plan: the scenario's actions in the order they fire, with offsets in ms and,
 * for actions that last, the time they end, so the runner can schedule them and reports can
 * draw faults and churn as bands. Pure: the same scenario always gives the same plan.
 */
import { UsageError } from '../util/exit-codes.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import type { Scenario } from './schema.ts';
import type { ControllerName, TimelineAction } from './timeline-schema.ts';
import { formatPath } from './field-path.ts';

export interface PlannedAction {
  /** Position of the action in `scenario.timeline`. */
  index: number;
  action: TimelineAction;
  /** Offset from the start of the measure phase. */
  atMs: number;
  /** When the action's effect ends (faults, pauses, churn, suspensions); absent for instant actions. */
  endMs?: number;
  /** Short human label, e.g. "github.fault latency" or "controller.kill kustomize-controller". */
  label: string;
}

export interface ScenarioProblem {
  /** Path of the offending field inside the scenario. */
  path: (string | number)[];
  message: string;
  allowed?: string[];
}

/** The parts of a scenario the plan depends on. */
export type TimelineScenario = Pick<Scenario, 'timeline' | 'duration' | 'controllers'>;

/** Sorted, validated plan. Throws a UsageError naming every action that does not fit. */
export function planTimeline(scenario: TimelineScenario): PlannedAction[] {
  const problems = timelineProblems(scenario);
  if (problems.length > 0) {
    throw new UsageError(
      `invalid timeline:\n${problems.map((problem) => `  ${formatPath(problem.path)}: ${problem.message}${problem.allowed ? ` (allowed: ${problem.allowed.join(', ')})` : ''}`).join('\n')}`,
    );
  }
  return buildPlan(scenario);
}

/** Every reason the timeline cannot run as written; empty when it can. */
export function timelineProblems(scenario: TimelineScenario): ScenarioProblem[] {
  const durationMs = parseDuration(scenario.duration);
  const problems: ScenarioProblem[] = [];
  const enabled = enabledControllers(scenario.controllers);
  const running: PlannedAction[] = [];
  for (const planned of sortedActions(scenario.timeline)) {
    const { action, index, atMs } = planned;
    const name = `${planned.label} at ${formatDuration(atMs)}`;
    if (atMs > durationMs) {
      problems.push({
        path: ['timeline', index, 'at'],
        message: `${name} starts after the end of the measure phase (duration ${formatDuration(durationMs)})`,
      });
    }
    const ownDuration = 'duration' in action && action.duration !== undefined ? parseDuration(action.duration) : undefined;
    if (ownDuration !== undefined && atMs <= durationMs && atMs + ownDuration > durationMs) {
      problems.push({
        path: ['timeline', index, 'duration'],
        message: `${name} ends at ${formatDuration(atMs + ownDuration)}, after the end of the measure phase (duration ${formatDuration(durationMs)})`,
      });
    }
    if (action.action === 'churn.start') {
      const clash = running.find((other) => other.action.action === 'churn.start' && reposOverlap(other.action.repo, action.repo));
      if (clash) {
        problems.push({
          path: ['timeline', index],
          message: `${name} overlaps the churn started by ${describe(clash)} on the same repositories; add a churn.stop before it`,
        });
      } else {
        running.push(planned);
      }
    }
    if (action.action === 'churn.stop') {
      const stopped = running.filter((other) => other.action.action === 'churn.start' && stops(action.repo, other.action.repo));
      if (stopped.length === 0) {
        problems.push({ path: ['timeline', index], message: `${name} has no running churn.start${action.repo ? ` on ${action.repo}` : ''} to stop` });
      }
      for (const other of stopped) running.splice(running.indexOf(other), 1);
    }
    if (action.action === 'controller.kill' || action.action === 'controller.memoryLimit') {
      if (!enabled.includes(action.controller)) {
        problems.push({
          path: ['timeline', index, 'controller'],
          message: `${name} targets ${action.controller}, which this scenario does not run`,
          allowed: enabled,
        });
      } else if (action.shard !== undefined) {
        const shards = shardInstances(scenario.controllers, action.controller);
        if (action.shard > shards) {
          problems.push({
            path: ['timeline', index, 'shard'],
            message:
              shards === 0
                ? `${name} targets shard ${action.shard}, but ${action.controller} is not sharded (only shard 0, the main instance)`
                : `${name} targets shard ${action.shard}, but ${action.controller} runs the main instance (0) and shards 1..${shards}`,
            allowed: Array.from({ length: shards + 1 }, (_, shard) => String(shard)),
          });
        }
      }
    }
  }
  return problems;
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

function buildPlan(scenario: TimelineScenario): PlannedAction[] {
  const durationMs = parseDuration(scenario.duration);
  const plan = sortedActions(scenario.timeline);
  plan.forEach((planned, position) => {
    const endMs = endOf(planned, plan.slice(position + 1), durationMs);
    if (endMs !== undefined) planned.endMs = endMs;
  });
  return plan;
}

function endOf(planned: PlannedAction, later: PlannedAction[], durationMs: number): number | undefined {
  const { action, atMs } = planned;
  switch (action.action) {
    case 'github.fault':
    case 'github.ratelimit':
    case 'artifact.slow':
      return action.duration !== undefined ? atMs + parseDuration(action.duration) : durationMs;
    case 'component.pause':
      return atMs + parseDuration(action.duration);
    case 'churn.start': {
      const stop = later.find((other) => other.action.action === 'churn.stop' && stops(other.action.repo, action.repo));
      return stop?.atMs ?? durationMs;
    }
    case 'flux.suspend': {
      const resume = later.find(
        (other) =>
          other.action.action === 'flux.resume' &&
          other.action.kind === action.kind &&
          (other.action.namespace === undefined || other.action.namespace === action.namespace) &&
          (other.action.name === undefined || other.action.name === action.name),
      );
      return resume?.atMs ?? durationMs;
    }
    default:
      return undefined;
  }
}

function sortedActions(timeline: readonly TimelineAction[]): PlannedAction[] {
  return timeline
    .map((action, index) => ({ index, action, atMs: parseDuration(action.at), label: labelOf(action) }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}

function labelOf(action: TimelineAction): string {
  switch (action.action) {
    case 'github.fault':
      return `github.fault ${action.fault}`;
    case 'controller.kill':
    case 'controller.memoryLimit':
      return `${action.action} ${action.controller}${action.shard !== undefined ? `#${action.shard}` : ''}`;
    case 'component.pause':
      return `component.pause ${action.component}`;
    case 'churn.start':
    case 'churn.stop':
      return action.repo ? `${action.action} ${action.repo}` : action.action;
    case 'object.delete':
      return `object.delete ${action.kind}/${action.name}`;
    case 'flux.suspend':
    case 'flux.resume':
      return `${action.action} ${action.kind}${action.name ? `/${action.name}` : ''}`;
    default:
      return action.action;
  }
}

/** Names another action in a message about this one. */
function describe(planned: Pick<PlannedAction, 'index' | 'label' | 'atMs'>): string {
  return `timeline[${planned.index}] (${planned.label} at ${formatDuration(planned.atMs)})`;
}

/** An omitted repo means every repo, so it overlaps everything. */
function reposOverlap(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function stops(stopRepo: string | undefined, startRepo: string | undefined): boolean {
  return stopRepo === undefined || stopRepo === startRepo;
}
