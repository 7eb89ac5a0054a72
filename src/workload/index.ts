/** Synthetic Git workloads for Flux: repos, Flux objects, dependency graphs and churn. */
export {
  generatorOptionsSchema,
  parseGeneratorOptions,
  layouts,
  graphShapes,
  helmSources,
  workloadSources,
  ociLayouts,
  helmValueShapes,
  driftDetectionModes,
  maxCrds,
  maxApps,
  type GeneratorOptions,
  type GeneratorOptionsInput,
} from './options.ts';
export {
  generateWorkload,
  loadGeneratedWorkload,
  repoPath,
  type GenerateContext,
  type GeneratedWorkload,
  type GeneratedRepo,
  type GeneratedApp,
} from './generate.ts';
export { planWorkload, type WorkloadPlan } from './plan.ts';
export {
  fleetOptionsSchema,
  fleetWorkloadProblems,
  fleetSectionProblems,
  fleetSpokeNames,
  type FleetContext,
  spokeNames,
  spokeLabel,
  teamLabel,
  spokeKubeconfigSecretName,
  spokeInfrastructureName,
  maxSpokes,
  type FleetOptions,
  type FleetOptionsInput,
  type FleetProblem,
} from './fleet-options.ts';
export type { SpokesPlan } from './fleet-plan.ts';
export { spokeKubeconfigSecrets } from './fleet-objects.ts';
export { dummyCrds, dummyCrdName, dummyCrdGroup, dummyCrdLabel } from './crds.ts';
export { ociTag, registryAuthSecretName, defaultOciBaseUrl, type OciPlan, type OciArtifactPlan, type OciChartPlan } from './oci-plan.ts';
export { withRegistryAuth } from './oci-auth.ts';
export { estimateWorkload, repoCount, type WorkloadEstimate, type ObjectEstimate } from './estimate.ts';
export {
  loadGraphTruth,
  writeGraphTruth,
  cyclicComponents,
  expectedOutcome,
  type GraphTruth,
  type GraphNode,
  type BrokenRoot,
  type ExpectedOutcome,
  type StuckNode,
  type StuckCause,
} from './graph.ts';
export { commitChange, startChurn, churnTarget, pushNotification, type ChurnOptions, type ChurnHandle, type ChurnSummary, type CommitEvent, type ChurnRepo, type ChurnApp, type CommitChangeOptions } from './churn.ts';
export { renderedManifestSample, parseManifests, type ManifestSample } from './sample.ts';
export type { FluxObjectRef, RootObjectsContext } from './flux-objects.ts';
export type { K8sObject } from './manifests.ts';
