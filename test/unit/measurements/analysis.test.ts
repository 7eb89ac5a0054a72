import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { analyzeSamples, flatMetrics, pairFaults } from '../../../src/measurements/index.ts';

const Mi = 2 ** 20;
const c = (ts: number, name: string, value: number, labels: Record<string, string> = {}): Sample => ({
  ts,
  kind: 'controller',
  name,
  value,
  labels: { controller: 'source-controller', ...labels },
});
const metricsOf = (samples: Sample[]) => flatMetrics(analyzeSamples(samples));

describe('controller metrics', () => {
  it('memory max/avg/last come from rss_bytes in time order, whatever the file order', () => {
    const m = metricsOf([c(3000, 'rss_bytes', 30 * Mi), c(1000, 'rss_bytes', 10 * Mi), c(2000, 'rss_bytes', 50 * Mi)]);
    expect(m['memory.source-controller.max']).toBe(50 * Mi);
    expect(m['memory.source-controller.avg']).toBe(30 * Mi);
    expect(m['memory.source-controller.last']).toBe(30 * Mi);
  });

  it('cpu uses cpu_cores when streamed, else the rate of cpu_seconds_total', () => {
    const m = metricsOf([
      c(1000, 'cpu_cores', 0.2),
      c(2000, 'cpu_cores', 0.4),
      c(0, 'cpu_seconds_total', 1, { controller: 'helm-controller' }),
      c(10_000, 'cpu_seconds_total', 3, { controller: 'helm-controller' }),
      c(20_000, 'cpu_seconds_total', 9, { controller: 'helm-controller' }),
    ]);
    expect(m['cpu.source-controller.avg']).toBeCloseTo(0.3, 9);
    expect(m['cpu.source-controller.max']).toBe(0.4);
    expect(m['cpu.helm-controller.avg']).toBeCloseTo(0.4, 9);
    expect(m['cpu.helm-controller.max']).toBeCloseTo(0.6, 9);
  });

  it('workqueue depth: totals win, per-queue samples are summed per scrape', () => {
    const m = metricsOf([
      c(1000, 'workqueue_depth', 4, { controller: 'kustomize-controller', queue: 'kustomization' }),
      c(1000, 'workqueue_depth', 9, { controller: 'kustomize-controller', queue: 'other' }),
      c(2000, 'workqueue_depth', 20, { controller: 'kustomize-controller', queue: 'kustomization' }),
      c(1000, 'workqueue_depth', 7),
      c(1000, 'workqueue_depth', 99, { queue: 'gitrepository' }),
    ]);
    expect(m['queue.kustomize-controller.max']).toBe(20);
    expect(m['queue.source-controller.max']).toBe(7);
  });

  it('reconcile errors are the counter increase across a restart', () => {
    const m = metricsOf([
      c(1000, 'reconcile_errors_total', 2),
      c(2000, 'reconcile_errors_total', 5),
      c(3000, 'reconcile_errors_total', 1),
      c(4000, 'reconcile_errors_total', 4),
    ]);
    expect(m['reconcile.source-controller.errors']).toBe(3 + 1 + 3);
  });

  it('shards appear per shard and as the worst shard under the controller name', () => {
    const k = (ts: number, shard: string, rss: number) => c(ts, 'rss_bytes', rss, { controller: 'kustomize-controller', shard });
    const m = metricsOf([k(1000, '0', 100), k(2000, '0', 300), k(1000, '1', 500), k(2000, '1', 100)]);
    expect(m['memory.kustomize-controller-shard0.max']).toBe(300);
    expect(m['memory.kustomize-controller-shard1.max']).toBe(500);
    expect(m['memory.kustomize-controller.max']).toBe(500);
    expect(m['memory.kustomize-controller.last']).toBe(300);
    expect(m['memory.kustomize-controller.avg']).toBe(300);
  });

  it('a single shard "0" is just the controller', () => {
    const m = metricsOf([c(1000, 'rss_bytes', 100, { controller: 'kustomize-controller', shard: '0' })]);
    expect(Object.keys(m).filter((k) => k.startsWith('memory.'))).toEqual([
      'memory.kustomize-controller.avg',
      'memory.kustomize-controller.last',
      'memory.kustomize-controller.max',
    ]);
  });
});

