/**
 * The one list of timeline actions. Adding an action is a module under src/chaos/actions/
 * exporting a `ChaosActionDefinition` plus one line here; the scenario schema, planning,
 * validation (including provider capabilities) and the executor read the rest from it.
 */
import { z } from 'zod';
import type { ActionSchema, ChaosActionDefinition, TimelineAction as DeclaredTimelineAction } from './action.ts';
import { artifactSlowAction } from './actions/artifact-slow.ts';
import { churnStartAction } from './actions/churn-start.ts';
import { churnStopAction } from './actions/churn-stop.ts';
import { componentPauseAction } from './actions/component-pause.ts';
import { controllerCpuLimitAction } from './actions/controller-cpu-limit.ts';
import { controllerKillAction } from './actions/controller-kill.ts';
import { controllerMemoryLimitAction } from './actions/controller-memory-limit.ts';
import { fluxPatchAction } from './actions/flux-patch.ts';
import { fluxReconcileAction } from './actions/flux-reconcile.ts';
import { fluxResumeAction } from './actions/flux-resume.ts';
import { fluxSuspendAction } from './actions/flux-suspend.ts';
import { githubFaultAction } from './actions/github-fault.ts';
import { githubRateLimitAction } from './actions/github-ratelimit.ts';
import { objectDeleteAction } from './actions/object-delete.ts';
import { registryFaultAction } from './actions/registry-fault.ts';
import { registryRateLimitAction } from './actions/registry-ratelimit.ts';
import { spokeDeleteAction } from './actions/spoke-delete.ts';
import { spokePauseAction } from './actions/spoke-pause.ts';
import { spokeStopAction } from './actions/spoke-stop.ts';

/** Every action, in the order error messages and docs list them. */
export const chaosActions = [
  churnStartAction,
  churnStopAction,
  githubFaultAction,
  githubRateLimitAction,
  registryFaultAction,
  registryRateLimitAction,
  controllerKillAction,
  controllerMemoryLimitAction,
  controllerCpuLimitAction,
  componentPauseAction,
  spokeStopAction,
  spokePauseAction,
  spokeDeleteAction,
  artifactSlowAction,
  objectDeleteAction,
  fluxSuspendAction,
  fluxResumeAction,
  fluxReconcileAction,
  fluxPatchAction,
] as const;

type SchemasOf<T extends readonly { readonly schema: ActionSchema }[]> = { -readonly [K in keyof T]: T[K]['schema'] };

/** A timeline entry: one of the actions' schemas, told apart by `action`. */
export const timelineActionSchema = z.discriminatedUnion('action', chaosActions.map((definition) => definition.schema) as SchemasOf<typeof chaosActions>);

export type TimelineAction = z.output<typeof timelineActionSchema>;
export type TimelineActionName = TimelineAction['action'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * The actions' self-declared types (action.ts, declaration merging) and this list are one set: an
 * action file that declares its type but is missing here, or the reverse, fails to compile here.
 */
const declaredTypesMatchRegistry: Same<TimelineAction, DeclaredTimelineAction> = true;
void declaredTypesMatchRegistry;

const byName = new Map<string, ChaosActionDefinition>(chaosActions.map((definition) => [definition.name, definition]));

/** The definition of an action; throws for a name no definition has (the schema lets none through). */
export function actionDefinition(name: string): ChaosActionDefinition {
  const definition = byName.get(name);
  if (!definition) throw new Error(`unknown timeline action "${name}" (known: ${[...byName.keys()].join(', ')})`);
  return definition;
}
