/** Source kinds: where Flux fetches the workload from (Git today), one folder each. */
export type { SourceKindDefinition, SourceStartOptions, StartedSourceHost, SourceHostTargets } from './types.ts';
export { sourceKinds, sourceKind } from './registry.ts';
export { gitSource, githubAppAuth, type GitHubAppAuth } from './git/index.ts';
