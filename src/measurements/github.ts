/**
 * github: the fake GitHub's accounting (it writes the samples itself): requests by identity and
 * status, bytes, webhook deliveries, and the quota each identity had left — observed and
 * predicted exhaustion, and when the quota was back.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { defineMeasurement, type MetricEntry } from './types.ts';

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
];

function analyzeGithub(sorted: readonly Sample[], firstTs: number): GithubStats {
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
  analyze: (input) => ({ github: analyzeGithub(input.of('github'), input.firstTs ?? 0) }),
  summarize: ({ github }: { github: GithubStats }) => {
    const identities = Object.values(github.identities);
    return {
      'github.requests.count': github.requests,
      'github.status_403.count': github.status403,
      'github.status_429.count': github.status429,
      'github.quota.min_remaining': github.minQuotaRemaining,
      'github.quota.exhausted_after': earliestSeconds(identities.map((i) => i.exhaustedAfterMs)),
      'github.quota.predicted_exhaustion': earliestSeconds(identities.map((i) => i.predictedExhaustionMs)),
      'github.quota.back_after': earliestSeconds(identities.map((i) => i.quotaBackAfterMs)),
    };
  },
});
