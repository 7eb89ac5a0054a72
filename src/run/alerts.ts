/**
 * GitHub commit statuses from Flux: one notification-controller Provider of type `github` per
 * repository and one Alert sending it the events of the Kustomizations built from that
 * repository, as Flux documents commit status updates. Each event becomes a list and a create
 * call on the fake GitHub's REST API (notification-controller lists a commit's statuses to skip
 * duplicates, and skips the create when the newest status of its context says the same), so a
 * busy fleet's statuses can be seen eating the API quota they share. The same Alerts can feed
 * `githubdispatch` and `generic` webhook Providers (see AlertProviderType).
 */
import type { GeneratedWorkload } from '../workload/index.ts';
import { boundedObjectName } from './receivers.ts';

/** The Secret the Providers read their token from (key `token`, as notification-controller expects). */
export const commitStatusSecretName = 'fluxbench-github-status';

export interface AlertTarget {
  /** `owner/repo` the Kustomizations read, whose commits get the statuses. */
  repo: string;
  kustomizations: Array<{ namespace: string; name: string }>;
}

/**
 * The Provider types the run can create, by their notification-controller names: `github` posts
 * a commit status per event, `githubdispatch` a repository_dispatch (how teams start GitHub
 * Actions workflows from Flux events); both call the GitHub API with the Provider's token.
 * `generic` posts each event as JSON to a webhook (a CI trigger or chat bridge a team runs), here
 * the fake GitHub's /hooks/{owner}/{repo}, with the token in an Authorization header so its
 * posts are attributed to the same identity.
 */
export type AlertProviderType = 'github' | 'githubdispatch' | 'generic';

const namePrefix: Record<AlertProviderType, string> = { github: 'gh-status', githubdispatch: 'gh-dispatch', generic: 'webhook' };

/** A Provider/Alert name for a repository and type: readable, a DNS label, unique per repository. */
export function alertName(repo: string, type: AlertProviderType = 'github'): string {
  return boundedObjectName(`${namePrefix[type]}-${repo.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-+$/, ''), repo);
}

/** The Kustomizations of a workload grouped by the repository they read (sorted by repository). */
export function alertTargets(workload: Pick<GeneratedWorkload, 'fluxObjects'>): AlertTarget[] {
  const byRepo = new Map<string, AlertTarget>();
  for (const o of workload.fluxObjects) {
    if (o.kind !== 'Kustomization' || !o.sourceRepo) continue;
    const target = byRepo.get(o.sourceRepo) ?? { repo: o.sourceRepo, kustomizations: [] };
    target.kustomizations.push({ namespace: o.namespace, name: o.name });
    byRepo.set(o.sourceRepo, target);
  }
  return [...byRepo.values()].sort((a, b) => (a.repo < b.repo ? -1 : 1));
}

/**
 * The manifests: the token Secret, then a Provider and an Alert per target, all in `namespace`.
 * `githubUrl` is the fake GitHub's base URL: notification-controller treats any host but
 * github.com as GitHub Enterprise and calls `<host>/api/v3/…`, which the fake serves.
 * Events of severity info (success) and error (failure) both post; Progressing is skipped by
 * the controller itself.
 */
export function alertManifests(input: {
  namespace: string;
  githubUrl: string;
  token: string;
  targets: readonly AlertTarget[];
  /** Provider types to create per repository (default: github). */
  types?: readonly AlertProviderType[];
}): string {
  const types = input.types ?? ['github'];
  // JSON-quoted: a token of digits, or with YAML's special characters, stays a string. `headers`
  // is YAML in a string, as notification-controller reads it for generic Providers.
  const headers = types.includes('generic') ? `, headers: ${JSON.stringify(`Authorization: ${JSON.stringify(`Bearer ${input.token}`)}\n`)}` : '';
  return [
    `apiVersion: v1\nkind: Secret\nmetadata: {name: ${commitStatusSecretName}, namespace: ${input.namespace}}\nstringData: {token: ${JSON.stringify(input.token)}${headers}}\n`,
    ...types.flatMap((type) => input.targets.flatMap((t) => providerAndAlert(input, t, type))),
  ].join('---\n');
}

/** One Provider of `type` for the repository, and the Alert sending it its Kustomizations' events. */
function providerAndAlert(input: { namespace: string; githubUrl: string }, t: AlertTarget, type: AlertProviderType): string[] {
  const name = alertName(t.repo, type);
  return [
    [
      'apiVersion: notification.toolkit.fluxcd.io/v1beta3',
      'kind: Provider',
      `metadata: {name: ${name}, namespace: ${input.namespace}}`,
      `spec: {type: ${type}, address: ${JSON.stringify(`${input.githubUrl}/${type === 'generic' ? 'hooks/' : ''}${t.repo}`)}, secretRef: {name: ${commitStatusSecretName}}}`,
      '',
    ].join('\n'),
    [
      'apiVersion: notification.toolkit.fluxcd.io/v1beta3',
      'kind: Alert',
      `metadata: {name: ${name}, namespace: ${input.namespace}}`,
      'spec:',
      `  providerRef: {name: ${name}}`,
      '  eventSeverity: info',
      '  eventSources:',
      ...t.kustomizations.map((k) => `    - {kind: Kustomization, name: ${k.name}, namespace: ${k.namespace}}`),
      '',
    ].join('\n'),
  ];
}
