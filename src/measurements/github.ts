/**
 * github: the fake GitHub's accounting (it writes the samples itself): requests by identity,
 * status and repository (src/measurements/github-requests.ts), bytes, webhook deliveries, and the
 * quota each identity had left — observed and predicted exhaustion, and when the quota was back;
 * what each fetch cost the host per repository, its background repacks, and clone timeouts
 * (src/measurements/github-fetch.ts).
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { analyzeFetches, cloneTimeoutSchema, findCloneTimeouts, repoFetchStatsSchema, type RepoFetchStats } from './github-fetch.ts';
import { analyzeRepoRequests, repoRequestStatsSchema, repoRequestTable, repoRowsShown } from './github-requests.ts';
import { distribution, distributionSchema } from './stats.ts';
import { defineMeasurement, type MetricEntry, type ReportTable } from './types.ts';

export const identityStatsSchema = z.object({
  requests: z.number(),
  status403: z.number(),
  status429: z.number(),
  minRemaining: z.number().optional(),
  lastRemaining: z.number().optional(),
  limit: z.number().optional(),
  /** ms since the run's first sample when quota_remaining first reached 0. */
  exhaustedAfterMs: z.number().optional(),
  /**
   * ms since the run's first sample when the quota was predicted to run out: the remaining quota
   * at the first quota sample divided by the request rate the identity then sustained (until it
   * ran out, or to the end) — what a user would extrapolate from the first minutes of a rollout.
   */
  predictedExhaustionMs: z.number().optional(),
  /**
   * ms from that exhaustion until the quota was back (the first quota_remaining above 0 after
   * it: the window reset). Objects come back later still: each source retries on its own backoff.
   */
  quotaBackAfterMs: z.number().optional(),
});
export type IdentityStats = z.infer<typeof identityStatsSchema>;

export const githubStatsSchema = z.object({
  requests: z.number(),
  statusCounts: z.record(z.string(), z.number()),
  status403: z.number(),
  status429: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  minQuotaRemaining: z.number().optional(),
  identities: z.record(z.string(), identityStatsSchema),
  webhookDeliveries: z.record(z.string(), z.number()),
  /** Host seconds of every fetch (all repositories); absent in summaries written before it was measured. */
  fetchSeconds: distributionSchema.optional(),
  /** The largest response of one fetch, bytes. */
  maxFetchBytes: z.number().optional(),
  /**
   * Requests per `owner/repo` the route named (git, REST, pages), '' for those naming none;
   * absent in summaries written before it was counted.
   */
  requestsByRepo: z.record(z.string(), repoRequestStatsSchema).optional(),
  /** Fetch costs and background repacks per `owner/repo`. */
  repos: z.record(z.string(), repoFetchStatsSchema).optional(),
  /** GitRepositories that timed out while their clone took the host about as long or longer. */
  cloneTimeouts: z.array(cloneTimeoutSchema).optional(),
});
export type GithubStats = z.infer<typeof githubStatsSchema>;

const count = (pattern: string, description: string): MetricEntry => ({ pattern, unit: 'count', aggregation: 'count', description });
const earliest = (pattern: string, description: string): MetricEntry => ({ pattern, unit: 'seconds', aggregation: 'earliest', description });
const catalogue: MetricEntry[] = [
  count('github.requests.count', 'Requests to the fake GitHub (git and REST)'),
  count('github.status_403.count', 'Requests answered 403 (primary rate limit, or forbidden)'),
  count('github.status_429.count', 'Requests answered 429 (secondary rate limit)'),
  { pattern: 'github.quota.min_remaining', unit: 'count', aggregation: 'min', description: 'The lowest quota_remaining of any identity' },
  earliest('github.quota.exhausted_after', "Seconds from the run's start until the first identity's quota reached 0 (observed)"),
  earliest('github.quota.predicted_exhaustion', 'Seconds from the start until a quota was predicted to run out, at the request rate the identity sustained'),
  earliest('github.quota.back_after', 'Seconds from that exhaustion until the quota was back (the window reset); absent when it did not reset'),
  ...(['p50', 'p95', 'max'] as const).map(
    (aggregation): MetricEntry => ({
      pattern: `github.fetch_seconds.${aggregation}`,
      unit: 'seconds',
      aggregation,
      description: 'Host time per fetch, all repositories: wall time of the git upload-pack that sent a pack (or that the client cut short)',
    }),
  ),
  { pattern: 'github.fetch_bytes.max', unit: 'bytes', aggregation: 'max', description: 'The largest response one fetch was served' },
  count('github.maintenance.count', 'Background repacks of repositories after pushes'),
  { pattern: 'github.maintenance.cpu_seconds', unit: 'seconds', aggregation: 'sum', description: 'CPU seconds (user + system) the background repacks used, all repositories' },
  count('github.clone_timeouts.count', 'GitRepositories that failed with a timeout while a clone of their repo took the host about their spec.timeout or longer'),
];

