/**
 * The registry measurement's analysis: the gateway's `registry` samples (a `request` per request,
 * a `quota` per counted pull) reduced to traffic by identity, repository and route, the statuses
 * that matter to a registry user (429 from the pull limit, 5xx and resets from faults) and the
 * time pulls took. Its shapes are summary.json's `registry`.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { assignDefined } from './collections.ts';
import { distribution, distributionSchema, type TimePoint } from './stats.ts';

/** The gateway's route names (src/registry's RegistryRoute), in the order tables list them. */
export const registryRoutes = ['base', 'token', 'manifest', 'blob', 'upload', 'tags', 'catalog', 'referrers', 'other'] as const;

const trafficShape = {
  requests: z.number(),
  /** Pulls counted against the identity's limit (manifest GETs let through, as Docker Hub counts); refusals are `throttled`. */
  pulls: z.number(),
  /** Answered 429 (TOOMANYREQUESTS) by the pull limit. */
  throttled: z.number(),
  /** Answered 5xx, or reset without an answer (status 0). */
  errors: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
};
export const registryTrafficSchema = z.object(trafficShape);
export type RegistryTraffic = z.infer<typeof registryTrafficSchema>;

export const registryIdentityStatsSchema = z.object({
  ...trafficShape,
  /** The fewest pulls left after a counted pull, and the last reading. */
  minRemaining: z.number().optional(),
  lastRemaining: z.number().optional(),
  /** Pulls per window at the last reading. */
  limit: z.number().optional(),
  /** ms since the run's first sample when the identity's quota first reached 0. */
  exhaustedAfterMs: z.number().optional(),
  /** ms from that exhaustion until a pull was counted with quota left again (the window reset). */
  quotaBackAfterMs: z.number().optional(),
});
export type RegistryIdentityStats = z.infer<typeof registryIdentityStatsSchema>;

export const registryRepositoryStatsSchema = z.object({
  ...trafficShape,
  /** Seconds the gateway took to serve each pull of this repository (answered 2xx/3xx). */
  pullSeconds: distributionSchema.optional(),
});
export type RegistryRepositoryStats = z.infer<typeof registryRepositoryStatsSchema>;

export const registryRouteStatsSchema = z.object({
  ...trafficShape,
  /** Seconds per request on this route, as the gateway saw them (faults' latency included). */
  seconds: distributionSchema.optional(),
});
export type RegistryRouteStats = z.infer<typeof registryRouteStatsSchema>;

export const registryStatsSchema = z.object({
  ...trafficShape,
  /** Requests per status ("200", "429", "0" for a reset). */
  statusCounts: z.record(z.string(), z.number()),
  /** Connections reset by a fault (status 0), also counted in `errors`. */
  resets: z.number(),
  minQuotaRemaining: z.number().optional(),
  /** Seconds per served pull (answered 2xx/3xx), every repository. */
  pullSeconds: distributionSchema.optional(),
  identities: z.record(z.string(), registryIdentityStatsSchema),
  /** Keyed by repository name; '' holds requests without one (the API check, token exchanges, the catalog). */
  repositories: z.record(z.string(), registryRepositoryStatsSchema),
  routes: z.record(z.string(), registryRouteStatsSchema),
});
export type RegistryStats = z.infer<typeof registryStatsSchema>;

export interface RegistryAnalysis {
  registry: RegistryStats;
}

const emptyTraffic = (): RegistryTraffic => ({ requests: 0, pulls: 0, throttled: 0, errors: 0, bytesIn: 0, bytesOut: 0 });

/** Whether a request's status counts as an error: a 5xx, or a connection reset (status 0). */
export function isRegistryError(status: string): boolean {
  return status === '0' || /^5\d\d$/.test(status);
}

function count1(traffic: RegistryTraffic, s: Sample, status: string): void {
  traffic.requests += 1;
  if (s.labels?.pull === 'true') traffic.pulls += 1;
  if (status === '429') traffic.throttled += 1;
  if (isRegistryError(status)) traffic.errors += 1;
  if (typeof s.detail?.bytesIn === 'number') traffic.bytesIn += s.detail.bytesIn;
  if (typeof s.detail?.bytesOut === 'number') traffic.bytesOut += s.detail.bytesOut;
}

