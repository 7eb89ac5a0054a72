/** api: API server and etcd health — list latency, object counts, managedFields bytes, the largest objects, etcd DB size. */
import { z } from 'zod';
import type { ApiHealthOptions } from '../metrics/api-health.ts';
import type { Sample } from '../metrics/sample.ts';
import { distribution, distributionSchema } from './stats.ts';
import { defineMeasurement, type MetricEntry } from './types.ts';

export const apiStatsSchema = z.object({
  listKustomizations: distributionSchema.optional(),
  etcdDbMaxBytes: z.number().optional(),
  managedFieldsMaxBytes: z.number().optional(),
  objectCounts: z.record(z.string(), z.number()),
  /** Per resource (Flux plurals, `helm-release-secrets`): the largest object seen as JSON, bytes, and its `namespace/name`. */
  objectBytes: z.record(z.string(), z.object({ maxBytes: z.number(), name: z.string() })).optional(),
});
export type ApiStats = z.infer<typeof apiStatsSchema>;

const catalogue: MetricEntry[] = [
  { pattern: 'api.list_kustomizations.p95', unit: 'seconds', aggregation: 'p95', description: 'Wall time of listing every Kustomization (request, transfer, decoding)' },
  { pattern: 'etcd.db_bytes.max', unit: 'bytes', aggregation: 'max', description: "Largest etcd database (etcd_mvcc_db_total_size_in_bytes)" },
  { pattern: 'api.managed_fields_bytes.max', unit: 'bytes', aggregation: 'max', description: 'Largest total JSON size of metadata.managedFields over the Flux objects' },
  {
    pattern: 'api.object_bytes.max',
    unit: 'bytes',
    aggregation: 'max',
    description: "Largest single object the run saw, as JSON (custom resources are stored in etcd as JSON; a Secret's JSON is about 4/3 of its protobuf), among the Flux objects and Helm's release Secrets",
  },
  {
    pattern: 'api.object_bytes.<resource>.max',
    unit: 'bytes',
    aggregation: 'max',
    description: 'The same per resource: HelmRelease status and history, and the release Secrets unbounded retries pile up, show here',
    placeholders: { resource: { description: 'a Flux resource (kustomizations, helmreleases, gitrepositories, ...) or helm-release-secrets', free: /^[a-z][a-z-]*$/ } },
  },
];

function analyzeApi(sorted: readonly Sample[]): ApiStats {
  const listSeconds: number[] = [];
  const api: ApiStats = { objectCounts: {} };
  for (const s of sorted) {
    if (s.kind !== 'api' || typeof s.value !== 'number') continue;
    if (s.name === 'list_kustomizations_seconds') listSeconds.push(s.value);
    else if (s.name === 'etcd_db_bytes') api.etcdDbMaxBytes = Math.max(api.etcdDbMaxBytes ?? 0, s.value);
    else if (s.name === 'managed_fields_bytes') api.managedFieldsMaxBytes = Math.max(api.managedFieldsMaxBytes ?? 0, s.value);
    else if (s.name === 'object_count') api.objectCounts[s.labels?.resource ?? 'unknown'] = s.value;
    else if (s.name === 'object_bytes') {
      const resource = s.labels?.resource ?? 'unknown';
      const seen = (api.objectBytes ??= {})[resource];
      if (!seen || s.value > seen.maxBytes) api.objectBytes[resource] = { maxBytes: s.value, name: String(s.detail?.name ?? '') };
    }
  }
  const d = distribution(listSeconds);
  if (d) api.listKustomizations = d;
  return api;
}

function objectBytesMetrics(api: ApiStats): Record<string, number | undefined> {
  const entries = Object.entries(api.objectBytes ?? {});
  const metrics: Record<string, number | undefined> = Object.fromEntries(entries.map(([resource, { maxBytes }]) => [`api.object_bytes.${resource}.max`, maxBytes]));
  if (entries.length > 0) metrics['api.object_bytes.max'] = Math.max(...entries.map(([, { maxBytes }]) => maxBytes));
  return metrics;
}

export const apiMeasurement = defineMeasurement({
  name: 'api',
  description: "every max(interval, 15 s), list each Flux resource across namespaces and scrape etcd's metrics",
  catalogue,
  analyze: (input) => ({ api: analyzeApi(input.of('api')) }),
  summarize: ({ api }: { api: ApiStats }) => ({
    'api.list_kustomizations.p95': api.listKustomizations?.p95,
    'etcd.db_bytes.max': api.etcdDbMaxBytes,
    'api.managed_fields_bytes.max': api.managedFieldsMaxBytes,
    ...objectBytesMetrics(api),
  }),
  sampler: {
    create: async (ctx, settings: ApiHealthOptions) => {
      // Lists need the cluster and the DB size needs etcd: with neither there is nothing to sample.
      if (!ctx.kubeConfig && !ctx.etcdMetricsUrl) return undefined;
      // Loaded on demand: the Kubernetes client it lists with is not needed to validate or report.
      const { ApiHealthSampler } = await import('../metrics/api-health.ts');
      return new ApiHealthSampler(settings);
    },
  },
});