describe('process events', () => {
  it('counts restarts and OOM kills per controller and in total, zero for quiet controllers', () => {
    const p = (ts: number, name: string, controller: string, detail: Record<string, unknown> = {}): Sample => ({ ts, kind: 'process', name, labels: { controller }, detail });
    const analysis = analyzeSamples([
      p(0, 'start', 'source-controller', { pid: 1 }),
      p(0, 'start', 'kustomize-controller', { pid: 2 }),
      p(10, 'oom_killed', 'kustomize-controller', { pid: 2, signal: 'SIGKILL', code: null, cause: 'memory limit' }),
      p(11, 'restart', 'kustomize-controller', { pid: 3, restarts: 1 }),
      p(20, 'restart', 'kustomize-controller', { pid: 4, restarts: 2 }),
    ]);
    const m = flatMetrics(analysis);
    expect(m['restarts.kustomize-controller.count']).toBe(2);
    expect(m['oom.kustomize-controller.count']).toBe(1);
    expect(m['restarts.source-controller.count']).toBe(0);
    expect(m['oom.source-controller.count']).toBe(0);
    expect(m['restarts.count']).toBe(2);
    const oom = analysis.processEvents.find((e) => e.event === 'oom_killed')!;
    expect(oom).toMatchObject({ controller: 'kustomize-controller', signal: 'SIGKILL', code: null, cause: 'memory limit', pid: 2 });
  });
  it('restarts.count is 0 (measured, not missing) when nothing restarted', () => {
    expect(metricsOf([])['restarts.count']).toBe(0);
  });
});

describe('lag', () => {
  const lag = (stage: string, value: number): Sample => ({ ts: 0, kind: 'lag', name: stage, value, labels: { object: 'Kustomization/a/b', repo: 'o/r', commit: 'abc', stage } });
  it('gives percentiles per stage and a zero count for stages without samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => lag('applied', i + 1));
    samples.push(lag('artifact', 2), lag('bogus', 5));
    const m = metricsOf(samples);
    expect(m['lag.applied.count']).toBe(100);
    expect(m['lag.applied.p50']).toBe(50);
    expect(m['lag.applied.p95']).toBe(95);
    expect(m['lag.applied.p99']).toBe(99);
    expect(m['lag.applied.max']).toBe(100);
    expect(m['lag.artifact.p95']).toBe(2);
    expect(m['lag.ready.count']).toBe(0);
    expect(m['lag.ready.p95']).toBeUndefined();
  });
});

describe('github', () => {
  const req = (identity: string, status: string): Sample => ({
    ts: 1,
    kind: 'github',
    name: 'request',
    value: 0.01,
    labels: { identity, repo: 'o/r', route: 'info-refs', method: 'GET', status },
    detail: { bytesIn: 10, bytesOut: 100 },
  });
  it('counts requests by status and identity, and the lowest quota left', () => {
    const analysis = analyzeSamples([
      req('a', '200'),
      req('a', '429'),
      req('b', '403'),
      req('b', '429'),
      req('b', '200'),
      { ts: 0, kind: 'github', name: 'quota_remaining', value: 100, labels: { identity: 'a' } },
      { ts: 5000, kind: 'github', name: 'quota_remaining', value: 0, labels: { identity: 'a' } },
      { ts: 6000, kind: 'github', name: 'quota_remaining', value: 40, labels: { identity: 'b' } },
      { ts: 6000, kind: 'github', name: 'quota_limit', value: 5000, labels: { identity: 'b' } },
      { ts: 7000, kind: 'github', name: 'webhook_delivery', labels: { status: '200' } },
    ]);
    const m = flatMetrics(analysis);
    expect(m['github.requests.count']).toBe(5);
    expect(m['github.status_403.count']).toBe(1);
    expect(m['github.status_429.count']).toBe(2);
    expect(m['github.quota.min_remaining']).toBe(0);
    expect(analysis.github.identities.a).toMatchObject({ requests: 2, status429: 1, minRemaining: 0, exhaustedAfterMs: 5000 });
    expect(analysis.github.identities.b).toMatchObject({ requests: 3, status403: 1, status429: 1, minRemaining: 40, limit: 5000 });
    expect(analysis.github.bytesOut).toBe(500);
    expect(analysis.github.webhookDeliveries).toEqual({ '200': 1 });
  });
  it('reports zero 429s (not missing) when GitHub saw no requests, and no quota metric', () => {
    const m = metricsOf([]);
    expect(m['github.status_429.count']).toBe(0);
    expect(m['github.quota.min_remaining']).toBeUndefined();
  });
});

