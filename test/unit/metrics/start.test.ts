import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, rateLimitedLog, startTicker } from '../../../src/metrics/measurement.ts';
import { buildMeasurements, startMeasurements } from '../../../src/measurements/start.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { FakeKubeApi, FakeMetricsEndpoint, controllerMetricsText, gitRepositoriesPath, gitRepository, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';

describe('startTicker', () => {
  it('never overlaps slow ticks and keeps errors inside', async () => {
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    const errors: unknown[] = [];
    const ticker = startTicker(
      20,
      async () => {
        ticks += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 50));
        running -= 1;
        if (ticks === 2) throw new Error('boom');
      },
      (err) => errors.push(err),
    );
    await new Promise((r) => setTimeout(r, 300));
    await ticker.stop();
    expect(maxRunning).toBe(1);
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(ticks).toBeLessThanOrEqual(7);
    expect(errors).toHaveLength(1);
    const after = ticks;
    await new Promise((r) => setTimeout(r, 100));
    expect(ticks).toBe(after);
  });
});

describe('rateLimitedLog', () => {
  it('prints the first message per key, then one per period with a suppressed count', () => {
    let now = 0;
    const lines: string[] = [];
    const log = rateLimitedLog((m) => lines.push(m), 1000, () => now);
    log('a', 'a failed');
    log('a', 'a failed');
    log('b', 'b failed');
    now = 500;
    log('a', 'a failed');
    now = 1200;
    log('a', 'a failed again');
    expect(lines).toEqual(['a failed', 'b failed', 'a failed again (2 similar messages suppressed)']);
  });
});

describe('errorMessage', () => {
  it('reads the API server Status out of client errors and keeps messages on one short line', () => {
    const apiError = Object.assign(new Error('HTTP-Code: 403 Message: ... Body: ...'), { code: 403, body: JSON.stringify({ kind: 'Status', message: 'kustomizations is forbidden' }) });
    expect(errorMessage(apiError)).toBe('HTTP 403: kustomizations is forbidden');
    expect(errorMessage(Object.assign(new Error('x'), { code: 502, body: 'Bad Gateway' }))).toBe('HTTP 502: Bad Gateway');
    expect(errorMessage(new Error(`line one\n${'y'.repeat(500)}`))).toMatch(/^line one y{290}/);
    expect(errorMessage(new Error('z'.repeat(500))).length).toBe(301);
  });
});

describe('startMeasurements', () => {
  const api = new FakeKubeApi();
  const metrics = new FakeMetricsEndpoint();
  beforeAll(async () => {
    await Promise.all([api.start(), metrics.start()]);
  });
  afterAll(async () => {
    await Promise.all([api.stop(), metrics.stop()]);
  });

  it('rejects unknown measurements, bad intervals and lag without a cluster', async () => {
    const ctx = { sink: { write() {} }, controllers: [], interval: 1000 };
    await expect(buildMeasurements(ctx, { lagg: true } as never)).rejects.toThrow(/unknown measurement "lagg"; allowed: controllers, proc, lag, api/);
    await expect(buildMeasurements(ctx, {})).rejects.toThrow(UsageError);
    await expect(buildMeasurements(ctx, {})).rejects.toThrow(/"lag" needs a cluster/);
    await expect(startMeasurements({ ...ctx, interval: 5 }, { lag: false })).rejects.toThrow(/interval 5: must be a number of milliseconds between 100 and 3600000/);
    expect((await buildMeasurements(ctx, { lag: false })).measurements.map((m) => m.name)).toEqual(['controller-metrics', 'proc', 'harness']);
  });

  it('runs the whole stack and routes pushes to the lag tracker', async () => {
    metrics.body = controllerMetricsText({ rssBytes: 1e8, cpuSeconds: 3, queueDepth: 2, reconciles: 5, errors: 0 });
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', '0'.repeat(40)));
    api.upsert(kustomizationsPath, kustomization('team', 'a', 'app', { applied: '0'.repeat(40), ready: 'True' }));
    const samples: Sample[] = [];
    const handle = await startMeasurements({
      kubeConfig: api.kubeConfig(),
      sink: { write: (s) => samples.push(s) },
      controllers: [{ controller: 'kustomize-controller', metricsUrl: metrics.url, pid: () => process.pid }],
      interval: 150,
      log: () => {},
    });
    try {
      expect(handle.measurements.map((m) => m.name)).toEqual(['controller-metrics', 'proc', 'lag', 'api', 'apf', 'harness']);
      await new Promise((r) => setTimeout(r, 300));
      handle.recordPush({ repo: 'acme/app', sha: '9'.repeat(40), pushedAt: Date.now() });
      api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', '9'.repeat(40)));
      const deadline = Date.now() + 5000;
      while (!samples.some((s) => s.kind === 'lag') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await handle.stop();
      await handle.stop();
    }
    const kinds = new Set(samples.map((s) => `${s.kind}:${s.name}`));
    for (const expected of ['controller:resident_memory_bytes', 'controller:rss_bytes', 'objects:ready', 'api:list_kustomizations_seconds', 'lag:artifact']) {
      expect(kinds).toContain(expected);
    }
    // With /metrics scraped, /proc does not emit a second cpu_cores source.
    expect(samples.filter((s) => s.kind === 'controller' && s.name === 'cpu_seconds_total').every((s) => s.value === 3)).toBe(true);
  });
});
