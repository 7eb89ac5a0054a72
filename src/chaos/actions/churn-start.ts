/** churn.start: commits to the generated repositories at a rate, until a churn.stop or the run's end. */
import { z } from 'zod';
import { positiveIntSchema, quantitySchema, quantityValue } from '../../util/field-schemas.ts';
import { formatDuration } from '../../util/units.ts';
import { churnTarget, startChurn } from '../../workload/index.ts';
import { atText, isPlanned, type ChaosActionDefinition } from '../action.ts';
import { matchRepo, reposOverlap, runningChurnStarts, runningChurns, stops } from '../churns.ts';
import { atField, repoSelectorField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('churn.start'),
  repo: repoSelectorField.optional().meta({ description: 'Repository to push to; every generated repo when omitted.' }),
  // Per repo: every matched repo gets its own churn at this rate, each commit a git commit and an apply.
  rate: z
    .number()
    .gt(0, { error: 'must be greater than 0 (commits per second)' })
    .max(100, { error: 'must be at most 100 commits per second (per repository)' })
    .meta({ description: 'Commits per second.' }),
  apps: z.string().min(1).optional().meta({ description: 'Glob of app names whose manifests the commits change, e.g. "app-*".' }),
  // Spread over the ConfigMaps a commit touches; one touched app gets it all, and the API server refuses ConfigMaps over 1 MiB.
  bytes: quantitySchema
    .refine((bytes) => bytes <= 1_000_000, { error: 'must be at most 1000000 bytes: a commit touching one app puts it all in one ConfigMap, and the API server refuses ConfigMaps over 1MiB' })
    .optional()
    .meta({ description: 'Size of the change each commit makes.' }),
  // Each commit stays in the repo's history and in etcd until compaction.
  maxCommits: positiveIntSchema
    .max(100_000, { error: 'must be at most 100,000: each commit stays in the repository and in etcd\'s history' })
    .optional()
    .meta({ description: 'Stop after this many commits.' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'churn.start': z.output<typeof schema>;
  }
}

export const churnStartAction: ChaosActionDefinition<typeof schema> = {
  name: 'churn.start',
  schema,
  requires: [],
  // The churn ends at a churn.stop, its maxCommits or the run's stop, not at an undo.
  detached: true,
  label: (action) => (action.repo ? `${action.action} ${action.repo}` : action.action),
  target: (action) => action.repo ?? 'all repos',
  endMs(planned, later, durationMs) {
    const stop = later.find((other) => isPlanned(other, 'churn.stop') && stops(other.action.repo, planned.action.repo));
    return stop?.atMs ?? durationMs;
  },
  problems(planned, context) {
    const clash = runningChurnStarts(context.earlier).find((other) => reposOverlap(other.action.repo, planned.action.repo));
    if (!clash) return [];
    return [
      {
        message: `${atText(planned)} overlaps the churn started by timeline[${clash.index}] (${clash.label} at ${formatDuration(clash.atMs)}) on the same repositories; add a churn.stop before it`,
      },
    ];
  },
  async start(action, planned, targets, state) {
    const churns = runningChurns(state);
    for (const repo of targets.workload.repos.filter((r) => matchRepo(action.repo, r.fullName))) {
      const target = churnTarget(targets.workload, repo.fullName);
      if (target.apps.length === 0) continue;
      churns.get(repo.fullName)?.stop();
      churns.set(
        repo.fullName,
        startChurn({
          repo: target.repo,
          apps: target.apps,
          ...(action.apps ? { select: [action.apps] } : {}),
          rate: action.rate,
          ...(action.bytes !== undefined ? { bytesPerCommit: quantityValue(action.bytes) } : {}),
          maxCommits: action.maxCommits ?? 10_000,
          maxDuration: planned.endMs !== undefined ? planned.endMs - planned.atMs : 3_600_000,
          onCommit: targets.onCommit,
        }),
      );
    }
    return undefined;
  },
};
