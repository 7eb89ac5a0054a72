import { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny Kubernetes API server on 127.0.0.1 for cluster-scoped lists and chunked watches of
 * custom resources (`/apis/<group>/<version>/<plural>`), enough for the real client-node
 * informer and CustomObjectsApi to run against. Used by unit tests and the overhead benchmark.
 */

export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface WatchEvent {
  rv: number;
  path: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: StoredObject;
}

export class FakeKubeApi {
  private server: http.Server | undefined;
  private rv = 1;
  private readonly store = new Map<string, Map<string, StoredObject>>();
  private readonly log: WatchEvent[] = [];
  private readonly watchers = new Set<{ path: string; res: http.ServerResponse }>();
  /** Delay before answering a list (not a watch), to exercise requests in flight. */
  listDelayMs = 0;
  /** Requests seen, as `METHOD path?query`. */
  readonly requests: string[] = [];
  port = 0;

  constructor(private readonly maxLog = 20_000) {}

  /** Registers a resource path so lists answer 200 (unknown paths answer 404, like a missing CRD). */
  addResource(path: string): void {
    if (!this.store.has(path)) this.store.set(path, new Map());
  }

  upsert(path: string, object: StoredObject): StoredObject {
    this.addResource(path);
    const objects = this.store.get(path)!;
    const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    const type = objects.has(key) ? 'MODIFIED' : 'ADDED';
    this.rv += 1;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(this.rv);
    const existing = objects.get(key)?.metadata;
    stored.metadata.uid = (existing?.uid as string | undefined) ?? randomUUID();
    // Second precision, as the API server stores it.
    stored.metadata.creationTimestamp = (existing?.creationTimestamp as string | undefined) ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    objects.set(key, stored);
    this.emit({ rv: this.rv, path, type, object: stored });
    return stored;
  }

  remove(path: string, namespace: string, name: string): void {
    const objects = this.store.get(path);
    const key = `${namespace}/${name}`;
    const existing = objects?.get(key);
    if (!objects || !existing) return;
    objects.delete(key);
    this.rv += 1;
    this.emit({ rv: this.rv, path, type: 'DELETED', object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.rv) } } });
  }

  get(path: string, namespace: string, name: string): StoredObject | undefined {
    return this.store.get(path)?.get(`${namespace}/${name}`);
  }

  watcherCount(path?: string): number {
    return [...this.watchers].filter((w) => path === undefined || w.path === path).length;
  }

  /** Ends every open watch stream (the informer must re-watch from its resourceVersion). */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  async start(): Promise<number> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  private emit(event: WatchEvent): void {
    this.log.push(event);
    if (this.log.length > this.maxLog) this.log.splice(0, this.log.length - this.maxLog);
    const line = `${JSON.stringify({ type: event.type, object: event.object })}\n`;
    for (const watcher of this.watchers) if (watcher.path === event.path) watcher.res.write(line);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const objects = this.store.get(url.pathname);
    if (req.method !== 'GET' || !objects) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `the server could not find the requested resource ${url.pathname}` }));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      const from = Number(url.searchParams.get('resourceVersion') ?? '0');
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      // As the real API server does: the client sees the watch open before any event.
      res.flushHeaders();
      const oldest = this.log[0]?.rv ?? this.rv;
      if (from > 0 && from < oldest - 1) {
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`);
        return;
      }
      for (const event of this.log) {
        if (event.path === url.pathname && event.rv > from) res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
      }
      const watcher = { path: url.pathname, res };
      this.watchers.add(watcher);
      req.on('close', () => this.watchers.delete(watcher));
      return;
    }
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items: [...objects.values()] }));
    };
    if (this.listDelayMs > 0) setTimeout(answer, this.listDelayMs);
    else answer();
  }
}

/** A /metrics endpoint on 127.0.0.1 whose body the test controls; counts requests. */
export class FakeMetricsEndpoint {
  private server: http.Server | undefined;
  body = '';
  status = 200;
  /** Milliseconds to wait before answering (to exercise scrape timeouts). */
  delayMs = 0;
  requests = 0;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/metrics`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.requests += 1;
      const answer = (): void => {
        res.writeHead(this.status, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(this.body);
      };
      if (this.delayMs > 0) setTimeout(answer, this.delayMs);
      else answer();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}

/** Realistic controller /metrics text, enough for every catalogue controller sample. */
export function controllerMetricsText(state: { rssBytes: number; cpuSeconds: number; queueDepth: number; reconciles: number; errors: number }): string {
  return [
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${state.rssBytes}`,
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${state.cpuSeconds}`,
    '# TYPE go_memstats_heap_inuse_bytes gauge',
    `go_memstats_heap_inuse_bytes ${Math.round(state.rssBytes / 2)}`,
    '# TYPE workqueue_depth gauge',
    `workqueue_depth{controller="kustomization",name="kustomization"} ${state.queueDepth}`,
    `workqueue_depth{controller="gitrepository",name="gitrepository"} 1`,
    '# TYPE controller_runtime_reconcile_total counter',
    `controller_runtime_reconcile_total{controller="kustomization",result="success"} ${state.reconciles}`,
    `controller_runtime_reconcile_total{controller="kustomization",result="error"} ${state.errors}`,
    '# TYPE controller_runtime_reconcile_errors_total counter',
    `controller_runtime_reconcile_errors_total{controller="kustomization"} ${state.errors}`,
    '# TYPE rest_client_requests_total counter',
    `rest_client_requests_total{code="200",host="127.0.0.1:6443",method="GET"} ${state.reconciles * 3}`,
    `rest_client_requests_total{code="200",host="127.0.0.1:6443",method="PATCH"} ${state.reconciles}`,
    '# HELP gotk_reconcile_duration_seconds The duration in seconds of a GitOps Toolkit resource reconciliation.',
    '# TYPE gotk_reconcile_duration_seconds histogram',
    `gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="a",namespace="default",le="0.1"} ${Math.floor(state.reconciles * 0.5)}`,
    `gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="a",namespace="default",le="1"} ${Math.floor(state.reconciles * 0.9)}`,
    `gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="a",namespace="default",le="10"} ${state.reconciles}`,
    `gotk_reconcile_duration_seconds_bucket{kind="Kustomization",name="a",namespace="default",le="+Inf"} ${state.reconciles}`,
    `gotk_reconcile_duration_seconds_sum{kind="Kustomization",name="a",namespace="default"} ${state.reconciles * 0.4}`,
    `gotk_reconcile_duration_seconds_count{kind="Kustomization",name="a",namespace="default"} ${state.reconciles}`,
    '',
  ].join('\n');
}

export const gitRepositoriesPath = '/apis/source.toolkit.fluxcd.io/v1/gitrepositories';
export const kustomizationsPath = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';
export const helmReleasesPath = '/apis/helm.toolkit.fluxcd.io/v2/helmreleases';

export function gitRepository(namespace: string, name: string, repo: string, sha?: string): StoredObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { namespace, name },
    spec: { url: `http://127.0.0.1:9999/${repo}.git`, interval: '1m0s', ref: { branch: 'main' } },
    status: sha
      ? { artifact: { revision: `main@sha1:${sha}` }, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `stored artifact for revision 'main@sha1:${sha}'` }] }
      : {},
  };
}

export function kustomization(namespace: string, name: string, source: string, state: { applied?: string; attempted?: string; ready?: 'True' | 'False' | 'Unknown'; reason?: string; managedFieldsBytes?: number } = {}): StoredObject {
  const conditions = state.ready ? [{ type: 'Ready', status: state.ready, reason: state.reason ?? (state.ready === 'True' ? 'ReconciliationSucceeded' : 'Progressing'), message: '' }] : [];
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      namespace,
      name,
      managedFields: state.managedFieldsBytes ? [{ manager: 'kustomize-controller', operation: 'Update', fieldsV1: { pad: 'x'.repeat(state.managedFieldsBytes) } }] : undefined,
    },
    spec: { interval: '10m0s', path: `./${name}`, prune: true, sourceRef: { kind: 'GitRepository', name: source, namespace: 'flux-system' } },
    status: {
      ...(state.applied ? { lastAppliedRevision: `main@sha1:${state.applied}` } : {}),
      ...(state.attempted ?? state.applied ? { lastAttemptedRevision: `main@sha1:${state.attempted ?? state.applied}` } : {}),
      conditions,
    },
  };
}
