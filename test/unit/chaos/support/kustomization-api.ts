/**
 * An HTTP server answering Kustomization lists and merge patches as the API server does, for the
 * timeline actions that patch Flux objects (flux.reconcile, flux.patch): it records every request,
 * and a patch that changes `spec` bumps the object's `metadata.generation`, as the API server does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

export interface KustomizationApi {
  url: string;
  requests: RecordedRequest[];
  /** Each object's spec and generation as the patches left them. */
  objects: Map<string, { spec: Record<string, unknown>; generation: number }>;
  stop(): Promise<void>;
}

/** JSON merge patch (RFC 7386) of `patch` onto `target`: objects merged, null removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Serves the Kustomizations `names` in namespace apps, each at generation 1 with `spec: {interval:
 * 60m}`: lists (in the namespace and across all), GETs and merge patches of each. Patches of the
 * names in `refuse` are refused (422), as the API server refuses an invalid spec.
 */
export async function startKustomizationApi(names: readonly string[], refuse: readonly string[] = []): Promise<KustomizationApi> {
  const base = '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations';
  const clusterWide = '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations';
  const requests: RecordedRequest[] = [];
  const objects = new Map(names.map((name) => [name, { spec: { interval: '60m' } as Record<string, unknown>, generation: 1 }]));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'], body });
      const name = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
      const object = name ? objects.get(name) : undefined;
      res.setHeader('content-type', 'application/json');
      const metadataOf = (n: string) => ({ namespace: 'apps', name: n, generation: objects.get(n)!.generation });
      if (req.method === 'GET' && (path === base || path === clusterWide)) {
        res.end(JSON.stringify({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'KustomizationList', metadata: {}, items: names.map((n) => ({ metadata: metadataOf(n) })) }));
      } else if (req.method === 'GET' && name && object) {
        res.end(JSON.stringify({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: metadataOf(name), spec: object.spec }));
      } else if (req.method === 'PATCH' && name && refuse.includes(name)) {
        res.statusCode = 422;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422, message: `Kustomization.kustomize.toolkit.fluxcd.io "${name}" is invalid` }));
      } else if (req.method === 'PATCH' && name && object) {
        const patch = JSON.parse(body) as { spec?: unknown };
        if (patch.spec !== undefined) {
          const spec = mergePatch(object.spec, patch.spec) as Record<string, unknown>;
          // As the API server: the generation moves only when the spec really changed.
          if (JSON.stringify(spec) !== JSON.stringify(object.spec)) object.generation += 1;
          object.spec = spec;
        }
        res.end(JSON.stringify({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { namespace: 'apps', name, generation: object.generation }, spec: object.spec }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `kustomizations.kustomize.toolkit.fluxcd.io "${name}" not found` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    objects,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A kubeconfig for the server at `url` (plain HTTP, a token), as YAML. */
export function kubeconfigFor(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    // Plain HTTP: the client refuses it unless told to skip TLS verification.
    `clusters: [{ name: api, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
    'users: [{ name: api, user: { token: test } }]',
    'contexts: [{ name: api, context: { cluster: api, user: api } }]',
    'current-context: api',
    '',
  ].join('\n');
}

/** Resolves once `predicate` holds; throws after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
