/**
 * The real Distribution registry behind the gateway, driven with plain HTTP: pushes need the
 * per-start credentials, anonymous pulls pass, manifest GETs (not HEADs) are counted against
 * Docker Hub-style limits, faults apply, every request is a sample without secrets, and stop()
 * leaves no process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../../src/lifecycle/index.ts';
import { registryVersion, startRegistry, type StartedRegistry } from '../../../src/registry/index.ts';
import { basic, call, getManifest, pullArtifact, pushArtifact, pushBlob, type OciClient } from '../../support/oci-http.ts';
import { MemorySink, registryBinary, removeDir, tempDir, toolchainTimeoutMs } from './helpers.ts';

describe('the registry gateway in front of the real registry', () => {
  let work: string;
  let registry: StartedRegistry;
  let pusher: OciClient;
  let anonymous: OciClient;
  const sink = new MemorySink();
  const pids: string[] = [];

  beforeAll(async () => {
    work = await tempDir();
    registry = await startRegistry(
      { rateLimits: { enabled: true, anonymous: 3, authenticated: 1_000 } },
      { binary: await registryBinary(), storageDir: join(work, 'registry', 'storage'), sink, onPid: (pid, name) => pids.push(`${name}:${pid}`) },
    );
    pusher = { url: registry.url, authorization: basic(registry.username, registry.password) };
    anonymous = { url: registry.url };
    const pushed = await pushArtifact(pusher, 'team-1/app-1', 'v1', Buffer.from('layer one'));
    expect(pushed.status).toBe(201);
  }, toolchainTimeoutMs);

  afterAll(async () => {
    await registry?.stop();
    await removeDir(work);
  });

  it('serves on loopback with the registry process recorded for the reaper', async () => {
    expect(await registryVersion(await registryBinary())).toMatch(/^v\d+\.\d+\.\d+/);
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.host).toBe(registry.url.slice('http://'.length));
    expect(registry.upstreamUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(pids).toEqual([`registry:${registry.pid}`]);
    expect(Object.keys(registry)).not.toContain('password');
    expect(Object.keys(registry)).not.toContain('adminSecret');
    expect(JSON.stringify(registry)).not.toContain(registry.password);
  });

  it('requires the per-start credentials to push, and answers wrong ones with 401 and a Basic challenge', async () => {
    const refused = await pushBlob(anonymous, 'team-1/app-1', Buffer.from('x'));
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="fluxbench"');
    expect(JSON.parse(refused.body.toString())).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
    const wrong = await getManifest({ url: registry.url, authorization: basic(registry.username, 'not-the-password') }, 'team-1/app-1', 'v1');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="fluxbench"');
    expect(JSON.parse(wrong.body.toString()).errors[0].code).toBe('UNAUTHORIZED');
    // The version check challenges everyone without credentials, as real registries do.
    expect((await call(anonymous, 'GET', '/v2/')).status).toBe(401);
    expect((await call(pusher, 'GET', '/v2/')).status).toBe(200);
  });

  it('lets anonymous clients pull what was pushed, manifest then blobs, streamed from the registry', async () => {
    registry.admin.resetQuota();
    expect(await pullArtifact(anonymous, 'team-1/app-1', 'v1')).toEqual([200, 200, 200]);
    const tags = await call(anonymous, 'GET', '/v2/team-1/app-1/tags/list');
    expect(JSON.parse(tags.body.toString())).toEqual({ name: 'team-1/app-1', tags: ['v1'] });
  });

  it('counts manifest GETs (not HEADs) per identity and answers 429 TOOMANYREQUESTS with ratelimit headers past the limit', async () => {
    registry.admin.resetQuota();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const head = await getManifest(anonymous, 'team-1/app-1', 'v1', 'HEAD');
      expect(head.status).toBe(200);
      const get = await getManifest(anonymous, 'team-1/app-1', 'v1');
      expect(get.status).toBe(200);
      expect(get.headers['ratelimit-limit']).toBe('3;w=21600');
      remaining.push(String(get.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2;w=21600', '1;w=21600', '0;w=21600']);
    const limited = await getManifest(anonymous, 'team-1/app-1', 'v1');
    expect(limited.status).toBe(429);
    expect(limited.headers['ratelimit-limit']).toBe('3;w=21600');
    expect(limited.headers['ratelimit-remaining']).toBe('0;w=21600');
    const body = JSON.parse(limited.body.toString()) as { errors: Array<{ code: string; message: string; detail: { limit: number; identity: string } }> };
    expect(body.errors[0]).toMatchObject({ code: 'TOOMANYREQUESTS', detail: { limit: 3, identity: 'anonymous:127.0.0.1' } });
    // A HEAD is still answered (and tells the quota), blobs are not counted, credentials get their own limit.
    const head = await getManifest(anonymous, 'team-1/app-1', 'v1', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['ratelimit-remaining']).toBe('0;w=21600');
    expect((await call(anonymous, 'GET', `/v2/team-1/app-1/tags/list`)).status).toBe(200);
    const authenticated = await getManifest(pusher, 'team-1/app-1', 'v1');
    expect(authenticated.status).toBe(200);
    expect(authenticated.headers['ratelimit-limit']).toBe('1000;w=21600');
    expect(registry.quota('anonymous:127.0.0.1')).toMatchObject({ limit: 3, used: 3, remaining: 0 });
    registry.admin.resetQuota('anonymous:127.0.0.1');
    expect((await getManifest(anonymous, 'team-1/app-1', 'v1')).status).toBe(200);
  });

  it('applies faults by route and repository: 5xx in the registry error shape, latency, then none once removed', async () => {
    registry.admin.resetQuota();
    const outage = registry.admin.addFault({ type: 'error', status: 502, match: { route: 'manifest', repository: 'team-1/*' } });
    const failed = await getManifest(pusher, 'team-1/app-1', 'v1');
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.body.toString()).errors[0].code).toBe('UNAVAILABLE');
    // Other routes and repositories are not hit.
    expect((await call(pusher, 'GET', '/v2/team-1/app-1/tags/list')).status).toBe(200);
    expect(registry.admin.removeFault(outage.id)).toBe(true);
    const slow = registry.admin.addFault({ type: 'latency', fixed: '300ms', match: { route: 'blob' } });
    const started = performance.now();
    expect(await pullArtifact(pusher, 'team-1/app-1', 'v1')).toEqual([200, 200, 200]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 300 - 5);
    registry.admin.clearFaults();
    expect(registry.admin.faults()).toEqual([]);
    expect(slow.id).toMatch(/^rf\d+$/);
    expect(await pullArtifact(pusher, 'team-1/app-1', 'v1')).toEqual([200, 200, 200]);
  });

  it('streams one sample per request and the quota after each counted pull, with no secret in them', async () => {
    const requests = sink.samples.filter((s) => s.kind === 'registry' && s.name === 'request');
    expect(requests.length).toBe(registry.requests().length);
    const limited = requests.find((s) => s.labels?.limited === 'true');
    expect(limited?.labels).toEqual({ identity: 'anonymous:127.0.0.1', repository: 'team-1/app-1', route: 'manifest', method: 'GET', status: '429', limited: 'true' });
    const pull = requests.find((s) => s.labels?.pull === 'true' && s.labels.identity === 'fluxbench');
    expect(pull?.labels).toMatchObject({ route: 'manifest', method: 'GET', status: '200', pull: 'true' });
    expect(pull?.detail).toMatchObject({ bytesIn: expect.any(Number), bytesOut: expect.any(Number) });
    expect(requests.some((s) => s.labels?.route === 'upload' && s.labels.method === 'PUT' && s.labels.status === '201')).toBe(true);
    expect(requests.filter((s) => s.labels?.method === 'HEAD').every((s) => s.labels?.pull === undefined)).toBe(true);
    const quotas = sink.samples.filter((s) => s.kind === 'registry' && s.name === 'quota');
    const anonymousQuotas = quotas.filter((s) => s.labels?.identity === 'anonymous:127.0.0.1');
    // The limit test's three pulls (after the first test's pull and a reset).
    expect(anonymousQuotas.map((s) => s.value).slice(1, 4)).toEqual([2, 1, 0]);
    expect(anonymousQuotas[1]?.detail).toMatchObject({ limit: 3 });
    const faults = sink.samples.filter((s) => s.kind === 'fault');
    expect(faults.map((s) => `${s.name}:${s.labels?.fault}:${s.labels?.target}:${s.labels?.host}`)).toEqual([
      'start:error:manifest@team-1/*:registry',
      'end:error:manifest@team-1/*:registry',
      'start:latency:blob:registry',
      'end:latency:blob:registry',
    ]);
    const text = JSON.stringify(sink.samples);
    expect(text).not.toContain(registry.password);
    expect(text).not.toContain(registry.adminSecret);
    expect(text).not.toContain(Buffer.from(`${registry.username}:${registry.password}`).toString('base64'));
  });

  it('keeps the config and htpasswd owner-only, with no plain password in either', async () => {
    const config = await readFile(`${registry.storageDir}.config.yml`, 'utf8');
    expect(config).toContain(`rootdirectory: ${registry.storageDir}`);
    expect(config).toContain(`addr: ${registry.upstreamUrl.slice('http://'.length)}`);
    const htpasswd = await readFile(`${registry.storageDir}.htpasswd`, 'utf8');
    expect(htpasswd).toMatch(/^fluxbench:\$2/m);
    expect(htpasswd).toMatch(/^fluxbench-gateway:\$2/m);
    expect(config + htpasswd).not.toContain(registry.password);
  });

  it('stops the registry process and both listeners, leaving the storage', async () => {
    const { pid } = registry;
    expect(processAlive(pid)).toBe(true);
    await registry.stop();
    await registry.stop();
    expect(processAlive(pid)).toBe(false);
    await expect(call(anonymous, 'GET', '/v2/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(call({ url: registry.upstreamUrl }, 'GET', '/v2/')).rejects.toThrow(/ECONNREFUSED/);
    await expect(readFile(join(registry.storageDir, 'docker/registry/v2/repositories/team-1/app-1/_manifests/tags/v1/current/link'), 'utf8')).resolves.toMatch(/^sha256:/);
  });
});
