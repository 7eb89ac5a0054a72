/**
 * The timeline plan: the scenario's actions in the order they fire, with offsets in ms and,
 * for actions that last, the time they end, so the executor can schedule them and reports can
 * draw faults and churn as bands. Pure: the same timeline and context always give the same plan.
 */
import { UsageError } from '../util/exit-codes.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import { atText, type ChaosContext, type PlannedAction } from './action.ts';
import { actionDefinition, type TimelineAction } from './registry.ts';
import { unmetRequirement, unmetServer } from './requirements.ts';

/** A reason the timeline cannot run; `path` starts at the scenario's `timeline` field. */
export interface TimelineProblem {
  path: (string | number)[];
  message: string;
  allowed?: string[];
}

/**
 * Sorted plan with end times. Throws a UsageError naming every action that does not fit (see
 * timelineProblems).
 */
export function planTimeline(timeline: readonly TimelineAction[], context: ChaosContext): PlannedAction[] {
  const problems = timelineProblems(timeline, context);
  if (problems.length > 0) {
    throw new UsageError(
      `invalid timeline:\n${problems.map((problem) => `  ${formatTimelinePath(problem.path)}: ${problem.message}${problem.allowed ? ` (allowed: ${problem.allowed.join(', ')})` : ''}`).join('\n')}`,
    );
  }
  const plan = sortedActions(timeline);
  plan.forEach((planned, position) => {
    const endMs = actionDefinition(planned.action.action).endMs?.(planned, plan.slice(position + 1), context.durationMs);
    if (endMs !== undefined) planned.endMs = endMs;
  });
  return plan;
}

/**
 * Every reason the timeline cannot run as written, empty when it can: actions starting or ending
 * after the measure phase, each action's own checks (controllers, shards, churn overlaps), and,
 * when the context names a provider, capabilities the provider lacks (a source kind: servers
 * its host does not run).
 */
export function timelineProblems(timeline: readonly TimelineAction[], context: ChaosContext): TimelineProblem[] {
  const { durationMs } = context;
  const problems: TimelineProblem[] = [];
  const plan = sortedActions(timeline);
  plan.forEach((planned, position) => {
    const { action, index, atMs } = planned;
    const definition = actionDefinition(action.action);
    const unmet = context.provider ? unmetRequirement(definition, context.provider) : undefined;
    if (unmet) problems.push({ path: ['timeline', index, 'action'], message: unmet });
    const noServer = context.source ? unmetServer(definition, context.source) : undefined;
    if (noServer) problems.push({ path: ['timeline', index, 'action'], message: noServer });
    const name = atText(planned);
    if (atMs > durationMs) {
      problems.push({ path: ['timeline', index, 'at'], message: `${name} starts after the end of the measure phase (duration ${formatDuration(durationMs)})` });
    }
    const ownDuration = 'duration' in action && action.duration !== undefined ? parseDuration(action.duration) : undefined;
    if (ownDuration !== undefined && atMs <= durationMs && atMs + ownDuration > durationMs) {
      problems.push({
        path: ['timeline', index, 'duration'],
        message: `${name} ends at ${formatDuration(atMs + ownDuration)}, after the end of the measure phase (duration ${formatDuration(durationMs)})`,
      });
    }
    for (const problem of definition.problems?.(planned, { ...context, earlier: plan.slice(0, position) }) ?? []) {
      problems.push({
        path: ['timeline', index, ...(problem.field !== undefined ? [problem.field] : [])],
        message: problem.message,
        ...(problem.allowed ? { allowed: problem.allowed } : {}),
      });
    }
  });
  return problems;
}

function sortedActions(timeline: readonly TimelineAction[]): PlannedAction[] {
  return timeline
    .map((action, index) => ({ index, action, atMs: parseDuration(action.at), label: actionDefinition(action.action).label(action) }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}

/** `timeline[2].shard`: the paths here are field names and indexes only. */
function formatTimelinePath(path: readonly (string | number)[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}
