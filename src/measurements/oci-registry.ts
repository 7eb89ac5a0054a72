/**
 * registry: the OCI registry's accounting. The gateway in front of the Distribution registry
 * (src/registry) writes a `registry` sample per request — labelled with the identity, the
 * repository, the route (token, manifest, blob, ...), the method and status, `pull` when the
 * request counted against the identity's pull limit and `limited` when that limit refused it
 * (429 TOOMANYREQUESTS) — and a `quota` sample with the pulls left after each counted pull.
 * This measurement only analyses them: traffic by identity, repository and route, 429s, 5xx
 * and connection resets, the time pulls took, and when an identity's pull quota ran out.
 * (The file is not called registry.ts: that name is the list of measurements beside it.)
 */
import { analyzeRegistry, hasRegistryTraffic, type RegistryAnalysis, type RegistryStats } from './oci-registry-stats.ts';
import { registryTables } from './oci-registry-tables.ts';
import { defineMeasurement, type MetricEntry } from './types.ts';

const count = (pattern: string, description: string): MetricEntry => ({ pattern, unit: 'count', aggregation: 'count', description });
const catalogue: MetricEntry[] = [
  count('registry.requests', 'Requests to the OCI registry gateway (every route: API check, token, manifests, blobs, uploads, tags)'),
  count('registry.pulls', 'Pulls counted against a pull limit: manifest GETs let through, as Docker Hub counts them (refusals are registry.throttled)'),
  count('registry.throttled', 'Requests the pull limit refused: HTTP 429 with TOOMANYREQUESTS'),
  count('registry.errors', 'Requests answered 5xx or reset without an answer (faults, an outage, the registry failing)'),
  { pattern: 'registry.quota_remaining.min', unit: 'count', aggregation: 'min', description: 'The fewest pulls any identity had left in its window' },
  {
    pattern: 'registry.quota_exhausted_after',
    unit: 'seconds',
    aggregation: 'earliest',
    description: "Seconds from the run's start until the first identity had no pull left (observed)",
  },
  ...(['p50', 'p95', 'max'] as const).map(
    (aggregation): MetricEntry => ({
      pattern: `registry.pull_seconds.${aggregation}`,
      unit: 'seconds',
      aggregation,
      description: 'Gateway time to serve a pull (a manifest GET answered 2xx), fault latency included; refusals and errors are counted apart',
    }),
  ),
  { pattern: 'registry.bytes_out', unit: 'bytes', aggregation: 'sum', description: 'Bytes the registry served (manifests, blobs, tokens), all identities' },
];

/** The earliest exhaustion over the identities, in seconds. */
function firstExhaustionSeconds(stats: RegistryStats): number | undefined {
  const times = Object.values(stats.identities).flatMap((i) => (i.exhaustedAfterMs === undefined ? [] : [i.exhaustedAfterMs]));
  return times.length > 0 ? Math.min(...times) / 1000 : undefined;
}

export const registryMeasurement = defineMeasurement({
  name: 'registry',
  description: "the OCI registry's gateway writes a sample per request and a quota reading per counted pull",
  catalogue,
  analyze: (input): RegistryAnalysis => ({ registry: analyzeRegistry(input.of('registry'), input.firstTs ?? 0) }),
  summarize: ({ registry }: RegistryAnalysis) => {
    if (!hasRegistryTraffic(registry)) return {};
    return {
      'registry.requests': registry.requests,
      'registry.pulls': registry.pulls,
      'registry.throttled': registry.throttled,
      'registry.errors': registry.errors,
      'registry.quota_remaining.min': registry.minQuotaRemaining,
      'registry.quota_exhausted_after': firstExhaustionSeconds(registry),
      'registry.pull_seconds.p50': registry.pullSeconds?.p50,
      'registry.pull_seconds.p95': registry.pullSeconds?.p95,
      'registry.pull_seconds.max': registry.pullSeconds?.max,
      'registry.bytes_out': registry.bytesOut,
    };
  },
  report: registryTables,
});
