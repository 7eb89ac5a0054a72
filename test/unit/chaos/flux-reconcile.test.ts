/**
 * flux.reconcile: the annotation's value and patch, its validation (file:line:col, field and the
 * allowed values), and what it sends over a real timeline run to a real HTTP server that answers
 * as the API server does, recording every request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTimeline, runTimeline, timelineProblems, type ChaosTargets } from '../../../src/chaos/index.ts';
import { reconcileRequestPatch, reconcileRequestValue } from '../../../src/chaos/reconcile-requests.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { context, parse, problems } from './support/timeline.ts';
import { kubeconfigFor, startKustomizationApi, until, type KustomizationApi } from './support/kustomization-api.ts';

describe('the reconcile request', () => {
  it('is Go’s RFC3339Nano of the time in UTC, as `flux reconcile` writes it: trailing zeros of the fraction dropped', () => {
    expect(reconcileRequestValue(Date.UTC(2026, 0, 2, 3, 4, 5, 123))).toBe('2026-01-02T03:04:05.123Z');
    expect(reconcileRequestValue(Date.UTC(2026, 0, 2, 3, 4, 5, 120))).toBe('2026-01-02T03:04:05.12Z');
    expect(reconcileRequestValue(Date.UTC(2026, 0, 2, 3, 4, 5, 7))).toBe('2026-01-02T03:04:05.007Z');
    expect(reconcileRequestValue(Date.UTC(2026, 11, 31, 23, 59, 59, 0))).toBe('2026-12-31T23:59:59Z');
  });

  it('is a merge patch of the annotation alone', () => {
    expect(reconcileRequestPatch('2026-01-02T03:04:05.1Z')).toEqual({ metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-01-02T03:04:05.1Z' } } });
  });
});

describe('flux.reconcile validation', () => {
  it('takes flux.suspend’s target: a kind, an optional namespace and an optional name', () => {
    expect(parse({ at: '10s', action: 'flux.reconcile', kind: 'Kustomization', namespace: 'apps', name: 'app-1' })).toEqual([
      { at: '10s', action: 'flux.reconcile', kind: 'Kustomization', namespace: 'apps', name: 'app-1' },
    ]);
    expect(parse({ at: 0, action: 'flux.reconcile', kind: 'GitRepository' })).toEqual([{ at: '0s', action: 'flux.reconcile', kind: 'GitRepository' }]);
  });

  it('names the file, line, column, field and the allowed values of each bad field', () => {
    expect(problems('{ at: 5s, action: flux.reconcile, kind: Bucket }')).toEqual([
      'test.yaml:4:45: timeline[0].kind: "Bucket" is not allowed (allowed: GitRepository, OCIRepository, HelmChart, Kustomization, HelmRelease)',
    ]);
    expect(problems('{ at: 5s, action: flux.reconcile }')).toEqual(['test.yaml:4:5: timeline[0].kind: missing required field (allowed: GitRepository, OCIRepository, HelmChart, Kustomization, HelmRelease)']);
    expect(problems('{ at: 5s, action: flux.reconcile, kind: Kustomization, name: "app-*" }')[0]).toMatch(
      /^test\.yaml:4:66: timeline\[0\]\.name: expected a Kubernetes object name \(lowercase letters, digits, "-" and "\."\)/,
    );
    expect(problems('{ at: 5s, action: flux.reconcile, kind: Kustomization, force: true }')).toEqual([
      'test.yaml:4:60: timeline[0].force: unknown field "force" (allowed: at, kind, namespace, name, action)',
    ]);
  });

  it('refuses HelmReleases when the scenario does not run helm-controller', () => {
    expect(timelineProblems(parse({ at: '10s', action: 'flux.reconcile', kind: 'HelmRelease' }), context)).toEqual([
      {
        path: ['timeline', 0, 'kind'],
        message: 'flux.reconcile HelmRelease at 10s targets HelmReleases, but this scenario does not run helm-controller (controllers.helm.enabled)',
        allowed: ['GitRepository', 'OCIRepository', 'Kustomization'],
      },
    ]);
    expect(timelineProblems(parse({ at: '10s', action: 'flux.reconcile', kind: 'HelmChart' }), context)[0]!.message).toMatch(/targets HelmCharts, but this scenario does not run helm-controller/);
    expect(timelineProblems(parse({ at: '10s', action: 'flux.reconcile', kind: 'HelmRelease' }), { ...context, controllers: [...context.controllers, 'helm-controller'] })).toEqual([]);
    expect(timelineProblems(parse({ at: '10s', action: 'flux.reconcile', kind: 'HelmChart' }), { ...context, controllers: [...context.controllers, 'helm-controller'] })).toEqual([]);
  });

  it('refuses the source kind the workload does not use: the run watches only its own', () => {
    expect(problems('{ at: 5s, action: flux.reconcile, kind: OCIRepository }')).toEqual([
      "test.yaml:4:45: timeline[0].kind: flux.reconcile OCIRepository at 5s targets OCIRepository objects, but this scenario's workload.source is git, whose sources are GitRepository objects: the run watches only those, so no request on them would be seen handled (allowed: GitRepository, HelmChart, Kustomization, HelmRelease)",
    ]);
  });

  it('is an instant action labelled by kind and name', () => {
    const plan = planTimeline(parse({ at: '10s', action: 'flux.reconcile', kind: 'Kustomization', name: 'app-1' }, { at: '20s', action: 'flux.reconcile', kind: 'GitRepository' }), context);
    expect(plan.map((p) => [p.label, p.atMs, p.endMs])).toEqual([
      ['flux.reconcile Kustomization/app-1', 10_000, undefined],
      ['flux.reconcile GitRepository', 20_000, undefined],
    ]);
  });
});

describe('flux.reconcile over a timeline run, against an HTTP server answering as the API server', () => {
  let dir: string;
  let api: KustomizationApi;
  let kubeconfigPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fb-chaos-reconcile-'));
    api = await startKustomizationApi(['app-1', 'app-2', 'app-3']);
    kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigFor(api.url));
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = (samples: Sample[]) => ({ cluster: { kubeconfigPath }, sink: { write: (s: Sample) => samples.push(s) } }) as unknown as ChaosTargets;

  it('lists the kind, merge-patches the annotation on each object and records the request as a sample', async () => {
    api.requests.length = 0;
    const samples: Sample[] = [];
    const before = Date.now();
    const run = runTimeline(planTimeline(parse({ at: 0, action: 'flux.reconcile', kind: 'Kustomization', namespace: 'apps' }), context), targets(samples), Date.now());
    await until(() => run.log.length === 1);
    await run.stop();
    expect(run.log[0]).toMatchObject({ label: 'flux.reconcile Kustomization', outcome: 'started' });

    const [request] = samples.filter((s) => s.kind === 'reconcile');
    expect(request).toMatchObject({ kind: 'reconcile', name: 'requested', value: 3, labels: { action: 'flux.reconcile Kustomization' } });
    expect(request!.detail!.objects).toEqual(['Kustomization/apps/app-1', 'Kustomization/apps/app-2', 'Kustomization/apps/app-3']);
    const requestedAt = request!.detail!.requestedAt as string;
    expect(requestedAt).toBe(reconcileRequestValue(request!.ts));
    expect(request!.ts).toBeGreaterThanOrEqual(before);

    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations' });
    const patches = api.requests.slice(1);
    expect(patches.map((r) => [r.method, r.path]).sort()).toEqual(['app-1', 'app-2', 'app-3'].map((n) => ['PATCH', `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/${n}`]));
    for (const patch of patches) {
      expect(patch.contentType).toBe('application/merge-patch+json');
      expect(JSON.parse(patch.body)).toEqual({ metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } });
    }
    expect(samples.filter((s) => s.kind === 'fault').map((s) => s.name)).toEqual(['start', 'end']);
  });

  it('patches a named object without listing, and fails as flux.suspend does when it does not exist', async () => {
    api.requests.length = 0;
    const samples: Sample[] = [];
    const run = runTimeline(
      planTimeline(parse({ at: 0, action: 'flux.reconcile', kind: 'Kustomization', namespace: 'apps', name: 'app-2' }, { at: '50ms', action: 'flux.reconcile', kind: 'Kustomization', namespace: 'apps', name: 'app-9' }), context),
      targets(samples),
      Date.now(),
    );
    await until(() => run.log.length === 2);
    await run.stop();
    expect(api.requests.map((r) => [r.method, r.path])).toEqual([
      ['PATCH', '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/app-2'],
      ['PATCH', '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/apps/kustomizations/app-9'],
    ]);
    expect(run.log.map((entry) => [entry.label, entry.outcome])).toEqual([
      ['flux.reconcile Kustomization/app-2', 'started'],
      ['flux.reconcile Kustomization/app-9', 'failed'],
    ]);
    expect(run.log[1]!.error).toBe('annotating 1 of 1 objects failed: Kustomization/apps/app-9: HTTP 404: kustomizations.kustomize.toolkit.fluxcd.io "app-9" not found');
    // Only what was annotated is a request: nothing waits for app-9.
    expect(samples.filter((s) => s.kind === 'reconcile').map((s) => s.detail!.objects)).toEqual([['Kustomization/apps/app-2']]);
    expect(samples.filter((s) => s.kind === 'fault').map((s) => [s.name, s.labels!.target])).toEqual([
      ['start', 'Kustomization/app-2'],
      ['end', 'Kustomization/app-2'],
      ['failed', 'Kustomization/app-9'],
    ]);
  });
});
