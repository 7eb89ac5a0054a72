import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { findMetric } from '../../src/measurements/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

/** flux-benchmark's upgrade: each app's Deployment to another CPU request, through an inline patch of its Kustomization. */
const cpuPatch = { spec: { patches: [{ target: { kind: 'Deployment' }, patch: JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/cpu', value: '20m' }]) }] } };

describe('flux.reconcile and flux.patch on a real run', () => {
  it('annotates the objects as `flux reconcile` does, the controllers handle every request within seconds, and a spec change is applied and timed', async () => {
    const scenario = defineScenario({
      name: 'reconcile-e2e',
      controllers: { kustomize: { requeueDependency: '5s' } },
      // Long intervals: only the requests make the controllers reconcile during the measure phase.
      workload: { layout: 'monorepo', teams: 1, apps: 2, seed: 5, flux: { auth: 'basic', sourceInterval: '10m', interval: '10m' } },
      timeline: [
        { at: '3s', action: 'flux.reconcile', kind: 'GitRepository' },
        { at: '8s', action: 'flux.reconcile', kind: 'Kustomization' },
        { at: '12s', action: 'flux.patch', kind: 'Kustomization', name: 'app-*', patch: cpuPatch },
      ],
      duration: '30s',
      sampling: { interval: '1s' },
      settle: { timeout: '2m' },
      thresholds: ['reconcile.unhandled == 0', 'reconcile.handled.max < 20s', 'ready.patch.not_ready == 0', 'ready.patch.all_after < 15s'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-reconcile-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok, t.actual])).toEqual([
      ['reconcile.unhandled == 0', true, 0],
      ['reconcile.handled.max < 20s', true, expect.any(Number)],
      ['ready.patch.not_ready == 0', true, 0],
      ['ready.patch.all_after < 15s', true, expect.any(Number)],
    ]);
    expect(result.exitCode).toBe(0);

    const metrics = result.summary!.metrics;
    expect(Object.keys(metrics).filter((name) => findMetric(name).length !== 1)).toEqual([]);
    expect(metrics['reconcile.handled.p50']).toBeGreaterThan(0);
    expect(metrics['reconcile.handled.p50']).toBeLessThanOrEqual(metrics['reconcile.handled.max']!);
    expect(metrics['reconcile.handled.max']).toBeLessThan(20);

    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const requests = samples.filter((s) => s.kind === 'reconcile' && s.name === 'requested');
    expect(requests.map((s) => s.labels?.action)).toEqual(['flux.reconcile GitRepository', 'flux.reconcile Kustomization']);
    const objects = requests.flatMap((s) => s.detail!.objects as string[]);
    expect(objects.filter((o) => o.startsWith('GitRepository/')).length).toBeGreaterThanOrEqual(1);
    expect(objects.filter((o) => o.startsWith('Kustomization/')).length).toBeGreaterThanOrEqual(2);
    expect(metrics['reconcile.requested']).toBe(objects.length);
    // Each object's status shows exactly the requested value: the annotation is what the controllers read.
    const handled = samples.filter((s) => s.kind === 'reconcile' && s.name === 'handled');
    for (const request of requests) {
      for (const object of request.detail!.objects as string[]) {
        const seen = handled.find((s) => s.labels?.object === object && s.detail?.requestedAt === request.detail!.requestedAt);
        expect(seen, `${object} handled ${String(request.detail!.requestedAt)}`).toBeDefined();
        expect(seen!.ts).toBeGreaterThanOrEqual(request.ts);
      }
    }
    // Both actions are fault bands of their own (instant: a start and an end each), none failed.
    const faults = samples.filter((s) => s.kind === 'fault' && String(s.labels?.fault).startsWith('flux.reconcile'));
    expect(faults.map((s) => s.name)).toEqual(['start', 'end', 'start', 'end']);

    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('reconcile.handled.p95');

    // flux.patch: the app Kustomizations (not the root one), each at generation 2, each Ready at it
    // after the patch, and kustomize-controller applied the changed Deployments.
    const [patched] = samples.filter((s) => s.kind === 'patch' && s.name === 'patched');
    const changed = patched!.detail!.objects as Array<{ object: string; generation: number }>;
    expect(changed.length).toBe(2);
    for (const { object, generation } of changed) {
      expect(object).toMatch(/^Kustomization\/[a-z0-9-]+\/app-/);
      expect(generation).toBe(2);
      const ready = samples.find((s) => s.kind === 'patch' && s.name === 'ready' && s.labels?.object === object && s.value === 2);
      expect(ready?.ts, `${object} Ready at generation 2`).toBeGreaterThanOrEqual(patched!.ts);
    }
    expect(metrics['ready.patch.all_after']).toBeGreaterThan(0);
    const applies = readFileSync(join(result.runDir, 'logs', 'kustomize-controller.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('server-side apply completed') && /"Deployment\/[^"]+":"configured"/.test(line));
    expect(applies.length).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('Ready again after spec changes (flux.patch)');
  });
});
