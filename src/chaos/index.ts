/**
 * The timeline's chaos actions: one module per action (src/chaos/actions/), listed in
 * registry.ts; the timeline schema, the plan and its validation, and the executor.
 */
export { runTimeline, targetOf, type TimelineRun } from './executor.ts';
export type { ChaosTargets } from './targets.ts';
export { chaosActions, actionDefinition, timelineActionSchema, type TimelineAction, type TimelineActionName } from './registry.ts';
export { planTimeline, timelineProblems, type TimelineProblem } from './plan.ts';
export type { ChaosActionDefinition, ChaosContext, ProviderContext, SourceContext, ProblemContext, ActionProblem, PlannedAction, PlannedActionOf, Undo, BaseAction } from './action.ts';
export { ChaosRunState } from './state.ts';
export { controllerNameSchema, githubFaultKinds, suspendableKinds, pausableComponents, killSignals, faultStatuses, type ControllerName, type GitHubFaultKind } from './fields.ts';
export { toFakeGitHubFault, type GitHubFaultAction } from './actions/github-fault.ts';
export { toRegistryFault, type RegistryFaultAction } from './actions/registry-fault.ts';
