/**
 * The reconcile measurement: pairing flux.reconcile's requests with the watches' handled
 * observations, its summary metrics and warning, and the watch side (a real client-node
 * informer against a fake API server) writing the handled samples it pairs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSamples, findMetric, flatMetrics, measurementWarnings } from '../../../src/measurements/index.ts';
import { pairReconcileRequests } from '../../../src/measurements/reconcile.ts';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { kustomizationSnapshot } from '../../support/flux-snapshot.ts';
import { LagTracker } from '../../../src/metrics/lag-tracker.ts';
import { HandledReconcileLog, reconcileRequestedSample } from '../../../src/metrics/reconcile-requests.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeKubeApi, kustomization, kustomizationsPath } from '../metrics/support/fake-kube-api.ts';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
const first = '2026-01-02T03:04:05Z';
const later = '2026-01-02T03:04:15.5Z';
const a = 'Kustomization/apps/a';
const b = 'Kustomization/apps/b';
const c = 'Kustomization/apps/c';

const handled = (ts: number, object: string, requestedAt: string): Sample => ({ ts, kind: 'reconcile', name: 'handled', labels: { object }, detail: { requestedAt } });
const requested = (ts: number, requestedAt: string, objects: string[]): Sample => reconcileRequestedSample(ts, requestedAt, objects, { action: 'flux.reconcile Kustomization' });

describe('pairing reconcile requests with handled observations', () => {
  it('handles a request at the first sight of its value, after the request', () => {
    const paired = pairReconcileRequests([
      // b showed an older value before the request: not this request's handling.
      handled(T0 - 5_000, b, '2026-01-02T03:00:00Z'),
      requested(T0, first, [a, b, c]),
      handled(T0 + 1_500, a, first),
      handled(T0 + 2_000, b, '2026-01-02T03:00:00.5Z'),
      handled(T0 + 4_000, b, first),
      handled(T0 + 9_000, a, first),
    ]);
    expect(paired.map((p) => [p.object, p.handledAt === undefined ? undefined : p.handledAt - p.at])).toEqual([
      [a, 1_500],
      [b, 4_000],
      [c, undefined],
    ]);
  });

  it('counts a request as handled when a later request’s value shows up first (one reconcile handled both)', () => {
    const paired = pairReconcileRequests([requested(T0, first, [a]), requested(T0 + 10_500, later, [a]), handled(T0 + 12_000, a, later)]);
    expect(paired.map((p) => [p.requestedAt, p.handledAt! - p.at])).toEqual([
      [first, 12_000],
      [later, 1_500],
    ]);
  });

  it('ignores malformed samples and other kinds', () => {
    expect(
      pairReconcileRequests([
        { ts: T0, kind: 'reconcile', name: 'requested', detail: { objects: [a] } },
        { ts: T0, kind: 'reconcile', name: 'requested', detail: { requestedAt: first, objects: 'a' } },
        { ts: T0, kind: 'reconcile', name: 'handled', detail: { requestedAt: first } },
        { ts: T0, kind: 'ready', name: 'requested', detail: { requestedAt: first, objects: [a] } },
      ]),
    ).toEqual([]);
  });
});

describe('the reconcile summary metrics', () => {
  it('gives the time to handle, the requests and those never handled, each a catalogue metric', () => {
    const samples = [requested(T0, first, [a, b, c]), handled(T0 + 1_000, a, first), handled(T0 + 3_000, b, first)];
    const analysis = analyzeSamples(samples);
    const metrics = flatMetrics(analysis);
    expect(metrics).toMatchObject({
      'reconcile.requested': 3,
      'reconcile.handled.p50': 1,
      'reconcile.handled.p95': 3,
      'reconcile.handled.max': 3,
      'reconcile.unhandled': 1,
    });
    const names = Object.keys(metrics).filter((name) => name.startsWith('reconcile.'));
    expect(names.filter((name) => findMetric(name).length !== 1)).toEqual([]);
    expect(analysis.reconcile?.requests).toEqual([
      {
        action: 'flux.reconcile Kustomization',
        requestedAt: first,
        at: T0,
        objects: 3,
        handled: expect.objectContaining({ count: 2, max: 3 }),
        unhandled: [c],
        slowest: [
          { object: b, seconds: 3 },
          { object: a, seconds: 1 },
        ],
      },
    ]);
    expect(measurementWarnings(analysis).filter((w) => w.includes('flux.reconcile'))).toEqual([
      `1 of 3 objects asked to reconcile (flux.reconcile) never showed the request handled by the end of the run: ${c}. reconcile.unhandled: 1`,
    ]);
  });

  it('has no metric without a request (a threshold on it then has no data), and no time to handle when none was handled', () => {
    expect(Object.keys(flatMetrics(analyzeSamples([handled(T0, a, first)]))).filter((n) => n.startsWith('reconcile.'))).toEqual([]);
    const metrics = flatMetrics(analyzeSamples([requested(T0, first, [a])]));
    expect(Object.entries(metrics).filter(([n]) => n.startsWith('reconcile.'))).toEqual([
      ['reconcile.requested', 1],
      ['reconcile.unhandled', 1],
    ]);
  });
});

describe('the handled samples the watches write', () => {
  const snapshot = (name: string, lastHandledReconcileAt?: string): FluxObjectSnapshot => kustomizationSnapshot(name, lastHandledReconcileAt ? { lastHandledReconcileAt } : {});

  it('writes one sample per change of status.lastHandledReconcileAt, the first sight of a value included', () => {
    const log = new HandledReconcileLog();
    expect(log.observe(snapshot('a'), 1)).toEqual([]);
    expect(log.observe(snapshot('a', first), 2)).toEqual([handled(2, a, first)]);
    expect(log.observe(snapshot('a', first), 3)).toEqual([]);
    expect(log.observe(snapshot('b', first), 4)).toEqual([handled(4, b, first)]);
    expect(log.observe(snapshot('a', later), 5)).toEqual([handled(5, a, later)]);
    log.forget(a);
    expect(log.observe(snapshot('a', later), 6)).toEqual([handled(6, a, later)]);
  });

  describe('through the lag measurement’s watches (real client-node informers, fake API server)', () => {
    const api = new FakeKubeApi();
    beforeAll(async () => {
      await api.start();
    });
    afterAll(async () => {
      await api.stop();
    });

    it('sees a request handled and the analysis times it', async () => {
      api.upsert(kustomizationsPath, kustomization('apps', 'a', 'app', { ready: 'True' }));
      const samples: Sample[] = [];
      const tracker = new LagTracker({ resources: [{ kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' }], stalls: false, readiness: false });
      await tracker.start({ kubeConfig: api.kubeConfig(), sink: { write: (s) => samples.push(s) }, controllers: [], interval: 1_000 });
      try {
        const deadline = Date.now() + 5_000;
        while (!tracker.snapshots().has(a) || api.watcherCount(kustomizationsPath) === 0) {
          if (Date.now() > deadline) throw new Error('the watch never listed');
          await new Promise((r) => setTimeout(r, 20));
        }
        const at = Date.now();
        samples.push(requested(at, first, [a]));
        const object = kustomization('apps', 'a', 'app', { ready: 'True' });
        api.upsert(kustomizationsPath, { ...object, status: { ...(object.status as object), lastHandledReconcileAt: first } });
        while (!samples.some((s) => s.kind === 'reconcile' && s.name === 'handled')) {
          if (Date.now() > deadline) throw new Error('no handled sample');
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await tracker.stop();
      }
      expect(samples.filter((s) => s.kind === 'reconcile' && s.name === 'handled').map((s) => [s.labels, s.detail])).toEqual([[{ object: a }, { requestedAt: first }]]);
      const metrics = flatMetrics(analyzeSamples(samples));
      expect(metrics['reconcile.unhandled']).toBe(0);
      expect(metrics['reconcile.handled.max']).toBeGreaterThanOrEqual(0);
      expect(metrics['reconcile.handled.max']).toBeLessThan(5);
    });
  });
});
