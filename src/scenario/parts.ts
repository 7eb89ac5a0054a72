/**
 * The scenario sections whose options belong to other areas, re-exported so the scenario
 * schema composes them: `github` (the fake GitHub, src/github) and `workload` (the repo
 * generator, src/workload). Only this file knows where they live.
 */
import { fakeGitHubOptionsSchema } from '../github/index.ts';
import { generatorOptionsSchema } from '../workload/index.ts';
import { registryOptionsSchema } from '../registry/options.ts';

export const githubPartSchema = fakeGitHubOptionsSchema.meta({
  description: 'Options of the fake GitHub (tokens, rate limits, time scale, faults); see docs/github.md.',
});

export const registryPartSchema = registryOptionsSchema.meta({
  description: 'Options of the OCI registry (workload.source oci): pull limits, time scale, faults; see docs/registry.md.',
});

export const workloadPartSchema = generatorOptionsSchema.meta({
  description: 'Options of the synthetic repo generator (layout, apps, history, dependency graph); see docs/workload.md.',
});
