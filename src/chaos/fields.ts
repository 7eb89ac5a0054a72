/**
 * Fields and value lists that several timeline actions share: the `at` offset, controller and
 * shard targets, Kubernetes names and kinds, repository globs, fault statuses. Each action's own
 * schema (src/chaos/actions/) is a strict object built from these.
 */
import { z } from 'zod';
import { fluxControllerNames } from '../toolchain/index.ts';
import { durationSchema, kubernetesNameSchema, nonNegativeIntSchema } from '../util/field-schemas.ts';

export const controllerNameSchema = z.enum(fluxControllerNames);
export type ControllerName = z.output<typeof controllerNameSchema>;

/** Flux kinds that have `spec.suspend`. */
export const suspendableKinds = [
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'HelmRepository',
  'HelmChart',
  'Kustomization',
  'HelmRelease',
] as const;

export const githubFaultKinds = ['latency', 'errors', 'reset', 'outage', 'bandwidth'] as const;
export type GitHubFaultKind = (typeof githubFaultKinds)[number];

export const pausableComponents = ['etcd', 'kube-apiserver'] as const;

export const killSignals = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/** The statuses the fake GitHub's fault injection answers with. */
export const faultStatuses = [500, 502, 503] as const;

export const atField = durationSchema.meta({ description: 'Offset from the start of the measure phase, e.g. "30s".' });

export const kubernetesNameField = kubernetesNameSchema;

export const kindNameField = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'expected a Kubernetes kind such as "Kustomization"' });

export const repoSelectorField = z
  .string()
  .regex(/^[A-Za-z0-9*][A-Za-z0-9._*-]*\/[A-Za-z0-9*][A-Za-z0-9._*-]*$/, {
    error: 'expected "<owner>/<repo>" (globs with * allowed, e.g. "fleet/app-*")',
  });

/** A fraction of requests or connections, in (0, 1]. */
export const ratioField = z.number().gt(0, { error: 'must be greater than 0' }).max(1, { error: 'must be at most 1 (a fraction of requests)' });

export const faultStatusField = z.literal(faultStatuses);

export const shardField = nonNegativeIntSchema.meta({ description: 'Shard index of a sharded controller (0 = the main instance).' });

/** A spoke cluster of the scenario's fleet, by name (`spoke-01`, ...). */
export const spokeField = z
  .string()
  .regex(/^spoke-[0-9]{2,3}$/, { error: 'expected a spoke name such as "spoke-01" (fleet.spokes names them spoke-01 .. spoke-NN)' })
  .meta({ description: 'The spoke cluster acted on, e.g. "spoke-02".' });

/** A spoke action on a scenario without that spoke (or without a fleet): the field and the names there are. */
export function spokeProblems(spoke: string, context: { spokes?: readonly string[] }): Array<{ field: string; message: string; allowed?: string[] }> {
  const spokes = context.spokes ?? [];
  if (spokes.includes(spoke)) return [];
  if (spokes.length === 0) return [{ field: 'spoke', message: `the scenario has no spoke clusters: set fleet.spokes to act on ${spoke}` }];
  return [{ field: 'spoke', message: `the scenario has no spoke ${spoke}`, allowed: [...spokes] }];
}
