import { ApiException, CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ExitCode, FluxbenchError } from '../util/exit-codes.ts';
import { fluxKinds, wellKnownApiVersions } from './kinds.ts';
import type { FluxKindInfo } from './kinds.ts';
import { outOfScopeReferences, relatedLookups } from './lookups.ts';
import type { Lookup } from './lookups.ts';
import { secondaryRefIds } from './root-cause.ts';
import { emptyFluxState, parseObjectId, rawObjectId } from './state.ts';
import type { EventRecord, FluxState, RawObject } from './state.ts';

export interface CollectOptions {
  /** Read only these namespaces (default: all). */
  namespaces?: string[];
  /** Page size of list calls. */
  pageSize?: number;
  /** At most this many single-object gets for related objects. */
  maxLookups?: number;
  /** ConfigMap/Secret id → creating Flux object id, known from outside the cluster (see FluxState.producerHints). */
  producerHints?: Record<string, string>;
  /** Give up (FluxbenchError, exit code 4) when collection takes longer than this. Default 120 s. */
  timeoutMs?: number;
  /** Clock for `collectedAt` (tests). */
  now?: () => Date;
}

interface Clients {
  custom: CustomObjectsApi;
  core: CoreV1Api;
  objects: KubernetesObjectApi;
  pageSize: number;
}

function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The client returns typed objects with Date fields for core kinds; the state keeps plain JSON. */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function unreachable(what: string, err: unknown): FluxbenchError {
  const detail = err instanceof ApiException ? `HTTP ${err.code}: ${JSON.stringify(err.body).slice(0, 300)}` : (err as Error).message;
  return new FluxbenchError(`diagnose: could not ${what}: ${detail}`);
}

async function listPages(fetchPage: (cont: string | undefined) => Promise<{ items?: unknown[]; metadata?: { _continue?: string; continue?: string } }>): Promise<unknown[]> {
  const items: unknown[] = [];
  let cont: string | undefined;
  // Bounded: a server that keeps handing out continue tokens cannot keep us here forever.
  for (let page = 0; page < 10_000; page += 1) {
    const result = await fetchPage(cont);
    items.push(...(result.items ?? []));
    cont = result.metadata?._continue ?? result.metadata?.continue;
    if (!cont) break;
  }
  return items;
}

async function listFluxKind(clients: Clients, info: FluxKindInfo, namespaces: string[] | undefined, notes: string[]): Promise<RawObject[]> {
  versions: for (const version of info.versions) {
    const objects: RawObject[] = [];
    for (const namespace of namespaces ?? [undefined]) {
      try {
        const items = await listPages((cont) => {
          const page = { group: info.group, version, plural: info.plural, limit: clients.pageSize, ...(cont ? { _continue: cont } : {}) };
          return namespace
            ? clients.custom.listNamespacedCustomObject({ ...page, namespace })
            : clients.custom.listClusterCustomObject(page);
        });
        // List items omit apiVersion/kind on some servers; the list call says what they are.
        for (const item of items) objects.push({ ...(item as RawObject), apiVersion: `${info.group}/${version}`, kind: info.kind });
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) continue versions;
        // Namespace-scoped RBAC: skip what we may not read, keep the rest.
        if (status === 403) {
          notes.push(`${info.kind} (${info.group})${namespace ? ` in ${namespace}` : ''}: list forbidden, skipped`);
          continue;
        }
        throw unreachable(`list ${info.plural}.${info.group}/${version}`, err);
      }
    }
    return objects;
  }
  notes.push(`${info.kind} (${info.group}/${info.versions.join(' or ')}): not installed, skipped`);
  return [];
}

