/**
 * A small Kubernetes API server on 127.0.0.1 serving discovery, list (with limit/continue and
 * involvedObject field selectors) and get for the objects it holds. Enough for the real
 * @kubernetes/client-node code to talk to; every request is recorded so tests can assert reads only.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface FakeApiServer {
  url: string;
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, what: string): void {
  send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
}

function fieldValue(object: FakeObject, path: string): string | undefined {
  let value: unknown = object;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export async function startFakeApiServer(resources: FakeResource[], objects: FakeObject[], options: { forbid?: RegExp } = {}): Promise<FakeApiServer> {
  const requests: { method: string; path: string }[] = [];
  const apiVersionOf = (r: FakeResource): string => (r.group ? `${r.group}/${r.version}` : r.version);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}` });
    if (req.method !== 'GET') return send(res, 405, { kind: 'Status', code: 405, message: 'read-only fake' });
    if (options.forbid?.test(url.pathname)) return send(res, 403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden' });

    const parts = url.pathname.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1]) {
      group = '';
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts[1] && parts[2]) {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else return notFound(res, url.pathname);

    const served = resources.filter((r) => r.group === group && r.version === version);
    if (served.length === 0) return notFound(res, `${group}/${version}`);
    if (rest.length === 0) {
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources: served.map((r) => ({ name: r.plural, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch'] })),
      });
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = served.find((r) => r.plural === rest[0]);
    if (!resource) return notFound(res, url.pathname);
    const candidates = objects.filter(
      (o) => o.apiVersion === apiVersionOf(resource) && o.kind === resource.kind && (namespace === undefined || o.metadata.namespace === namespace),
    );
    const name = rest[1];
    if (name) {
      const object = candidates.find((o) => o.metadata.name === name);
      return object ? send(res, 200, object) : notFound(res, `${resource.plural} "${name}"`);
    }
    let items = candidates;
    for (const clause of (url.searchParams.get('fieldSelector') ?? '').split(',').filter(Boolean)) {
      const [path, value] = clause.split('=');
      items = items.filter((o) => fieldValue(o, path!) === value);
    }
    const offset = Number(url.searchParams.get('continue') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? '0') || items.length;
    const page = items.slice(offset, offset + limit);
    const next = offset + limit < items.length ? String(offset + limit) : undefined;
    return send(res, 200, {
      apiVersion: apiVersionOf(resource),
      kind: `${resource.kind}List`,
      metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
      items: page,
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
