/**
 * flux.patch: changes the spec of Flux objects with a JSON merge patch, as `kubectl patch --type
 * merge` does, and records the generation each object got, so the ready measurement can time how
 * long until every one is Ready at its new spec (`ready.patch.all_after`). flux-benchmark's
 * upgrade runs are this: the same objects applied again with another CPU request.
 */
import { z } from 'zod';
import type { FluxKind } from '../../metrics/flux-objects.ts';
import { specPatchedSample } from '../../metrics/spec-patches.ts';
import { globToRegExp } from '../../util/glob.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { fluxObjectFields, fluxObjectLabel, fluxObjectTarget, unwatchedKindProblems, watchedKinds } from '../flux-objects.ts';
import { failedPatchesError, patchFluxObjects } from '../object-patches.ts';

/**
 * The watched kinds but HelmChart: helm-controller applies each HelmChart from its HelmRelease's
 * chart template at every reconcile, so a change to one would be undone, not reconciled.
 */
const patchableKinds = watchedKinds.filter((kind) => kind !== 'HelmChart') as [FluxKind, ...FluxKind[]];

/** A bound on the patch's JSON: it goes out once per object, hundreds of times on a large workload. */
const maxPatchBytes = 64 * 1024;

const specSchema = z
  .record(z.string(), z.unknown())
  .refine((spec) => Object.keys(spec).length > 0, { error: 'must change at least one field of spec' })
  // A suspended object is never reconciled, so it would never be Ready at its new generation.
  .refine((spec) => !('suspend' in spec), { error: 'must not set spec.suspend: use flux.suspend and flux.resume, whose end the run tracks' })
  .meta({ description: 'The spec fields to change, merged as a JSON merge patch (RFC 7386): null removes a field, lists are replaced whole.' });

const schema = z.strictObject({
  ...fluxObjectFields,
  // Only kinds the watches see: the time to Ready at the new spec could not be measured on any other.
  kind: z.enum(patchableKinds).meta({ description: 'Kind of the objects to change (those the run watches, but HelmChart, which helm-controller applies from its HelmRelease).' }),
  action: z.literal('flux.patch'),
  // A glob, unlike flux.reconcile's name: an upgrade changes the apps, not the root Kustomization that applies them.
  name: z
    .string()
    .regex(/^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$/, { error: 'expected an object name or a glob of names (lowercase letters, digits, "-", "." and the wildcards * and ?), e.g. "app-*"' })
    .max(253)
    .optional()
    .meta({
      description: 'One object (in `namespace`, default flux-system), or a glob of names ("app-*") matched in `namespace`, or in every namespace when it is omitted; every object of the kind when omitted.',
    }),
  // Only the spec: the API server bumps metadata.generation for spec changes alone, and a
  // controller's status.observedGeneration is how the run sees one reconciled.
  patch: z
    .strictObject({ spec: specSchema })
    .refine((patch) => Buffer.byteLength(JSON.stringify(patch)) <= maxPatchBytes, { error: `must be at most ${maxPatchBytes} bytes as JSON (it is sent once per object)` })
    .meta({
      description:
        "A JSON merge patch holding only `spec`, e.g. {spec: {patches: [...]}}. A field the object's parent applies (the root Kustomization applies the apps' Kustomizations and HelmReleases) is set back at the parent's next reconcile.",
    }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'flux.patch': z.output<typeof schema>;
  }
}

export const fluxPatchAction: ChaosActionDefinition<typeof schema> = {
  name: 'flux.patch',
  schema,
  requires: [],
  label: fluxObjectLabel,
  target: fluxObjectTarget,
  problems: (planned, context) => unwatchedKindProblems(planned, context, 'patch', patchableKinds),
  async start(action, planned, targets) {
    const glob = action.name !== undefined && /[*?]/.test(action.name) ? globToRegExp(action.name) : undefined;
    const target = glob ? { kind: action.kind, namespace: action.namespace, matches: (name: string) => glob.test(name) } : action;
    const outcome = await patchFluxObjects(targets.cluster.kubeconfigPath, target, () => action.patch, { readGeneration: true });
    // A glob that matches nothing is a mistake to say, not a patch of nothing to time.
    if (glob && outcome.patched.length === 0 && outcome.failures.length === 0) {
      throw new Error(`no ${action.kind} ${action.namespace ? `in namespace ${action.namespace}` : 'in any namespace'} has a name matching ${action.name}`);
    }
    if (outcome.patched.length > 0) targets.sink.write(specPatchedSample(outcome.at, outcome.patched, { action: planned.label }));
    const failure = failedPatchesError('patching', outcome);
    if (failure) throw failure;
    return undefined;
  },
};