function toEventRecord(event: CoreV1Event): EventRecord | undefined {
  const json = plain<Record<string, unknown>>(event);
  const involved = (json.involvedObject ?? {}) as Record<string, unknown>;
  const metadata = (json.metadata ?? {}) as Record<string, unknown>;
  const series = (json.series ?? {}) as Record<string, unknown>;
  const time = [json.lastTimestamp, series.lastObservedTime, json.eventTime, json.firstTimestamp, metadata.creationTimestamp].find(
    (t): t is string => typeof t === 'string' && t !== '',
  );
  if (typeof involved.kind !== 'string' || typeof involved.name !== 'string' || !time) return undefined;
  return {
    kind: involved.kind,
    namespace: typeof involved.namespace === 'string' ? involved.namespace : '',
    name: involved.name,
    type: typeof json.type === 'string' ? json.type : 'Normal',
    reason: typeof json.reason === 'string' ? json.reason : '',
    message: typeof json.message === 'string' ? json.message : '',
    time: new Date(time).toISOString(),
    count: typeof json.count === 'number' ? json.count : typeof series.count === 'number' ? series.count : 1,
  };
}

async function listEvents(clients: Clients, fieldSelector: string, namespaces: (string | undefined)[], notes: string[]): Promise<EventRecord[]> {
  const records: EventRecord[] = [];
  for (const namespace of namespaces) {
    try {
      const items = await listPages((cont) => {
        const page = { fieldSelector, limit: clients.pageSize, ...(cont ? { _continue: cont } : {}) };
        return namespace ? clients.core.listNamespacedEvent({ ...page, namespace }) : clients.core.listEventForAllNamespaces(page);
      });
      for (const item of items) {
        const record = toEventRecord(item as CoreV1Event);
        if (record) records.push(record);
      }
    } catch (err) {
      if (statusOf(err) === 403) {
        notes.push(`events (${fieldSelector}${namespace ? ` in ${namespace}` : ''}): list forbidden, skipped`);
        continue;
      }
      throw unreachable(`list events (${fieldSelector})`, err);
    }
  }
  return records;
}

async function getFluxObject(clients: Clients, id: string): Promise<RawObject | undefined> {
  const key = parseObjectId(id);
  const info = fluxKinds.find((k) => k.kind === key.kind);
  if (!info || !key.namespace) return undefined;
  for (const version of info.versions) {
    try {
      const object = (await clients.custom.getNamespacedCustomObject({
        group: info.group,
        version,
        namespace: key.namespace,
        plural: info.plural,
        name: key.name,
      })) as RawObject;
      return { ...object, apiVersion: `${info.group}/${version}`, kind: info.kind };
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 403) continue;
      throw unreachable(`get ${id}`, err);
    }
  }
  return undefined;
}

/** Reads one object of any kind; undefined when it does not exist. Discovery tells the client its resource path. */
async function getAnyObject(clients: Clients, lookup: Lookup, notes: string[]): Promise<RawObject | undefined | 'skipped'> {
  const key = parseObjectId(lookup.id);
  try {
    const header = { apiVersion: lookup.apiVersion, kind: key.kind, metadata: { name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) } };
    const object = await clients.objects.read<KubernetesObject>(header);
    const raw = plain<RawObject>(object);
    // Keep what a diagnosis shows, not a ConfigMap's data.
    return { apiVersion: lookup.apiVersion, kind: key.kind, metadata: raw.metadata, ...(raw.spec ? { spec: raw.spec } : {}), ...(raw.status ? { status: raw.status } : {}) };
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return undefined;
    notes.push(`could not read ${lookup.id}: ${status ? `HTTP ${status}` : (err as Error).message}`);
    return 'skipped';
  }
}

function involvedSelector(id: string): { selector: string; namespace: string | undefined } {
  const key = parseObjectId(id);
  const parts = [`involvedObject.kind=${key.kind}`, `involvedObject.name=${key.name}`];
  if (key.namespace) parts.push(`involvedObject.namespace=${key.namespace}`);
  return { selector: parts.join(','), namespace: key.namespace };
}

/**
 * Reads everything diagnosis reasons about from a cluster, read-only: every Flux object of the
 * kinds whose CRDs exist (sources, Kustomizations, HelmReleases, ...), the objects their health
 * checks and inventories name, Warning events, and the ConfigMaps/Secrets they reference.
 * Each request has a deadline (an API server that accepts connections and never answers must
 * not hang a diagnosis); a kind whose CRD is missing is skipped, not an error.
 * Returns a `FluxState` snapshot (plain data, see state.ts) for `diagnose()`; starts nothing,
 * writes nothing. Throws when the API server cannot be reached at all.
 */
