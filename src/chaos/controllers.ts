/**
 * What the controller.* actions share: a controller (and optionally one shard) as target, its
 * label, the check that the scenario runs it, and finding its running instances.
 */
import type { RunningController } from '../flux/index.ts';
import { atText, type ActionProblem, type BaseAction, type PlannedActionOf, type ProblemContext } from './action.ts';
import type { ControllerName } from './fields.ts';
import type { ChaosTargets } from './targets.ts';

export interface ControllerAction extends BaseAction {
  controller: ControllerName;
  shard?: number | undefined;
}

/** "controller.kill kustomize-controller#1" */
export function controllerLabel(action: ControllerAction): string {
  return `${action.action} ${action.controller}${action.shard !== undefined ? `#${action.shard}` : ''}`;
}

/** "kustomize-controller/shard1" */
export function controllerTarget(action: ControllerAction): string {
  return action.shard !== undefined ? `${action.controller}/shard${action.shard}` : action.controller;
}

/** The controller must be one the scenario runs, and the shard one it has. */
export function controllerProblems(planned: PlannedActionOf<ControllerAction>, context: ProblemContext): ActionProblem[] {
  const { action } = planned;
  const name = atText(planned);
  if (!context.controllers.includes(action.controller)) {
    return [{ field: 'controller', message: `${name} targets ${action.controller}, which this scenario does not run`, allowed: [...context.controllers] }];
  }
  const shards = context.shards[action.controller] ?? 0;
  if (action.shard === undefined || action.shard <= shards) return [];
  return [
    {
      field: 'shard',
      message:
        shards === 0
          ? `${name} targets shard ${action.shard}, but ${action.controller} is not sharded (only shard 0, the main instance)`
          : `${name} targets shard ${action.shard}, but ${action.controller} runs the main instance (0) and shards 1..${shards}`,
      allowed: Array.from({ length: shards + 1 }, (_, shard) => String(shard)),
    },
  ];
}

/** The running instances an action targets: all of them, the main one (shard 0) or shard N. Throws when none runs. */
export function runningInstances(targets: ChaosTargets, action: ControllerAction): RunningController[] {
  const { controller, shard } = action;
  const instances = targets.flux.find(controller).filter((c) => shard === undefined || (shard === 0 ? !c.shard : c.shard === `shard${shard}`));
  if (instances.length === 0) throw new Error(`no running ${controller}${shard !== undefined ? ` shard ${shard}` : ''}`);
  return instances;
}
