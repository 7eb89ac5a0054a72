/**
 * registry.fault: a fault in the OCI registry's gateway (latency, errors, connection resets, an
 * outage, a bandwidth cap) for requests matching a route glob and a repository glob, for
 * `duration` or until the run's end. The same fault set and field names as github.fault, matched
 * by the registry's routes (manifest, blob, token, ...) and repositories (`team-1/app-*`).
 */
import { z } from 'zod';
import type { RegistryFaultSpecInput } from '../../registry/options.ts';
import { registryRoutes } from '../../registry/routes.ts';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { faultActionSchema, startHostFault, toFaultSpec } from '../fault-variants.ts';
import { globToRegExp } from '../../util/glob.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { atField } from '../fields.ts';

/** A glob over OCI repository names: path components of lower-case letters, digits and separators. */
const repositoryGlobField = z.string().regex(/^[a-z0-9*][a-z0-9._*/-]*$/, {
  error: 'expected an OCI repository name or glob: lower-case letters, digits, ".", "_", "-", "/" and * (e.g. "team-1/app-*")',
});

const routeGlobField = z
  .string()
  .min(1)
  .refine((glob) => registryRoutes.some((route) => globToRegExp(glob).test(route)), {
    error: `matches no registry route (routes: ${registryRoutes.join(', ')})`,
  });

const common = {
  at: atField,
  action: z.literal('registry.fault'),
  repository: repositoryGlobField.optional().meta({ description: 'Only requests for matching repositories ("team-1/app-*"); all when omitted.' }),
  route: routeGlobField.optional().meta({ description: `Glob over the registry's routes (${registryRoutes.join(', ')}); all when omitted.` }),
  duration: positiveDurationSchema.optional().meta({ description: 'How long the fault lasts; until the end of the run when omitted.' }),
};

const schema = faultActionSchema(common);

export type RegistryFaultAction = z.output<typeof schema>;

/**
 * The fault spec the registry gateway's fault controller takes for a registry.fault action (its
 * `duration` as the spec's `for`). An omitted `jitter` stays omitted: the gateway defaults it to 0.
 */
export function toRegistryFault(action: RegistryFaultAction): RegistryFaultSpecInput {
  return toFaultSpec(action, { route: action.route ?? '*', repository: action.repository ?? '*' });
}

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'registry.fault': z.output<typeof schema>;
  }
}

export const registryFaultAction: ChaosActionDefinition<typeof schema> = {
  name: 'registry.fault',
  schema,
  requires: [],
  server: 'registry',
  label: (action) => `registry.fault ${action.fault}`,
  target: (action) => action.repository ?? action.route ?? 'registry',
  endMs: (planned, _later, durationMs) => durationOrRunEnd(planned, durationMs),
  async start(action, _planned, targets) {
    const registry = targets.registry;
    if (!registry) throw new Error('this run has no OCI registry to inject the fault into');
    return startHostFault(registry.admin, toRegistryFault(action));
  },
};