export async function collectFluxState(kubeConfig: KubeConfig, options: CollectOptions = {}): Promise<FluxState> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FluxbenchError(`diagnose: reading the cluster took longer than ${timeoutMs / 1000}s; is the API server at ${kubeConfig.getCurrentCluster()?.server ?? '?'} answering?`, ExitCode.timeout)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([collect(kubeConfig, options), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the Flux state a diagnosis needs, with list/get calls only: Flux objects of every kind
 * that is installed, their events, out-of-scope dependencies, and the objects failing health
 * checks point at (with their events and the StorageClass a PVC names).
 */
async function collect(kubeConfig: KubeConfig, options: CollectOptions): Promise<FluxState> {
  const clients: Clients = {
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    core: kubeConfig.makeApiClient(CoreV1Api),
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
    pageSize: options.pageSize ?? 500,
  };
  const state = emptyFluxState((options.now?.() ?? new Date()).toISOString());
  const context = kubeConfig.getCurrentContext();
  if (context) state.context = context;
  const namespaces = options.namespaces && options.namespaces.length > 0 ? [...new Set(options.namespaces)].sort() : undefined;
  if (namespaces) state.namespaces = namespaces;
  if (options.producerHints) state.producerHints = { ...options.producerHints };

  for (const info of fluxKinds) state.objects.push(...(await listFluxKind(clients, info, namespaces, state.notes)));

  // Out-of-scope objects have references of their own (a HelmChart's HelmRepository): a few rounds.
  const tried = new Set<string>();
  for (let round = 0; round < 4; round += 1) {
    const ids = outOfScopeReferences(state).filter((id) => !tried.has(id));
    if (ids.length === 0) break;
    for (const id of ids) {
      tried.add(id);
      const object = await getFluxObject(clients, id);
      if (object) state.objects.push(object);
    }
  }

  const kindsPresent = [...new Set(state.objects.map((o) => o.kind))].sort();
  const known = new Set(state.objects.map(rawObjectId));
  const eventScopes: (string | undefined)[] = namespaces ?? [undefined];
  for (const kind of kindsPresent) {
    const events = await listEvents(clients, `involvedObject.kind=${kind}`, eventScopes, state.notes);
    // Keep events of objects we hold; a server may ignore the field selector.
    state.events.push(...events.filter((e) => e.kind === kind && known.has(rawObjectId({ apiVersion: '', kind: e.kind, metadata: { name: e.name, namespace: e.namespace } }))));
  }

  const maxLookups = options.maxLookups ?? 200;
  const lookups = relatedLookups(state);
  if (lookups.length > maxLookups) state.notes.push(`${lookups.length - maxLookups} related objects not read (limit ${maxLookups})`);
  const pending = lookups.slice(0, maxLookups);
  const fetched = new Set<string>();
  while (pending.length > 0) {
    const lookup = pending.shift()!;
    if (fetched.has(lookup.id)) continue;
    fetched.add(lookup.id);
    const object = await getAnyObject(clients, lookup, state.notes);
    if (object === 'skipped') continue;
    if (!object) {
      state.relatedMissing.push(lookup.id);
      continue;
    }
    state.related.push(object);
    if (object.kind === 'ConfigMap' || object.kind === 'Secret') continue;
    const { selector, namespace } = involvedSelector(lookup.id);
    state.events.push(...(await listEvents(clients, selector, [namespace], state.notes)).filter((e) => e.name === object.metadata.name && e.kind === object.kind));
    for (const ref of secondaryRefIds(object)) {
      const apiVersion = wellKnownApiVersions[parseObjectId(ref).kind];
      if (apiVersion && !fetched.has(ref)) pending.push({ id: ref, apiVersion });
    }
  }
  return state;
}
