/**
 * The OCI distribution API spoken with plain HTTP (node:http), for tests and benchmarks of the
 * registry: a blob upload (POST, then a monolithic PUT), a manifest PUT, manifest and blob GETs.
 * Every call returns the status and headers it got, so refusals can be asserted.
 */
import { createHash } from 'node:crypto';
import { request, type Agent } from 'node:http';

export interface OciClient {
  /** http://127.0.0.1:PORT */
  url: string;
  /** `Basic ...`, or undefined for anonymous calls. */
  authorization?: string;
  /** A keep-alive agent (benchmarks), or undefined for one connection per call. */
  agent?: Agent;
}

export interface OciAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** One HTTP exchange; the body is read whole (the payloads here are small). */
export function call(client: OciClient, method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<OciAnswer> {
  const url = new URL(path, client.url);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (client.authorization) headers.authorization = client.authorization;
  if (options.body) headers['content-length'] = String(options.body.length);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers, agent: client.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Uploads a blob: POST opens an upload, a monolithic PUT with `?digest=` completes it. Returns the PUT's answer. */
export async function pushBlob(client: OciClient, repository: string, data: Buffer): Promise<OciAnswer & { digest: string }> {
  const digest = digestOf(data);
  const opened = await call(client, 'POST', `/v2/${repository}/blobs/uploads/`);
  if (opened.status !== 202) return { ...opened, digest };
  const location = new URL(String(opened.headers.location), client.url);
  location.searchParams.set('digest', digest);
  const put = await call(client, 'PUT', `${location.pathname}${location.search}`, { headers: { 'content-type': 'application/octet-stream' }, body: data });
  return { ...put, digest };
}

export const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';

/** An OCI image manifest of one config and one layer blob, already pushed. */
export function imageManifest(config: { digest: string; size: number }, layer: { digest: string; size: number }): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifestType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
}

/** Pushes a config blob, a layer and a manifest tagged `tag`; returns the manifest PUT's answer. */
export async function pushArtifact(client: OciClient, repository: string, tag: string, layer: Buffer): Promise<OciAnswer & { digest: string }> {
  const config = Buffer.from('{}');
  const c = await pushBlob(client, repository, config);
  if (c.status !== 201) return c;
  const l = await pushBlob(client, repository, layer);
  if (l.status !== 201) return l;
  const manifest = imageManifest({ digest: c.digest, size: config.length }, { digest: l.digest, size: layer.length });
  const put = await call(client, 'PUT', `/v2/${repository}/manifests/${tag}`, { headers: { 'content-type': ociManifestType }, body: manifest });
  return { ...put, digest: digestOf(manifest) };
}

/** GET (or HEAD) of a manifest by tag or digest, accepting OCI manifests. */
export function getManifest(client: OciClient, repository: string, reference: string, method: 'GET' | 'HEAD' = 'GET'): Promise<OciAnswer> {
  return call(client, method, `/v2/${repository}/manifests/${reference}`, { headers: { accept: ociManifestType } });
}

/** A pull as clients make it: the manifest, then each blob it names. Returns the statuses in order. */
export async function pullArtifact(client: OciClient, repository: string, reference: string): Promise<number[]> {
  const manifest = await getManifest(client, repository, reference);
  if (manifest.status !== 200) return [manifest.status];
  const parsed = JSON.parse(manifest.body.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const statuses = [manifest.status];
  for (const { digest } of [parsed.config, ...parsed.layers]) statuses.push((await call(client, 'GET', `/v2/${repository}/blobs/${digest}`)).status);
  return statuses;
}