describe('stalled.count', () => {
  const objects = (ts: number): Sample => ({ ts, kind: 'objects', name: 'ready', value: 1, labels: { kind: 'Kustomization' } });
  const stall = (ts: number, object: string, name = 'stale_revision'): Sample => ({ ts, kind: 'stall', name, value: ts / 1000, labels: { object } });

  it('counts distinct objects stalled in the last sampling round only', () => {
    const samples: Sample[] = [];
    for (let ts = 0; ts <= 60_000; ts += 5_000) samples.push(objects(ts));
    // a resolved before the end; b stuck to the end (two reasons); c appears in the last round with jitter.
    samples.push(stall(10_000, 'a'), stall(15_000, 'a'), stall(55_000, 'a'));
    samples.push(stall(50_000, 'b'), stall(55_000, 'b'), stall(60_010, 'b'), stall(60_020, 'b', 'dependency_not_ready'));
    samples.push(stall(59_000, 'c'));
    const analysis = analyzeSamples(samples);
    expect(analysis.stalledAtEnd).toEqual(['b', 'c']);
    expect(flatMetrics(analysis)['stalled.count']).toBe(2);
    const a = analysis.stalls.find((s) => s.object === 'a')!;
    expect(a).toMatchObject({ reason: 'stale_revision', maxSeconds: 55, atEnd: false, firstTs: 10_000, lastTs: 55_000 });
  });
  it('is 0 when nothing stalled', () => {
    expect(metricsOf([objects(0), objects(5000)])['stalled.count']).toBe(0);
  });
});

describe('api and objects', () => {
  it('takes p95 list latency, etcd and managedFields maxima, and the last Ready/total summed over kinds', () => {
    const samples: Sample[] = [];
    for (let i = 1; i <= 20; i++) samples.push({ ts: i, kind: 'api', name: 'list_kustomizations_seconds', value: i / 100 });
    samples.push({ ts: 1, kind: 'api', name: 'etcd_db_bytes', value: 5 * Mi }, { ts: 2, kind: 'api', name: 'etcd_db_bytes', value: 4 * Mi });
    samples.push({ ts: 1, kind: 'api', name: 'managed_fields_bytes', value: 1000 });
    samples.push(
      { ts: 1, kind: 'objects', name: 'ready', value: 1, labels: { kind: 'Kustomization' } },
      { ts: 1, kind: 'objects', name: 'total', value: 5, labels: { kind: 'Kustomization' } },
      { ts: 2, kind: 'objects', name: 'ready', value: 4, labels: { kind: 'Kustomization' } },
      { ts: 2, kind: 'objects', name: 'ready', value: 2, labels: { kind: 'GitRepository' } },
      { ts: 2, kind: 'objects', name: 'total', value: 2, labels: { kind: 'GitRepository' } },
    );
    const m = metricsOf(samples);
    expect(m['api.list_kustomizations.p95']).toBe(0.19);
    expect(m['etcd.db_bytes.max']).toBe(5 * Mi);
    expect(m['api.managed_fields_bytes.max']).toBe(1000);
    expect(m['objects.ready.last']).toBe(6);
    expect(m['objects.total.last']).toBe(7);
  });
});

