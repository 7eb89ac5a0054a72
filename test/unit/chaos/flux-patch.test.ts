/**
 * flux.patch: its validation (file:line:col, field and the allowed values), and what it sends over
 * a real timeline run to a real HTTP server that answers as the API server does: one merge patch
 * per object, and a `patch`/`applied` sample with the generation each object got.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { planTimeline, runTimeline, timelineProblems, type ChaosTargets } from '../../../src/chaos/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { context, parse, problems } from './support/timeline.ts';
import { kubeconfigFor, startKustomizationApi, until, type KustomizationApi } from './support/kustomization-api.ts';

describe('flux.patch validation', () => {
  it('takes a watched kind, an optional namespace and name, and a merge patch of spec', () => {
    expect(parse({ at: '10s', action: 'flux.patch', kind: 'HelmRelease', namespace: 'apps', patch: { spec: { values: { replicas: 2 } } } })).toEqual([
      { at: '10s', action: 'flux.patch', kind: 'HelmRelease', namespace: 'apps', patch: { spec: { values: { replicas: 2 } } } },
    ]);
  });

  it('names the file, line, column and field of a patch that could not be seen reconciled', () => {
    // Outside spec nothing moves metadata.generation, so no controller would be seen to take it.
    expect(problems('{ at: 5s, action: flux.patch, kind: Kustomization, patch: { metadata: { labels: { a: b } } } }')).toEqual([
      expect.stringMatching(/^test\.yaml:4:\d+: timeline\[0\]\.patch\.spec: missing required field$/),
      expect.stringMatching(/^test\.yaml:4:\d+: timeline\[0\]\.patch\.metadata: unknown field "metadata" \(allowed: spec\)$/),
    ]);
    expect(problems('{ at: 5s, action: flux.patch, kind: Kustomization, patch: { spec: {} } }')[0]).toMatch(/^test\.yaml:4:\d+: timeline\[0\]\.patch\.spec: must change at least one field of spec/);
    expect(problems('{ at: 5s, action: flux.patch, kind: Kustomization, patch: { spec: { suspend: true } } }')[0]).toMatch(
      /^test\.yaml:4:\d+: timeline\[0\]\.patch\.spec: must not set spec\.suspend: use flux\.suspend and flux\.resume/,
    );
    expect(problems('{ at: 5s, action: flux.patch, kind: Kustomization }')[0]).toMatch(/^test\.yaml:4:\d+: timeline\[0\]\.patch: missing required field/);
    // HelmChart too: helm-controller applies each from its HelmRelease, so a change to one is undone.
    for (const kind of ['Bucket', 'HelmChart']) {
      expect(problems(`{ at: 5s, action: flux.patch, kind: ${kind}, patch: { spec: { interval: 1m } } }`)[0]).toMatch(
        new RegExp(`timeline\\[0\\]\\.kind: "${kind}" is not allowed \\(allowed: GitRepository, OCIRepository, Kustomization, HelmRelease\\)`),
      );
    }
  });

  it('refuses a patch too large to send to every object', () => {
    const big = 'x'.repeat(70 * 1024);
    expect(() => parse({ at: 0, action: 'flux.patch', kind: 'Kustomization', patch: { spec: { path: big } } })).toThrow(/at most 65536 bytes as JSON/);
  });

  it('refuses what the run does not watch, as flux.reconcile does', () => {
    expect(timelineProblems(parse({ at: '10s', action: 'flux.patch', kind: 'HelmRelease', patch: { spec: { timeout: '2m' } } }), context)[0]).toMatchObject({
      path: ['timeline', 0, 'kind'],
      message: 'flux.patch HelmRelease at 10s targets HelmReleases, but this scenario does not run helm-controller (controllers.helm.enabled)',
    });
    expect(problems('{ at: 5s, action: flux.patch, kind: OCIRepository, patch: { spec: { interval: 1m } } }')[0]).toMatch(
      /timeline\[0\]\.kind: flux\.patch OCIRepository at 5s targets OCIRepository objects, but this scenario's workload\.source is git, whose sources are GitRepository objects: the run watches only those, so no change on them would be seen reconciled/,
    );
  });
});

describe('flux.patch over a timeline run, against an HTTP server answering as the API server', () => {
  let dir: string;
  let api: KustomizationApi | undefined;
  let kubeconfigPath: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fb-chaos-patch-'));
    kubeconfigPath = join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh server for one test, and the kubeconfig pointing at it. */
  const serve = async (refuse: string[] = []): Promise<KustomizationApi> => {
    api = await startKustomizationApi(['app-1', 'app-2', 'app-3'], refuse);
    writeFileSync(kubeconfigPath, kubeconfigFor(api.url));
    return api;
  };

  /** Runs one flux.patch to its end; its log entry and the samples it wrote. */
  const patchOnce = async (input: Record<string, unknown>): Promise<{ entry: { label: string; outcome: string; error?: string }; samples: Sample[] }> => {
    const samples: Sample[] = [];
    const targets = { cluster: { kubeconfigPath }, sink: { write: (s: Sample) => samples.push(s) } } as unknown as ChaosTargets;
    const run = runTimeline(planTimeline(parse({ at: 0, action: 'flux.patch', kind: 'Kustomization', ...input }), context), targets, Date.now());
    await until(() => run.log.length === 1);
    await run.stop();
    return { entry: run.log[0]!, samples };
  };

  const cpuPatch = { spec: { patches: [{ target: { kind: 'Deployment' }, patch: '[{"op":"replace","path":"/spec/replicas","value":0}]' }] } };

  it('merge-patches each object and records its generation before and after', async () => {
    const server = await serve();
    const before = Date.now();
    const { entry, samples } = await patchOnce({ namespace: 'apps', patch: cpuPatch });
    expect(entry).toMatchObject({ label: 'flux.patch Kustomization', outcome: 'started' });
    const sent = server.requests.filter((r) => r.method === 'PATCH');
    expect(sent).toHaveLength(3);
    for (const request of sent) {
      expect(request.contentType).toBe('application/merge-patch+json');
      expect(JSON.parse(request.body)).toEqual(cpuPatch);
    }
    const [patched] = samples.filter((s) => s.kind === 'patch');
    expect(patched).toMatchObject({ name: 'patched', value: 3, labels: { action: 'flux.patch Kustomization' } });
    expect(patched!.ts).toBeGreaterThanOrEqual(before);
    expect(patched!.detail!.objects).toEqual(['app-1', 'app-2', 'app-3'].map((n) => ({ object: `Kustomization/apps/${n}`, previousGeneration: 1, generation: 2 })));
    expect(server.objects.get('app-1')).toEqual({ spec: { interval: '60m', ...cpuPatch.spec }, generation: 2 });
  });

  it('reads a named object first, so the same values again show as the same generation twice', async () => {
    const server = await serve();
    await patchOnce({ namespace: 'apps', name: 'app-2', patch: cpuPatch });
    const { samples } = await patchOnce({ namespace: 'apps', name: 'app-2', patch: cpuPatch });
    expect(samples.find((s) => s.kind === 'patch')!.detail!.objects).toEqual([{ object: 'Kustomization/apps/app-2', previousGeneration: 2, generation: 2 }]);
    expect(server.requests.filter((r) => r.path.endsWith('/app-2')).map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH']);
  });

  it('patches only the objects whose names match a glob, in every namespace when none is given', async () => {
    const server = await serve();
    const { entry, samples } = await patchOnce({ name: 'app-1*', patch: { spec: { timeout: '3m' } } });
    expect(entry).toMatchObject({ label: 'flux.patch Kustomization/app-1*', outcome: 'started' });
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations' });
    expect(samples.filter((s) => s.kind === 'patch').flatMap((s) => s.detail!.objects)).toEqual([{ object: 'Kustomization/apps/app-1', previousGeneration: 1, generation: 2 }]);
    expect(server.objects.get('app-2')!.spec).not.toHaveProperty('timeout');
    expect(() => parse({ at: 0, action: 'flux.patch', kind: 'Kustomization', name: 'App_*', patch: { spec: { timeout: '3m' } } })).toThrow(/expected an object name or a glob of names/);
  });

  it('fails when a glob matches nothing, saying where it looked', async () => {
    await serve();
    const { entry, samples } = await patchOnce({ namespace: 'apps', name: 'web-*', patch: { spec: { timeout: '3m' } } });
    expect(entry).toMatchObject({ outcome: 'failed', error: 'no Kustomization in namespace apps has a name matching web-*' });
    expect(samples.filter((s) => s.kind === 'patch')).toEqual([]);
  });

  it('fails naming the object whose patch the API server refused, having patched the others', async () => {
    const server = await serve(['app-2']);
    const { entry, samples } = await patchOnce({ namespace: 'apps', name: 'app-*', patch: { spec: { timeout: '2m' } } });
    expect(entry).toMatchObject({ label: 'flux.patch Kustomization/app-*', outcome: 'failed' });
    expect(entry.error).toBe('patching 1 of 3 objects failed: Kustomization/apps/app-2: HTTP 422: Kustomization.kustomize.toolkit.fluxcd.io "app-2" is invalid');
    // What was patched is timed; the refused object is not waited for.
    expect(samples.filter((s) => s.kind === 'patch').flatMap((s) => (s.detail!.objects as Array<{ object: string }>).map((o) => o.object))).toEqual(['Kustomization/apps/app-1', 'Kustomization/apps/app-3']);
    expect(server.objects.get('app-3')!.spec).toHaveProperty('timeout', '2m');
  });
});
