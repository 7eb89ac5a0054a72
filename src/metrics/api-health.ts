import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type FluxResource, fluxResources } from './flux-objects.ts';
import { type TlsFiles, getLines } from './http-text.ts';
import {
  type Measurement,
  type MeasurementContext,
  type Ticker,
  defaultLog,
  errorMessage,
  rateLimitedLog,
  startTicker,
  validateInterval,
} from './measurement.ts';
import { linePrefixFilter, parsePrometheusText, selectFamilies, sumFamily } from './prometheus.ts';
import type { Sample } from './sample.ts';

export interface ApiHealthOptions {
  /** Resources listed for object counts and managedFields bytes (default: the Flux kinds). */
  resources?: readonly FluxResource[];
  /** Deadline for the etcd metrics scrape in ms (default 2000). */
  etcdTimeoutMs?: number;
  /** Client TLS for an https etcd metrics URL. */
  etcdTls?: TlsFiles;
  /** The shortest time between two rounds in ms (default minApiListMs; tests shorten it). */
  minIntervalMs?: number;
}

/**
 * Listing every Flux object is load on the API server and etcd the run is measuring (500
 * Kustomizations are megabytes a list): one round per 15 s at most, as the APF sampler scrapes,
 * whatever the sampling interval.
 */
export const minApiListMs = 15_000;

interface ListedMetadata {
  uid?: string;
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  managedFields?: unknown;
}

/** Per object uid: the resourceVersion its sizes were measured at, its managedFields bytes and its own. */
export type SizeCache = Map<string, { resourceVersion: string; bytes: number; objectBytes?: number }>;

/** What one list weighs: managedFields summed over its objects, and its largest object. */
export interface ListSizes {
  managedFieldsBytes: number;
  /** The largest object as JSON (how the API server stores custom resources in etcd), `namespace/name`. */
  largest?: { name: string; bytes: number };
}

/**
 * JSON sizes of listed objects: `metadata.managedFields` summed, and the largest object whole.
 * With a cache, an object whose resourceVersion did not change since the last list is not
 * serialized again (1,000 objects every 15 s would otherwise be the runner's busiest loop);
 * entries of objects no longer listed are dropped.
 */
export function listSizes(items: readonly unknown[], cache?: SizeCache): ListSizes {
  let total = 0;
  let largest: ListSizes['largest'];
  const listed = cache ? new Set<string>() : undefined;
  for (const item of items) {
    const metadata = (item as { metadata?: ListedMetadata } | undefined)?.metadata;
    if (metadata === undefined) continue;
    const id = metadata.uid ?? '';
    const cached = cache && id && metadata.resourceVersion ? cache.get(id) : undefined;
    const fresh = cached && cached.resourceVersion === metadata.resourceVersion ? cached : undefined;
    const bytes = fresh?.bytes ?? (metadata.managedFields === undefined ? 0 : Buffer.byteLength(JSON.stringify(metadata.managedFields)));
    const objectBytes = fresh?.objectBytes ?? Buffer.byteLength(JSON.stringify(item));
    total += bytes;
    const name = metadata.namespace ? `${metadata.namespace}/${metadata.name ?? ''}` : (metadata.name ?? '');
    if (!largest || objectBytes > largest.bytes) largest = { name, bytes: objectBytes };
    if (cache && id && metadata.resourceVersion) {
      if (!fresh) cache.set(id, { resourceVersion: metadata.resourceVersion, bytes, objectBytes });
      listed?.add(id);
    }
  }
  if (cache && listed) for (const id of cache.keys()) if (!listed.has(id)) cache.delete(id);
  return { managedFieldsBytes: total, ...(largest ? { largest } : {}) };
}

/** The `api`/`object_bytes` sample of one resource's largest object: its size, and its name in `detail`. */
function largestObjectSample(ts: number, resource: string, largest: NonNullable<ListSizes['largest']>): Sample {
  return { ts, kind: 'api', name: 'object_bytes', value: largest.bytes, labels: { resource }, detail: { name: largest.name } };
}

/** Bytes of `metadata.managedFields` as JSON, summed over objects (see listSizes). */
export function managedFieldsBytes(items: readonly unknown[], cache?: SizeCache): number {
  return listSizes(items, cache).managedFieldsBytes;
}

/** The etcd families etcdDbBytes reads (the debugging name is what etcd 3.4 and older expose). */
const etcdDbFamilies = ['etcd_mvcc_db_total_size_in_bytes', 'etcd_debugging_mvcc_db_total_size_in_bytes'];
const keepEtcdLine = linePrefixFilter(etcdDbFamilies);

/** etcd's backend size from its metrics text. */
export function etcdDbBytes(metricsText: string): number | undefined {
  const families = parsePrometheusText(selectFamilies(metricsText, etcdDbFamilies));
  return etcdDbFamilies.map((name) => sumFamily(families, name)).find((bytes) => bytes !== undefined);
}