describe('pairFaults', () => {
  it('pairs each end with the earliest open start of the same fault and target; open faults have no end', () => {
    const f = (ts: number, name: string, fault: string, target: string, detail?: Record<string, unknown>): Sample => ({
      ts,
      kind: 'fault',
      name,
      labels: { fault, target },
      ...(detail ? { detail } : {}),
    });
    const bands = pairFaults([
      f(0, 'start', 'latency', 'github', { latency: '500ms' }),
      f(5, 'start', 'outage', 'github'),
      f(10, 'end', 'latency', 'github'),
      f(20, 'start', 'latency', 'github'),
      f(30, 'end', 'latency', 'github'),
      f(40, 'end', 'reset', 'nothing-open'),
    ]);
    expect(bands).toEqual([
      { fault: 'latency', target: 'github', start: 0, end: 10, detail: { latency: '500ms' } },
      { fault: 'outage', target: 'github', start: 5 },
      { fault: 'latency', target: 'github', start: 20, end: 30 },
    ]);
  });
});

describe('long runs', () => {
  it('handles more samples than a function call takes arguments (no spread of big arrays)', () => {
    const samples: Sample[] = [];
    for (let i = 0; i < 300_000; i++) {
      samples.push({ ts: i * 1000, kind: 'objects', name: 'ready', value: 1, labels: { kind: 'Kustomization' } });
    }
    samples.push({ ts: 299_999_000, kind: 'stall', name: 'stale_revision', value: 5, labels: { object: 'x' } });
    expect(metricsOf(samples)['stalled.count']).toBe(1);
  });
});

describe('pairFaults with ids and failures', () => {
  const f = (ts: number, name: string, detail?: Record<string, unknown>): Sample => ({
    ts,
    kind: 'fault',
    name,
    labels: { fault: 'errors', target: 'github' },
    ...(detail ? { detail } : {}),
  });
  it('closes the band with the same id even when another one of the kind opened first', () => {
    const bands = pairFaults([f(0, 'start', { id: 'a' }), f(5, 'start', { id: 'b' }), f(10, 'end', { id: 'b' }), f(20, 'end', { id: 'a' })]);
    expect(bands.map((b) => [b.detail?.id, b.start, b.end])).toEqual([
      ['a', 0, 20],
      ['b', 5, 10],
    ]);
  });
  it('records a fault that could not be injected', () => {
    const bands = pairFaults([f(3, 'failed', { error: 'no such controller' })]);
    expect(bands).toEqual([{ fault: 'errors', target: 'github', start: 3, end: 3, error: 'no such controller' }]);
  });
});

describe('process event causes', () => {
  it('takes a restart cause from previousCause and keeps the sample value', () => {
    const analysis = analyzeSamples([
      { ts: 1, kind: 'process', name: 'restart', value: 2, labels: { controller: 'helm-controller' }, detail: { pid: 9, afterMs: 1000, previousCause: 'crashed' } },
    ]);
    expect(analysis.processEvents[0]).toMatchObject({ event: 'restart', cause: 'crashed', value: 2, pid: 9 });
  });
});

describe('memory without /proc', () => {
  it('falls back to resident_memory_bytes per controller when it has no rss_bytes', () => {
    const m = metricsOf([
      c(1000, 'resident_memory_bytes', 7 * Mi, { controller: 'helm-controller' }),
      c(1000, 'resident_memory_bytes', 99 * Mi),
      c(1000, 'rss_bytes', 5 * Mi),
    ]);
    expect(m['memory.helm-controller.max']).toBe(7 * Mi);
    expect(m['memory.source-controller.max']).toBe(5 * Mi);
  });
});
