/** Source kinds: where Flux fetches the workload from (Git or OCI), one folder each. */
export type { SourceKindDefinition, SourceStartOptions, StartedSourceHost, SourceHostTargets, SourceHostServer } from './types.ts';
export { sourceKinds, sourceKind } from './registry.ts';
export { gitSource, githubAppAuth, type GitHubAppAuth } from './git/index.ts';
export { ociSource } from './oci/index.ts';