/** The `resource` label of Helm's release Secrets (one per release revision, kept per `--history-max`). */
export const helmReleaseSecrets = 'helm-release-secrets';
const releaseSecretRounds = 4;

/**
 * The largest Helm release Secret (type helm.sh/release.v1): HelmRelease history and retries
 * grow them, and with them etcd. Only its size and name are sampled, never its data.
 */
async function sampleReleaseSecrets(core: CoreV1Api, cache: SizeCache | undefined, write: (sample: Sample) => void, log: (key: string, message: string) => void): Promise<void> {
  try {
    const list = await core.listSecretForAllNamespaces({ fieldSelector: 'type=helm.sh/release.v1', labelSelector: 'owner=helm' });
    const sizes = listSizes(list.items, cache);
    write({ ts: Date.now(), kind: 'api', name: 'object_count', value: list.items.length, labels: { resource: helmReleaseSecrets } });
    if (sizes.largest) write(largestObjectSample(Date.now(), helmReleaseSecrets, sizes.largest));
  } catch (err) {
    log('list:secrets', `listing Helm release Secrets failed: ${errorMessage(err)}`);
  }
}

/**
 * Every max(interval, 15 s): lists every Flux resource across namespaces (the Kustomization list is timed,
 * as `kubectl get ks -A` would be), counts objects, sums managedFields bytes, and reads etcd's
 * DB size when an etcd metrics URL is known. A failing part is logged and skipped, the rest sampled.
 */
export class ApiHealthSampler implements Measurement {
  readonly name = 'api';
  private ticker: Ticker | undefined;

  constructor(private readonly options: ApiHealthOptions = {}) {}

  async start(ctx: MeasurementContext): Promise<void> {
    const interval = Math.max(validateInterval(ctx.interval), this.options.minIntervalMs ?? minApiListMs);
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    const api = ctx.kubeConfig?.makeApiClient(CustomObjectsApi);
    const resources = this.options.resources ?? fluxResources;
    const etcdUrl = ctx.etcdMetricsUrl;
    const write = (sample: Sample): void => ctx.sink.write(sample);
    const fieldCache = new Map<string, SizeCache>([...resources.map((r) => r.plural), helmReleaseSecrets].map((plural) => [plural, new Map()]));
    const core = ctx.kubeConfig?.makeApiClient(CoreV1Api);
    let round = -1;
    // The first round that lists HelmReleases, then every releaseSecretRounds rounds.
    let nextSecretsRound = 0;
    this.ticker = startTicker(
      interval,
      async () => {
        round += 1;
        if (api) {
          let fieldBytes = 0;
          let listed = 0;
          for (const resource of resources) {
            const started = performance.now();
            let items: unknown[];
            try {
              const list = (await api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural })) as { items?: unknown[] };
              items = Array.isArray(list.items) ? list.items : [];
            } catch (err) {
              log(`list:${resource.plural}`, `listing ${resource.plural}.${resource.group} failed: ${errorMessage(err)}`);
              continue;
            }
            const seconds = (performance.now() - started) / 1000;
            const ts = Date.now();
            if (resource.plural === 'kustomizations') write({ ts, kind: 'api', name: 'list_kustomizations_seconds', value: seconds });
            write({ ts, kind: 'api', name: 'object_count', value: items.length, labels: { resource: resource.plural } });
            const sizes = listSizes(items, fieldCache.get(resource.plural));
            fieldBytes += sizes.managedFieldsBytes;
            if (sizes.largest) write(largestObjectSample(ts, resource.plural, sizes.largest));
            listed += 1;
            // Release Secrets carry whole charts: once a minute (every 4th round) is load enough on the API server measured.
            if (resource.plural === 'helmreleases' && items.length > 0 && core && round >= nextSecretsRound) {
              nextSecretsRound = round + releaseSecretRounds;
              await sampleReleaseSecrets(core, fieldCache.get(helmReleaseSecrets), write, log);
            }
          }
          if (listed > 0) write({ ts: Date.now(), kind: 'api', name: 'managed_fields_bytes', value: fieldBytes });
        }
        if (etcdUrl) {
          try {
            const bytes = etcdDbBytes(await getLines(etcdUrl, Math.min(this.options.etcdTimeoutMs ?? 2000, interval), keepEtcdLine, this.options.etcdTls));
            if (bytes !== undefined) write({ ts: Date.now(), kind: 'api', name: 'etcd_db_bytes', value: bytes });
            else log('etcd-missing', `etcd metrics at ${etcdUrl} have no etcd_mvcc_db_total_size_in_bytes`);
          } catch (err) {
            log('etcd', `scraping etcd metrics at ${etcdUrl} failed: ${errorMessage(err)}`);
          }
        }
      },
      (err) => log('api', `API health loop: ${errorMessage(err)}`),
    );
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
  }
}