function analyzeGithub(sorted: readonly Sample[], stallSamples: readonly Sample[], firstTs: number): GithubStats {
  const stats: GithubStats = { requests: 0, statusCounts: {}, status403: 0, status429: 0, bytesIn: 0, bytesOut: 0, identities: {}, webhookDeliveries: {} };
  const identityStats = (identity: string): IdentityStats => (stats.identities[identity] ??= { requests: 0, status403: 0, status429: 0 });
  for (const s of sorted) {
    if (s.kind !== 'github') continue;
    const identity = s.labels?.identity ?? 'anonymous';
    if (s.name === 'request') {
      const status = s.labels?.status ?? 'unknown';
      const id = identityStats(identity);
      stats.requests += 1;
      id.requests += 1;
      stats.statusCounts[status] = (stats.statusCounts[status] ?? 0) + 1;
      if (status === '403') {
        stats.status403 += 1;
        id.status403 += 1;
      }
      if (status === '429') {
        stats.status429 += 1;
        id.status429 += 1;
      }
      if (typeof s.detail?.bytesIn === 'number') stats.bytesIn += s.detail.bytesIn;
      if (typeof s.detail?.bytesOut === 'number') stats.bytesOut += s.detail.bytesOut;
    } else if (s.name === 'quota_remaining' && typeof s.value === 'number') {
      const id = identityStats(identity);
      id.minRemaining = Math.min(id.minRemaining ?? Infinity, s.value);
      id.lastRemaining = s.value;
      if (s.value <= 0 && id.exhaustedAfterMs === undefined) id.exhaustedAfterMs = s.ts - firstTs;
      else if (s.value > 0 && id.exhaustedAfterMs !== undefined && id.quotaBackAfterMs === undefined) id.quotaBackAfterMs = s.ts - firstTs - id.exhaustedAfterMs;
      stats.minQuotaRemaining = Math.min(stats.minQuotaRemaining ?? Infinity, s.value);
    } else if (s.name === 'quota_limit' && typeof s.value === 'number') {
      identityStats(identity).limit = s.value;
    } else if (s.name === 'webhook_delivery') {
      const status = s.labels?.status ?? 'unknown';
      stats.webhookDeliveries[status] = (stats.webhookDeliveries[status] ?? 0) + 1;
    }
  }
  for (const [identity, id] of Object.entries(stats.identities)) {
    const predicted = predictExhaustion(sorted, identity, id.exhaustedAfterMs === undefined ? undefined : firstTs + id.exhaustedAfterMs);
    if (predicted !== undefined) id.predictedExhaustionMs = predicted - firstTs;
  }
  const requestsByRepo = analyzeRepoRequests(sorted);
  if (Object.keys(requestsByRepo).length > 0) stats.requestsByRepo = requestsByRepo;
  const fetches = analyzeFetches(sorted);
  const fetchSeconds = distribution(fetches.hostSeconds);
  if (fetchSeconds) stats.fetchSeconds = fetchSeconds;
  if (fetches.maxBytesOut !== undefined) stats.maxFetchBytes = fetches.maxBytesOut;
  if (Object.keys(fetches.repos).length > 0) stats.repos = fetches.repos;
  const cloneTimeouts = findCloneTimeouts(stallSamples, sorted);
  if (cloneTimeouts.length > 0) stats.cloneTimeouts = cloneTimeouts;
  return stats;
}

/** Epoch ms at which `identity`'s quota would run out at the rate it sustained; undefined without a rate. */
function predictExhaustion(sorted: readonly Sample[], identity: string, exhaustedAt: number | undefined): number | undefined {
  const first = sorted.find((s) => s.name === 'quota_remaining' && s.labels?.identity === identity && typeof s.value === 'number');
  if (!first || first.value! <= 0) return undefined;
  const until = exhaustedAt ?? Infinity;
  const requests = sorted.filter((s) => s.name === 'request' && s.labels?.identity === identity && s.ts >= first.ts && s.ts < until);
  const last = requests.at(-1);
  if (!last || requests.length < 2 || last.ts <= first.ts) return undefined;
  const ratePerMs = requests.length / (last.ts - first.ts);
  return first.ts + first.value! / ratePerMs;
}

