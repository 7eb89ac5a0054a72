/**
 * The registry's run-time controls over HTTP, on their own loopback listener behind a per-start
 * bearer secret, against the real registry: anonymous pulls switched off and on, limits patched,
 * windows compressed, connection resets and bandwidth caps.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../../src/registry/index.ts';
import { basic, call, getManifest, pushArtifact, type OciClient } from '../../support/oci-http.ts';
import { MemorySink, registryBinary, removeDir, tempDir, toolchainTimeoutMs } from './helpers.ts';

describe('the registry admin API and options', () => {
  let work: string;
  let registry: StartedRegistry;
  let user: OciClient;
  let anonymous: OciClient;
  let admin: (method: string, path: string, body?: unknown, secret?: string) => Promise<{ status: number; body: unknown }>;
  const layer = Buffer.alloc(24 * 1024, 7);
  let layerDigest = '';

  beforeAll(async () => {
    work = await tempDir();
    registry = await startRegistry({ anonymousPull: false }, { binary: await registryBinary(), storageDir: join(work, 'storage'), sink: new MemorySink() });
    user = { url: registry.url, authorization: basic(registry.username, registry.password) };
    anonymous = { url: registry.url };
    admin = async (method, path, body, secret = registry.adminSecret) => {
      const res = await fetch(`${registry.adminUrl}/_fluxbench/${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    expect((await pushArtifact(user, 'app', 'v1', layer)).status).toBe(201);
    const manifest = JSON.parse((await getManifest(user, 'app', 'v1')).body.toString()) as { layers: Array<{ digest: string }> };
    layerDigest = manifest.layers[0]!.digest;
  }, toolchainTimeoutMs);

  afterAll(async () => {
    await registry?.stop();
    await removeDir(work);
  });

  it('refuses anonymous pulls when they are off, with a Basic challenge, until the admin API allows them', async () => {
    const refused = await getManifest(anonymous, 'app', 'v1');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="fluxbench"');
    expect((await call(anonymous, 'GET', `/v2/app/blobs/${layerDigest}`)).status).toBe(401);
    expect((await getManifest(user, 'app', 'v1')).status).toBe(200);
    expect(await admin('PUT', 'anonymous-pull', { allowed: true })).toEqual({ status: 200, body: { allowed: true } });
    expect((await getManifest(anonymous, 'app', 'v1')).status).toBe(200);
    expect((await admin('PUT', 'anonymous-pull', { allowed: 'yes' })).status).toBe(400);
  });

  it('answers only requests with the admin secret, and only on its own listener', async () => {
    expect((await admin('GET', 'health', undefined, 'fbadmin_wrong')).status).toBe(401);
    expect((await fetch(`${registry.adminUrl}/_fluxbench/health`)).status).toBe(401);
    expect(await admin('GET', 'health')).toEqual({ status: 200, body: { ok: true, url: registry.url } });
    const onGateway = await fetch(`${registry.url}/_fluxbench/health`, { headers: { authorization: `Bearer ${registry.adminSecret}` } });
    expect(onGateway.status).toBe(401);
    expect((await admin('GET', 'nothing-here')).status).toBe(404);
  });

  it('patches pull limits and compresses their window at run time', async () => {
    expect((await admin('PATCH', 'rate-limits', { window: 'soon' })).body).toMatchObject({ message: expect.stringMatching(/rateLimits\.window/) });
    expect(await admin('PATCH', 'rate-limits', { enabled: true, authenticated: 1 })).toEqual({ status: 200, body: { enabled: true, window: '6h', anonymous: 100, authenticated: 1 } });
    expect((await getManifest(user, 'app', 'v1')).status).toBe(200);
    expect((await getManifest(user, 'app', 'v1')).status).toBe(429);
    expect(await admin('GET', 'quota?identity=fluxbench')).toMatchObject({ status: 200, body: { limit: 1, used: 1, remaining: 0 } });
    // 6 hours divided by 21,600: a one-second window.
    expect((await admin('PUT', 'time-scale', { timeScale: 21_600 })).status).toBe(200);
    expect((await admin('PUT', 'time-scale', { timeScale: -1 })).status).toBe(422);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await getManifest(user, 'app', 'v1');
    expect(again.status).toBe(200);
    expect(again.headers['ratelimit-limit']).toBe('1;w=1');
    expect((await admin('POST', 'rate-limits/reset', { identity: 'fluxbench' })).status).toBe(204);
    expect((await getManifest(user, 'app', 'v1')).status).toBe(200);
    expect((await admin('PATCH', 'rate-limits', { enabled: false })).status).toBe(200);
  });

  it('adds, lists and removes faults: connection resets and bandwidth caps', async () => {
    expect(await admin('POST', 'faults', { type: 'reset', match: { route: 'git.*' } })).toMatchObject({ status: 422, body: { message: expect.stringMatching(/fault\.match\.route: matches no registry route/) } });
    const reset = await admin('POST', 'faults', { type: 'reset', match: { route: 'tags' } });
    expect(reset.status).toBe(201);
    await expect(call(user, 'GET', '/v2/app/tags/list')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await admin('GET', 'faults')).body).toHaveLength(1);
    expect((await admin('DELETE', `faults/${(reset.body as { id: string }).id}`)).status).toBe(204);
    expect((await admin('DELETE', 'faults/rf999')).status).toBe(404);
    expect((await call(user, 'GET', '/v2/app/tags/list')).status).toBe(200);

    const replaced = await admin('PUT', 'faults', [{ type: 'bandwidth', bytesPerSecond: '48Ki', match: { route: 'blob' } }]);
    expect(replaced.status).toBe(200);
    const started = performance.now();
    const blob = await call(user, 'GET', `/v2/app/blobs/${layerDigest}`);
    const seconds = (performance.now() - started) / 1000;
    expect(blob.status).toBe(200);
    expect(blob.body.equals(layer)).toBe(true);
    // 24 KiB at 48 KiB/s: about half a second (the first slice leaves at once).
    expect(seconds).toBeGreaterThan(0.35);
    expect((await admin('DELETE', 'faults')).status).toBe(204);
    expect((await admin('GET', 'faults')).body).toEqual([]);
  });

  it('lists the recent requests, attributed to identities', async () => {
    const { body } = await admin('GET', 'requests?limit=3');
    expect(body).toHaveLength(3);
    const all = registry.requests();
    expect(all.some((r) => r.identity === 'fluxbench' && r.route === 'blob' && r.status === 200 && r.bytesOut > 24 * 1024)).toBe(true);
    expect(all.some((r) => r.route === 'tags' && r.status === 0)).toBe(true);
    expect(all.some((r) => r.identity === 'anonymous:127.0.0.1' && r.status === 401)).toBe(true);
  });
});
