/**
 * github.fault: a fault in the fake GitHub (latency, errors, connection resets, an outage, a
 * bandwidth cap) for requests matching a route glob and a repository, for `duration` or until
 * the run's end.
 */
import { z } from 'zod';
import type { FaultSpecInput } from '../../github/index.ts';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { faultActionSchema, startHostFault, toFaultSpec } from '../fault-variants.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { atField, repoSelectorField } from '../fields.ts';

const common = {
  at: atField,
  action: z.literal('github.fault'),
  repo: repoSelectorField.optional().meta({ description: 'Only requests for this repository; all when omitted.' }),
  route: z.string().min(1).optional().meta({ description: 'Glob over fake GitHub route names ("git.*", "rest.commit", "pages"); all when omitted.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'How long the fault lasts; until the end of the run when omitted.' }),
};

const schema = faultActionSchema(common);

export type GitHubFaultAction = z.output<typeof schema>;

/**
 * The fault spec the fake GitHub's fault controller takes for a github.fault action (its
 * `duration` as the spec's `for`), so the two formats meet in one place. An omitted `jitter`
 * stays omitted: the fake GitHub defaults it to 0.
 */
export function toFakeGitHubFault(action: GitHubFaultAction): FaultSpecInput {
  return toFaultSpec(action, { route: action.route ?? '*', repo: action.repo ?? '*' });
}

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'github.fault': z.output<typeof schema>;
  }
}

export const githubFaultAction: ChaosActionDefinition<typeof schema> = {
  name: 'github.fault',
  schema,
  requires: [],
  label: (action) => `github.fault ${action.fault}`,
  target: (action) => action.repo ?? action.route ?? 'github',
  endMs: (planned, _later, durationMs) => durationOrRunEnd(planned, durationMs),
  async start(action, _planned, targets) {
    return startHostFault(targets.github.admin, toFakeGitHubFault(action));
  },
};