export function analyzeRegistry(samples: readonly Sample[], firstTs: number): RegistryStats {
  const stats: RegistryStats = { ...emptyTraffic(), statusCounts: {}, resets: 0, identities: {}, repositories: {}, routes: {} };
  const pullValues: number[] = [];
  const repoPulls = new Map<string, number[]>();
  const routeSeconds = new Map<string, number[]>();
  const identity = (name: string) => (stats.identities[name] ??= emptyTraffic());
  for (const s of samples) {
    if (s.kind !== 'registry') continue;
    const who = s.labels?.identity ?? 'anonymous';
    if (s.name === 'quota' && typeof s.value === 'number') {
      const id: RegistryIdentityStats = identity(who);
      id.minRemaining = Math.min(id.minRemaining ?? Infinity, s.value);
      id.lastRemaining = s.value;
      if (typeof s.detail?.limit === 'number') id.limit = s.detail.limit;
      if (s.value <= 0 && id.exhaustedAfterMs === undefined) id.exhaustedAfterMs = s.ts - firstTs;
      else if (s.value > 0 && id.exhaustedAfterMs !== undefined && id.quotaBackAfterMs === undefined) id.quotaBackAfterMs = s.ts - firstTs - id.exhaustedAfterMs;
      stats.minQuotaRemaining = Math.min(stats.minQuotaRemaining ?? Infinity, s.value);
      continue;
    }
    if (s.name !== 'request') continue;
    const status = s.labels?.status ?? 'unknown';
    const repository = s.labels?.repository ?? '';
    const route = s.labels?.route ?? 'other';
    stats.statusCounts[status] = (stats.statusCounts[status] ?? 0) + 1;
    if (status === '0') stats.resets += 1;
    count1(stats, s, status);
    count1(identity(who), s, status);
    count1((stats.repositories[repository] ??= emptyTraffic()), s, status);
    count1((stats.routes[route] ??= emptyTraffic()), s, status);
    if (typeof s.value !== 'number') continue;
    push(routeSeconds, route, s.value);
    // A pull's time is that of a served pull: refusals (429) and faults' errors are counted apart.
    if (s.labels?.pull === 'true' && /^[23]\d\d$/.test(status)) {
      pullValues.push(s.value);
      push(repoPulls, repository, s.value);
    }
  }
  assignDefined(stats, { pullSeconds: distribution(pullValues) });
  for (const [repository, values] of repoPulls) assignDefined(stats.repositories[repository]!, { pullSeconds: distribution(values) });
  for (const [route, values] of routeSeconds) assignDefined(stats.routes[route]!, { seconds: distribution(values) });
  return stats;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** True when the run had a registry: any request or quota reading. Git-only runs get no registry.* metric. */
export function hasRegistryTraffic(stats: RegistryStats | undefined): stats is RegistryStats {
  return stats !== undefined && (stats.requests > 0 || Object.keys(stats.identities).length > 0);
}

/** Each identity's pulls left over time (from `quota` samples), for the report's chart. */
export function registryQuotaSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const out = new Map<string, TimePoint[]>();
  for (const s of sorted) {
    if (s.kind !== 'registry' || s.name !== 'quota' || typeof s.value !== 'number') continue;
    const identity = s.labels?.identity ?? 'anonymous';
    let points = out.get(identity);
    if (!points) out.set(identity, (points = []));
    points.push({ ts: s.ts, value: s.value });
  }
  return out;
}

/** The status classes the report's requests-by-status chart stacks side by side, in its order. */
export const registryStatusClasses = ['2xx/3xx', '4xx', '429', '5xx', 'reset'] as const;
export type RegistryStatusClass = (typeof registryStatusClasses)[number];

/** The class of one request sample's status. */
export function registryStatusClass(status: string | undefined): RegistryStatusClass {
  if (status === '429') return '429';
  if (status === '0') return 'reset';
  if (status?.startsWith('5')) return '5xx';
  if (status?.startsWith('4')) return '4xx';
  return '2xx/3xx';
}
