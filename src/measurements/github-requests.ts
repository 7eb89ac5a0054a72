/**
 * Requests to the fake GitHub per repository, from its `github`/`request` samples (each labelled
 * with the `owner/repo` its route names: git smart-HTTP, REST under /repos/{owner}/{repo}, pages,
 * generic webhooks under /hooks/{owner}/{repo}),
 * and the report table that keeps a run of hundreds of repositories readable: the busiest ones,
 * the rest summed, and the requests that named none.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatBytes } from '../util/units.ts';
import type { ReportTable } from './types.ts';

export const repoRequestStatsSchema = z.object({
  requests: z.number(),
  /** Of those, by traffic category: git smart-HTTP, REST API, pages (Helm repositories), generic webhooks. */
  git: z.number(),
  rest: z.number(),
  pages: z.number(),
  // Summaries written before generic webhooks were served have no hooks count.
  hooks: z.number().default(0),
  /** Refused by a rate limit (primary, concurrency or points). */
  limited: z.number(),
  /** Answered 4xx for another reason (credentials, not found, forbidden). */
  clientErrors: z.number(),
  /** Answered 5xx, or cut without an answer (a reset). */
  failed: z.number(),
  /** Bytes received and served, headers included. */
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type RepoRequestStats = z.infer<typeof repoRequestStatsSchema>;

/** How many repositories the report names one by one; the others share a row. */
export const repoRowsShown = 20;

const emptyStats = (): RepoRequestStats => ({ requests: 0, git: 0, rest: 0, pages: 0, hooks: 0, limited: 0, clientErrors: 0, failed: 0, bytesIn: 0, bytesOut: 0 });
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function add(into: RepoRequestStats, from: RepoRequestStats): void {
  for (const key of Object.keys(from) as (keyof RepoRequestStats)[]) into[key] += from[key];
}

/**
 * Requests per `owner/repo`; the key '' holds the requests that named no repository (API root,
 * rate_limit, App routes, unrouted targets).
 */
export function analyzeRepoRequests(githubSamples: readonly Sample[]): Record<string, RepoRequestStats> {
  const repos: Record<string, RepoRequestStats> = {};
  for (const s of githubSamples) {
    if (s.name !== 'request') continue;
    const stats = (repos[s.labels?.repo ?? ''] ??= emptyStats());
    const route = s.labels?.route ?? '';
    const status = Number(s.labels?.status);
    stats.requests += 1;
    if (route.startsWith('git.')) stats.git += 1;
    else if (route === 'pages') stats.pages += 1;
    else if (route.startsWith('hooks.')) stats.hooks += 1;
    else stats.rest += 1;
    if (typeof s.detail?.limited === 'string') stats.limited += 1;
    else if (status >= 400 && status < 500) stats.clientErrors += 1;
    if (status === 0 || status >= 500) stats.failed += 1;
    stats.bytesIn += num(s.detail?.bytesIn);
    stats.bytesOut += num(s.detail?.bytesOut);
  }
  return repos;
}

const cells = (s: RepoRequestStats): string[] => [
  String(s.requests),
  String(s.git),
  String(s.rest),
  String(s.pages),
  String(s.hooks),
  String(s.limited),
  String(s.clientErrors),
  String(s.failed),
  formatBytes(s.bytesIn),
  formatBytes(s.bytesOut),
];

/**
 * The `shown` repositories with the most requests (ties by name), one row each; then one row
 * summing the others, and one for the requests that named no repository.
 */
export function repoRequestTable(byRepo: Record<string, RepoRequestStats> | undefined, shown = repoRowsShown): ReportTable {
  const ranked = Object.entries(byRepo ?? {})
    .filter(([repo]) => repo !== '')
    .sort((a, b) => b[1].requests - a[1].requests || a[0].localeCompare(b[0]));
  const rows = ranked.slice(0, shown).map(([repo, s]) => [repo, ...cells(s)]);
  const rest = ranked.slice(shown);
  if (rest.length > 0) {
    const sum = emptyStats();
    for (const [, s] of rest) add(sum, s);
    rows.push([`${rest.length} more ${rest.length === 1 ? 'repository' : 'repositories'}`, ...cells(sum)]);
  }
  const none = byRepo?.[''];
  if (none) rows.push(['(no repository: API root, rate_limit, App routes)', ...cells(none)]);
  return {
    header: ['Repository', 'Requests', 'git', 'REST', 'Pages', 'Webhooks', 'Rate-limited', 'Other 4xx', 'Errors (5xx, resets)', 'Received', 'Served'],
    rows,
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  };
}
