/**
 * github.fault: a fault in the fake GitHub (latency, errors, connection resets, an outage, a
 * bandwidth cap) for requests matching a route glob and a repository, for `duration` or until
 * the run's end.
 */
import { z } from 'zod';
import type { FaultSpecInput } from '../../github/index.ts';
import { durationSchema, positiveDurationSchema, quantitySchema } from '../../util/field-schemas.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { atField, faultStatusField, ratioField, repoSelectorField } from '../fields.ts';

const common = {
  at: atField,
  action: z.literal('github.fault'),
  repo: repoSelectorField.optional().meta({ description: 'Only requests for this repository; all when omitted.' }),
  route: z.string().min(1).optional().meta({ description: 'Glob over fake GitHub route names ("git.*", "rest.commit", "pages"); all when omitted.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'How long the fault lasts; until the end of the run when omitted.' }),
};

const schema = z.discriminatedUnion('fault', [
  z.strictObject({
    ...common,
    fault: z.literal('latency'),
    delay: positiveDurationSchema.meta({ description: 'Added to every response.' }),
    jitter: durationSchema.optional().meta({ description: 'Random extra delay up to this much.' }),
  }),
  z.strictObject({
    ...common,
    fault: z.literal('errors'),
    status: faultStatusField.default(503),
    rate: ratioField.default(1).meta({ description: 'Fraction of requests that fail.' }),
  }),
  z.strictObject({
    ...common,
    fault: z.literal('reset'),
    rate: ratioField.default(1).meta({ description: 'Fraction of connections reset.' }),
  }),
  z.strictObject({ ...common, fault: z.literal('outage'), status: faultStatusField.default(503) }),
  z.strictObject({
    ...common,
    fault: z.literal('bandwidth'),
    bytesPerSecond: quantitySchema.meta({ description: 'Throughput cap, e.g. "64Ki".' }),
  }),
]);

export type GitHubFaultAction = z.output<typeof schema>;

/**
 * The fault spec the fake GitHub's fault controller takes for a github.fault action (its
 * `duration` as the spec's `for`), so the two formats meet in one place. An omitted `jitter`
 * stays omitted: the fake GitHub defaults it to 0.
 */
export function toFakeGitHubFault(action: GitHubFaultAction): FaultSpecInput {
  const match = { route: action.route ?? '*', repo: action.repo ?? '*' };
  const common = { match, ...(action.duration !== undefined ? { for: action.duration } : {}) };
  switch (action.fault) {
    case 'latency':
      return { type: 'latency', ...common, fixed: action.delay, ...(action.jitter !== undefined ? { jitter: action.jitter } : {}) };
    case 'errors':
      return { type: 'error', ...common, rate: action.rate, status: action.status };
    case 'reset':
      return { type: 'reset', ...common, rate: action.rate };
    case 'outage':
      return { type: 'outage', ...common, status: action.status };
    case 'bandwidth':
      return { type: 'bandwidth', ...common, bytesPerSecond: action.bytesPerSecond };
  }
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
    // Without `for`: the timeline ends the fault itself at the planned end (the run's clock,
    // an `end` sample under this action's label), and early when the run stops; a timer of the
    // fake GitHub's own would race it.
    const { for: _ownEnd, ...spec } = toFakeGitHubFault(action);
    const fault = targets.github.admin.addFault(spec);
    return async () => {
      targets.github.admin.removeFault(fault.id);
    };
  },
};
