/**
 * The push client against the real Distribution registry, with the real flux and helm CLIs:
 * what lands in the registry is read back over the distribution API and must be what Flux's
 * source-controller and Helm expect (their media types, Flux's source/revision annotations).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, fluxMediaTypes, helmMediaTypes, ociAnnotations, pushArtifact, pushChart, tagArtifact } from '../../../src/oci/index.ts';
import { packageChart } from '../../../src/workload/helm-chart.ts';
import { getJson, pushBinaries, startTestRegistry, toolchainTimeoutMs, type TestRegistry } from './helpers.ts';

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const commit = '0123456789abcdef0123456789abcdef01234567';

describe('pushing to a real registry with flux and helm', () => {
  let bin: Awaited<ReturnType<typeof pushBinaries>>;
  let registry: TestRegistry;
  let work: string;
  let manifests: string;
  let chartTgz: string;

  beforeAll(async () => {
    bin = await pushBinaries();
    registry = await startTestRegistry(bin.registry, 'pusher', `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`);
    work = await mkdtemp(join(tmpdir(), 'fb-oci-push-'));
    manifests = join(work, 'app');
    await mkdir(manifests);
    await writeFile(join(manifests, 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n');
    await writeFile(join(manifests, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [configmap.yaml]\n');
    const chart = packageChart(1_700_000_000);
    chartTgz = join(work, chart.fileName);
    await writeFile(chartTgz, chart.tgz);
  }, toolchainTimeoutMs);

  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const login = () => ({ username: registry.username, password: registry.password });

  it('pushes a Flux artifact with Flux media types and the source/revision annotations, and tags it', async () => {
    const reference = `oci://${registry.host}/fluxbench/apps/app-001:${commit.slice(0, 7)}`;
    const pushed = await pushArtifact({ flux: bin.flux, reference, path: manifests, source: 'http://127.0.0.1:1/fluxbench/fleet.git', revision: `main@sha1:${commit}`, insecure: true, ...login() });
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed.tag).toBe(commit.slice(0, 7));

    const byTag = await getJson(registry, `/v2/fluxbench/apps/app-001/manifests/${commit.slice(0, 7)}`, ociManifest);
    expect(byTag.status).toBe(200);
    expect(byTag.digest).toBe(pushed.digest);
    const manifest = byTag.body as { config: { mediaType: string }; layers: Array<{ mediaType: string }>; annotations: Record<string, string> };
    expect(manifest.config.mediaType).toBe(fluxMediaTypes.config);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([fluxMediaTypes.content]);
    expect(manifest.annotations[ociAnnotations.source]).toBe('http://127.0.0.1:1/fluxbench/fleet.git');
    expect(manifest.annotations[ociAnnotations.revision]).toBe(`main@sha1:${commit}`);

    await tagArtifact({ flux: bin.flux, reference, tags: ['latest'], ...login() });
    const latest = await getJson(registry, '/v2/fluxbench/apps/app-001/manifests/latest', ociManifest);
    expect(latest.status).toBe(200);
    expect(latest.digest).toBe(pushed.digest);
  });

  it('pushes a Helm chart with Helm media types', async () => {
    const pushed = await pushChart({ helm: bin.helm, chartTgz, reference: `oci://${registry.host}/fluxbench/charts`, plainHttp: true, ...login() });
    expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pushed.pushed).toBe(`${registry.host}/fluxbench/charts/fluxbench-app:0.1.0`);
    const got = await getJson(registry, '/v2/fluxbench/charts/fluxbench-app/manifests/0.1.0', ociManifest);
    expect(got.status).toBe(200);
    expect(got.digest).toBe(pushed.digest);
    const manifest = got.body as { config: { mediaType: string }; layers: Array<{ mediaType: string }> };
    expect(manifest.config.mediaType).toBe(helmMediaTypes.config);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([helmMediaTypes.chart]);
  });

  it('publishes a commit (push at the short sha, then move latest), a new commit moving latest to a new digest', async () => {
    const publisher = createPublisher({ flux: bin.flux, helm: bin.helm, host: registry.host, insecure: true, concurrency: 2, ...login() });
    const before = Date.now();
    const first = await publisher.publish({ repository: 'fluxbench/teams/team-1', path: manifests, source: 'http://127.0.0.1:1/fluxbench/fleet.git', branch: 'main', commit, moveTags: ['latest'] });
    expect(first.publishedAt).toBeGreaterThanOrEqual(before);
    await writeFile(join(manifests, 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "2"\n');
    const next = 'fedcba9876543210fedcba9876543210fedcba98';
    const second = await publisher.publish({ repository: 'fluxbench/teams/team-1', path: manifests, source: 'http://127.0.0.1:1/fluxbench/fleet.git', branch: 'main', commit: next, moveTags: ['latest'] });
    expect(second.digest).not.toBe(first.digest);
    const latest = await getJson(registry, '/v2/fluxbench/teams/team-1/manifests/latest', ociManifest);
    expect(latest.digest).toBe(second.digest);
    expect((latest.body.annotations as Record<string, string>)[ociAnnotations.revision]).toBe(`main@sha1:${next}`);
    const pinned = await getJson(registry, `/v2/fluxbench/teams/team-1/manifests/${commit.slice(0, 7)}`, ociManifest);
    expect(pinned.digest).toBe(first.digest);
  });

  it('refuses the pushes not yet started once its signal is aborted, and finishes the one running', async () => {
    const stop = new AbortController();
    const publisher = createPublisher({ flux: bin.flux, helm: bin.helm, host: registry.host, insecure: true, concurrency: 1, signal: stop.signal, ...login() });
    const request = (i: number) => ({ repository: `fluxbench/apps/abort-${i}`, path: manifests, source: 'http://127.0.0.1:1/fluxbench/fleet.git', branch: 'main', commit, moveTags: [] });
    const first = publisher.publish(request(0));
    const queued = [1, 2, 3].map((i) => publisher.publish(request(i)));
    stop.abort(new Error('run interrupted'));
    expect((await first).digest).toMatch(/^sha256:/);
    for (const result of await Promise.allSettled(queued)) expect(result).toMatchObject({ status: 'rejected', reason: { message: 'run interrupted' } });
    const tags = await fetch(`${registry.url}/v2/fluxbench/apps/abort-1/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` } });
    expect(tags.status).toBe(404);
  });

  it('never shows the password in the errors it throws', async () => {
    const password = `wrong-${registry.password}`;
    const artifact = pushArtifact({ flux: bin.flux, reference: `oci://${registry.host}/fluxbench/apps/denied:v1`, path: manifests, source: 's', revision: `main@sha1:${commit}`, insecure: true, username: 'pusher', password });
    await expect(artifact).rejects.toThrow(/flux push artifact oci:\/\/.*denied:v1 failed \(exit code 1\)[\s\S]*401/);
    const artifactError = await artifact.catch((e: Error) => e.message);
    const chartError = await pushChart({ helm: bin.helm, chartTgz, reference: `oci://${registry.host}/fluxbench/denied`, plainHttp: true, username: 'pusher', password }).catch((e: Error) => e.message);
    const tagError = await tagArtifact({ flux: bin.flux, reference: `oci://${registry.host}/fluxbench/apps/app-001:latest`, tags: ['x'], username: 'pusher', password }).catch((e: Error) => e.message);
    for (const message of [artifactError, chartError, tagError]) {
      expect(message).toMatch(/failed/);
      expect(message).not.toContain(password);
      expect(message).not.toContain(registry.password);
      expect(message).not.toContain(Buffer.from(`pusher:${password}`).toString('base64'));
    }
  });

  it('refuses references it cannot push to before starting a CLI', async () => {
    await expect(pushArtifact({ flux: bin.flux, reference: `oci://${registry.host}/fluxbench/apps/app-001`, path: manifests, source: 's', revision: 'r', insecure: true })).rejects.toThrow(/needs a tag/);
    await expect(pushArtifact({ flux: bin.flux, reference: `http://${registry.host}/x:1`, path: manifests, source: 's', revision: 'r', insecure: true })).rejects.toThrow(/expected oci:\/\/<host>/);
    await expect(pushChart({ helm: bin.helm, chartTgz, reference: `oci://${registry.host}/fluxbench/charts:1.0.0`, plainHttp: true })).rejects.toThrow(/takes the tag from the chart's version/);
  });
});
