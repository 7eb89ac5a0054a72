import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSamples, findMetric, flatMetrics, pairFaults } from '../../../src/measurements/index.ts';
import { registryRoutes as measuredRoutes } from '../../../src/measurements/oci-registry-stats.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { registryRoutes, startRegistry } from '../../../src/registry/index.ts';
import { buildChartData, buildSummary, renderMarkdown } from '../../../src/report/index.ts';
import { basic, call, getManifest, pullArtifact, pushArtifact } from '../../support/oci-http.ts';
import { MemorySink, registryBinary, removeDir, tempDir, toolchainTimeoutMs } from '../registry/helpers.ts';
import { START_MS, syntheticRunMeta, syntheticSamples } from '../report/synthetic-run.ts';

type Request = { at: number; identity: string; repository: string; route: string; method?: string; status: number; seconds: number; bytesOut?: number; pull?: boolean; limited?: boolean };

/** A request sample as the registry gateway writes it (src/registry/types.ts's record, streamed). */
function request(r: Request): Sample {
  return {
    ts: START_MS + r.at,
    kind: 'registry',
    name: 'request',
    value: r.seconds,
    labels: {
      identity: r.identity,
      repository: r.repository,
      route: r.route,
      method: r.method ?? 'GET',
      status: String(r.status),
      ...(r.pull ? { pull: 'true' } : {}),
      ...(r.limited ? { limited: 'true' } : {}),
    },
    detail: { bytesIn: 0, bytesOut: r.bytesOut ?? 0 },
  };
}

const quota = (at: number, identity: string, remaining: number, limit: number): Sample => ({
  ts: START_MS + at,
  kind: 'registry',
  name: 'quota',
  value: remaining,
  labels: { identity },
  detail: { limit, resetAt: START_MS + 3_600_000 },
});

/**
 * The samples of src/registry's gateway for two identities: `flux` (authenticated, limit 3 per
 * window) pulls team-1/app-1 and team-1/app-2 until its quota runs out at 40 s and is refused
 * twice (429: not a counted pull, as the gateway labels it), then the window resets at 70 s; an
 * anonymous client (limit 100) pulls once; an outage fault answers 503 (before any pull is
 * counted) and resets one connection between 80 s and 95 s.
 */
function registryRun(): Sample[] {
  const flux = 'flux';
  const anonymous = 'anonymous:127.0.0.1';
  const pull = (at: number, identity: string, repository: string, seconds: number, remaining: number): Sample[] => [
    request({ at, identity, repository, route: 'token', status: 200, seconds: 0.002, bytesOut: 600 }),
    request({ at: at + 1, identity, repository, route: 'manifest', method: 'HEAD', status: 200, seconds: 0.003 }),
    request({ at: at + 2, identity, repository, route: 'manifest', status: 200, seconds, bytesOut: 500, pull: true }),
    quota(at + 2, identity, remaining, identity === flux ? 3 : 100),
    request({ at: at + 3, identity, repository, route: 'blob', status: 200, seconds: 0.05, bytesOut: 10_000 }),
  ];
  return [
    { ts: START_MS, kind: 'phase', name: 'measure' },
    request({ at: 0, identity: anonymous, repository: '', route: 'base', status: 401, seconds: 0.001 }),
    ...pull(10_000, flux, 'team-1/app-1', 0.01, 2),
    ...pull(20_000, flux, 'team-1/app-2', 0.02, 1),
    ...pull(40_000, flux, 'team-1/app-1', 0.03, 0),
    request({ at: 50_000, identity: flux, repository: 'team-1/app-2', route: 'manifest', status: 429, seconds: 0.001, limited: true }),
    request({ at: 55_000, identity: flux, repository: 'team-1/app-2', route: 'manifest', status: 429, seconds: 0.001, limited: true }),
    ...pull(60_000, anonymous, 'team-1/app-1', 0.04, 99),
    ...pull(70_000, flux, 'team-1/app-2', 0.05, 2),
    { ts: START_MS + 80_000, kind: 'fault', name: 'start', labels: { fault: 'outage', target: '*', host: 'registry' }, detail: { id: 'f1', type: 'outage', status: 503 } },
    // The fake GitHub's fault of the same type and target: a band of its own, never closed by the registry's end.
    { ts: START_MS + 81_000, kind: 'fault', name: 'start', labels: { fault: 'outage', target: '*' }, detail: { id: 'f1' } },
    request({ at: 85_000, identity: flux, repository: 'team-1/app-1', route: 'manifest', status: 503, seconds: 0.001 }),
    request({ at: 86_000, identity: flux, repository: 'team-1/app-1', route: 'blob', status: 0, seconds: 0.001 }),
    { ts: START_MS + 95_000, kind: 'fault', name: 'end', labels: { fault: 'outage', target: '*', host: 'registry' }, detail: { id: 'f1' } },
  ];
}

