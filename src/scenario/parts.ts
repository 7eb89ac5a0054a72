/**
 * The scenario sections whose options belong to other areas, re-exported so the scenario
 * schema composes them: `github` (the fake GitHub, src/github), `workload` and `fleet` (the repo
 * generator, src/workload). Only this file knows where they live.
 */
import { fakeGitHubOptionsSchema } from '../github/index.ts';
import { fleetOptionsSchema, generatorOptionsSchema } from '../workload/index.ts';
import { registryOptionsSchema } from '../registry/options.ts';

export const githubPartSchema = fakeGitHubOptionsSchema.meta({
  description: 'Options of the fake GitHub (tokens, rate limits, time scale, faults); see docs/github.md.',
});

export const registryPartSchema = registryOptionsSchema.meta({
  description: 'Options of the OCI registry (workload.source oci): pull limits, time scale, faults; see docs/registry.md.',
});

// `fleet` is a top-level section of its own; the runner copies it into the generator's options.
export const workloadPartSchema = generatorOptionsSchema.omit({ fleet: true }).meta({
  description: 'Options of the synthetic repo generator (layout, apps, history, dependency graph); see docs/workload.md.',
});

export const fleetPartSchema = fleetOptionsSchema.meta({
  description:
    "Fleet mode: one hub Flux managing spoke clusters (local binary clusters, provider.type local) through Flux's spec.kubeConfig.secretRef. Each spoke gets a hub namespace named after it (spoke-01, ...) holding an `infrastructure` Kustomization (the team namespaces) and every app's Kustomization; absent = a single cluster.",
});