/** The earliest of the identities' figures, in seconds. */
function earliestSeconds(values: Array<number | undefined>): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) / 1000 : undefined;
}

export const githubMeasurement = defineMeasurement({
  name: 'github',
  description: 'the fake GitHub writes a sample per request, quota reading and webhook delivery',
  catalogue,
  analyze: (input) => ({ github: analyzeGithub(input.of('github'), input.of('stall'), input.firstTs ?? 0) }),
  summarize: ({ github }: { github: GithubStats }) => {
    const identities = Object.values(github.identities);
    const repacks = Object.values(github.repos ?? {}).flatMap((r) => (r.maintenance ? [r.maintenance] : []));
    return {
      'github.fetch_seconds.p50': github.fetchSeconds?.p50,
      'github.fetch_seconds.p95': github.fetchSeconds?.p95,
      'github.fetch_seconds.max': github.fetchSeconds?.max,
      'github.fetch_bytes.max': github.maxFetchBytes,
      'github.maintenance.count': repacks.length > 0 ? repacks.reduce((n, m) => n + m.runs, 0) : undefined,
      'github.maintenance.cpu_seconds': repacks.length > 0 ? repacks.reduce((n, m) => n + m.cpuSeconds, 0) : undefined,
      'github.clone_timeouts.count': github.cloneTimeouts?.length ?? (github.fetchSeconds ? 0 : undefined),
      'github.requests.count': github.requests,
      'github.status_403.count': github.status403,
      'github.status_429.count': github.status429,
      'github.quota.min_remaining': github.minQuotaRemaining,
      'github.quota.exhausted_after': earliestSeconds(identities.map((i) => i.exhaustedAfterMs)),
      'github.quota.predicted_exhaustion': earliestSeconds(identities.map((i) => i.predictedExhaustionMs)),
      'github.quota.back_after': earliestSeconds(identities.map((i) => i.quotaBackAfterMs)),
    };
  },
  report: [
    {
      id: 'github-repositories',
      title: `Requests to the fake GitHub per repository (top ${repoRowsShown})`,
      empty: 'No request named a repository.',
      optional: true,
      table: (summary) => repoRequestTable(summary.github?.requestsByRepo),
    },
    {
      id: 'github-fetches',
      title: 'Git fetches per repository (host cost)',
      empty: 'No fetch was served.',
      table: (summary) => fetchTable(summary.github),
    },
  ],
});

const dash = '—';
const seconds = (value: number | undefined) => (value === undefined ? dash : formatDuration(value * 1000));

/**
 * One row per repository: fetches, host time per fetch (p50, p95, max), CPU, bytes served,
 * objects reused from packs, fetches cut short, background repacks, and any clone-timeout warning
 * of a GitRepository reading it, so the host's clone time stands next to the object's timeout.
 */
function fetchTable(github: GithubStats | undefined): ReportTable {
  const repos = Object.entries(github?.repos ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  const warnings = github?.cloneTimeouts ?? [];
  return {
    header: ['Repository', 'Fetches', 'Host p50', 'Host p95', 'Host max', 'CPU', 'Served', 'Largest', 'Objects reused', 'Cut short', 'Repacks (CPU)', 'Timeout warning'],
    rows: repos.map(([repo, r]: [string, RepoFetchStats]) => [
      repo,
      String(r.fetches),
      seconds(r.hostSeconds?.p50),
      seconds(r.hostSeconds?.p95),
      seconds(r.hostSeconds?.max),
      seconds(r.cpuSeconds),
      formatBytes(r.bytesOut),
      formatBytes(r.maxBytesOut),
      r.objects > 0 ? `${Math.round((r.reusedObjects / r.objects) * 100)}% (${r.packReusedObjects} as pack chunks)` : dash,
      String(r.cutShort),
      r.maintenance ? `${r.maintenance.runs} (${seconds(r.maintenance.cpuSeconds)})` : dash,
      warnings.filter((w) => w.repo === repo).map((w) => w.warning).join(' ') || dash,
    ]),
    numeric: [1, 2, 3, 4, 5, 6, 7, 9],
  };
}