describe('registry measurement', () => {
  it('counts requests, pulls, 429s and errors by identity, repository and route', () => {
    const { registry } = analyzeSamples(registryRun());
    expect(registry).toMatchObject({ requests: 25, pulls: 5, throttled: 2, errors: 2, resets: 1, minQuotaRemaining: 0 });
    expect(registry.statusCounts).toEqual({ '0': 1, '200': 20, '401': 1, '429': 2, '503': 1 });
    expect(registry.identities.flux).toMatchObject({ requests: 20, pulls: 4, throttled: 2, errors: 2, limit: 3, minRemaining: 0, lastRemaining: 2, exhaustedAfterMs: 40_002, quotaBackAfterMs: 30_000 });
    expect(registry.identities['anonymous:127.0.0.1']).toMatchObject({ requests: 5, pulls: 1, throttled: 0, minRemaining: 99 });
    expect(registry.identities['anonymous:127.0.0.1']!.exhaustedAfterMs).toBeUndefined();
    expect(registry.repositories['team-1/app-2']).toMatchObject({ requests: 10, pulls: 2, throttled: 2, errors: 0 });
    // Pull time counts served pulls only: the 429s were refused, the 503 answered by the outage.
    expect(registry.repositories['team-1/app-2']!.pullSeconds).toMatchObject({ count: 2, max: 0.05 });
    expect(registry.routes.manifest).toMatchObject({ requests: 13, pulls: 5, throttled: 2, errors: 1 });
    expect(registry.routes.blob).toMatchObject({ requests: 6, errors: 1, bytesOut: 50_000 });
    expect(registry.bytesOut).toBe(5 * 600 + 5 * 500 + 5 * 10_000);
  });

  it('summarises into registry.* metrics, each matching exactly one catalogue entry', () => {
    const metrics = flatMetrics(analyzeSamples(registryRun()));
    const registry = Object.fromEntries(Object.entries(metrics).filter(([name]) => name.startsWith('registry.')));
    expect(registry).toEqual({
      'registry.bytes_out': 55_500,
      'registry.errors': 2,
      'registry.pull_seconds.max': 0.05,
      'registry.pull_seconds.p50': 0.03,
      'registry.pull_seconds.p95': 0.05,
      'registry.pulls': 5,
      'registry.quota_exhausted_after': 40.002,
      'registry.quota_remaining.min': 0,
      'registry.requests': 25,
      'registry.throttled': 2,
    });
    for (const name of Object.keys(registry)) expect(findMetric(name).map((e) => e.measurement), name).toEqual(['registry']);
  });

  it('adds nothing to a run without a registry: no metric, no section, no chart', () => {
    const samples = syntheticSamples();
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(Object.keys(metrics).filter((name) => name.startsWith('registry.'))).toEqual([]);
    const summary = buildSummary(samples, syntheticRunMeta());
    expect(renderMarkdown(summary)).not.toContain('OCI registry');
    expect(buildChartData(samples, summary.faults, START_MS).charts.map((c) => c.id).filter((id) => id.startsWith('registry'))).toEqual([]);
  });

  it('renders tables by identity, repository and route in the report', () => {
    const md = renderMarkdown(buildSummary(registryRun(), syntheticRunMeta()));
    expect(md).toContain('| Registry pulls | 5 |');
    expect(md).toContain('| Registry 429 / errors | 2 / 2 |');
    expect(md).toContain('| Registry pulls left, lowest | 0 |');
    const section = (title: string) => {
      const start = md.indexOf(`## ${title}`);
      expect(start, title).toBeGreaterThanOrEqual(0);
      return md.slice(start, md.indexOf('\n## ', start + 5));
    };
    const identities = section('OCI registry: requests by identity');
    expect(identities).toContain('| Identity | Requests | Pulls | 429 | Errors (5xx, resets) | Served | Pull limit | Pulls left, min | Quota exhausted after | Quota back after |');
    expect(identities).toContain('| flux | 20 | 4 | 2 | 2 | 43.36Ki | 3 | 0 | 40s | 30s |');
    expect(identities).toContain('| anonymous:127.0.0.1 | 5 | 1 | 0 | 0 | 10.84Ki | 100 | 99 | never | — |');
    expect(identities).toContain('| all | 25 | 5 | 2 | 2 | 54.2Ki | — | 0 | — | — |');
    const repositories = section('OCI registry: requests by repository');
    expect(repositories).toContain('| team-1/app-2 | 10 | 2 | 2 | 0 |');
    expect(repositories).toContain('| (none: API check, token, catalog) | 1 | 0 | 0 | 0 | 0B |');
    const routes = section('OCI registry: requests by route').split('\n').filter((line) => /^\| [a-z]/.test(line));
    expect(routes.map((line) => line.split(' | ')[0])).toEqual(['| base', '| token', '| manifest', '| blob']);
  });

  it('charts the pulls left per identity and the responses by status class, and draws the registry fault as its own band', () => {
    const samples = registryRun();
    const summary = buildSummary(samples, syntheticRunMeta());
    const data = buildChartData(samples, summary.faults, START_MS);
    const quota = data.charts.find((c) => c.id === 'registry-quota')!;
    expect(quota.series.map((s) => s.label)).toEqual(['anonymous:127.0.0.1', 'flux']);
    expect(quota.series.find((s) => s.label === 'flux')!.values.filter((v) => v !== null)).toEqual([2, 1, 0, 2]);
    const status = data.charts.find((c) => c.id === 'registry-status')!;
    const total = (label: string) => status.series.find((s) => s.label === label)?.values.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(status.series.map((s) => s.label)).toEqual(['2xx/3xx', '4xx', '429', '5xx', 'reset']);
    expect([total('2xx/3xx'), total('4xx'), total('429'), total('5xx'), total('reset')]).toEqual([20, 1, 2, 1, 1]);
    expect(pairFaults(samples).map((b) => [b.fault, b.target, b.end === undefined ? 'open' : (b.end - START_MS) / 1000])).toEqual([
      ['registry outage', '*', 95],
      ['outage', '*', 'open'],
    ]);
    expect(data.faults[0]).toEqual({ label: 'registry outage (*)', start: 80, end: 95 });
  });

  it('knows the routes the registry classifies requests into', () => {
    // src/measurements may not import src/registry (it sits below it): the list is kept twice, checked here.
    expect(measuredRoutes).toEqual(registryRoutes);
  });

  it('measures what a real gateway in front of the real registry saw: pulls, a 429, a fault', { timeout: toolchainTimeoutMs }, async () => {
    const work = await tempDir('fb-registry-measurement-');
    const sink = new MemorySink();
    const registry = await startRegistry(
      { rateLimits: { enabled: true, anonymous: 2, authenticated: 100 } },
      { binary: await registryBinary(), storageDir: join(work, 'storage'), sink },
    );
    try {
      const pusher = { url: registry.url, authorization: basic(registry.username, registry.password) };
      const anonymous = { url: registry.url };
      expect((await pushArtifact(pusher, 'team-1/app-1', 'v1', Buffer.from('layer one'))).status).toBe(201);
      expect(await pullArtifact(anonymous, 'team-1/app-1', 'v1')).toEqual([200, 200, 200]);
      expect((await getManifest(anonymous, 'team-1/app-1', 'v1', 'HEAD')).status).toBe(200);
      expect(await pullArtifact(anonymous, 'team-1/app-1', 'v1')).toEqual([200, 200, 200]);
      expect((await getManifest(anonymous, 'team-1/app-1', 'v1')).status).toBe(429);
      const outage = registry.admin.addFault({ type: 'outage', status: 503, match: { route: 'blob' } });
      expect(await pullArtifact(pusher, 'team-1/app-1', 'v1')).toEqual([200, 503, 503]);
      registry.admin.removeFault(outage.id);
      expect((await call(pusher, 'GET', '/v2/team-1/app-1/tags/list')).status).toBe(200);
    } finally {
      await registry.stop();
      await removeDir(work);
    }
    const samples = sink.samples;
    const { registry: stats } = analyzeSamples(samples);
    const requests = registry.requests();
    expect(stats.requests).toBe(requests.length);
    expect(stats.identities['anonymous:127.0.0.1']).toMatchObject({ pulls: 2, throttled: 1, limit: 2, minRemaining: 0, lastRemaining: 0 });
    expect(stats.identities[registry.username]).toMatchObject({ pulls: 1, throttled: 0, errors: 2, limit: 100, minRemaining: 99 });
    expect(stats.routes.blob).toMatchObject({ errors: 2 });
    expect(stats.repositories['team-1/app-1']!.pullSeconds?.count).toBe(3);
    expect(stats.bytesOut).toBe(requests.reduce((n, r) => n + r.bytesOut, 0));
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics).toMatchObject({ 'registry.pulls': 3, 'registry.throttled': 1, 'registry.errors': 2, 'registry.quota_remaining.min': 0 });
    expect(metrics['registry.quota_exhausted_after']).toBeGreaterThan(0);
    expect(pairFaults(samples).map((band) => [band.fault, band.target, band.end !== undefined])).toEqual([['registry outage', 'blob', true]]);
    // No secret reaches the samples the report is built from.
    expect(JSON.stringify(samples)).not.toContain(registry.password);
  });
});
