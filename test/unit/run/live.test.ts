import { describe, expect, it } from 'vitest';
import { LiveStatus, teeSink } from '../../../src/run/live.ts';
import { exitCodeOf, fluxControllersFromScenario, scenarioRunId } from '../../../src/run/index.ts';
import { defineScenario } from '../../../src/scenario/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

describe('live view', () => {
  it('folds the sample stream into one status line', () => {
    const live = new LiveStatus();
    const seen: Sample[] = [];
    const sink = teeSink(live, { write: (s) => seen.push(s) });
    const ts = Date.now();
    sink.write({ ts, kind: 'phase', name: 'measure' });
    sink.write({ ts, kind: 'objects', name: 'total', value: 4, labels: { kind: 'Kustomization' } });
    sink.write({ ts, kind: 'objects', name: 'ready', value: 3, labels: { kind: 'Kustomization' } });
    sink.write({ ts, kind: 'objects', name: 'total', value: 1, labels: { kind: 'GitRepository' } });
    sink.write({ ts, kind: 'objects', name: 'ready', value: 1, labels: { kind: 'GitRepository' } });
    sink.write({ ts, kind: 'controller', name: 'rss_bytes', value: 64 * 1024 * 1024, labels: { controller: 'source-controller' } });
    for (const v of [1, 2, 9]) sink.write({ ts, kind: 'lag', name: 'applied', value: v, labels: {} });
    sink.write({ ts, kind: 'github', name: 'request', value: 0.01, labels: { status: '429' } });
    sink.write({ ts, kind: 'github', name: 'request', value: 0.01, labels: { status: '200' } });
    sink.write({ ts, kind: 'process', name: 'restart', value: 1, labels: { controller: 'kustomize-controller' } });
    expect(seen).toHaveLength(12);
    expect(live.line(65_000)).toBe('  1m5s measure | ready 4/5 | rss source 64Mi | lag p50 2s max 9s (3) | 403 0 429 1 | restarts 1');
  });

  it('shows commits pushed and not applied yet beside the lag, and only while there are some', () => {
    const live = new LiveStatus();
    const pending = (ts: number, pairs: number, oldestPushedAt: number): Sample => ({ ts, kind: 'pending', name: 'applied', value: pairs, detail: { oldestPushedAt } });
    live.write(pending(100_000, 12, 60_000));
    expect(live.line(1_000)).toBe('    1s starting | lag pending 12 oldest 40s | 403 0 429 0');
    live.write({ ts: 100_000, kind: 'lag', name: 'applied', value: 3, labels: {} });
    live.write(pending(101_000, 0, 0));
    expect(live.line(1_000)).toBe('    1s starting | lag p50 3s max 3s (1) | 403 0 429 0');
  });
});

describe('runner translation', () => {
  it('maps scenario controller settings onto the supervisor, shards beside the main instance', () => {
    const scenario = defineScenario({
      name: 'x',
      workload: {},
      controllers: { kustomize: { shards: 4, concurrent: 8, memoryLimit: '512Mi' }, helm: { enabled: true } },
    });
    const config = fluxControllersFromScenario(scenario.controllers);
    expect(config.kustomize).toMatchObject({ shards: 4, concurrent: 8, memoryLimitBytes: 512 * 1024 * 1024 });
    expect(config.helm.enabled).toBe(true);
    expect(fluxControllersFromScenario(defineScenario({ name: 'y', workload: {} }).controllers).kustomize.shards).toBe(0);
  });

  it('names runs as DNS labels and maps statuses to exit codes', () => {
    const id = scenarioRunId('manifest-bloat-500', new Date('2026-11-25T12:00:00Z'));
    expect(id).toMatch(/^manifest-bloat-500-20261125-120000-[0-9a-f]{4}$/);
    expect(id.length).toBeLessThanOrEqual(63);
    expect([exitCodeOf('passed'), exitCodeOf('failed'), exitCodeOf('error'), exitCodeOf('timeout'), exitCodeOf('interrupted')]).toEqual([0, 1, 3, 4, 130]);
  });
});

describe('webhook receiver manifests', () => {
  it('declare one GitHub Receiver per GitRepository, each reconciling only its own, with the token Secret', async () => {
    const { receiverManifests, receiverName, receiverTargets } = await import('../../../src/run/receivers.ts');
    const { parseAllDocuments } = await import('yaml');
    const targets = receiverTargets({
      fluxObjects: [
        { id: 'GitRepository/flux-system/fleet', apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', namespace: 'flux-system', name: 'fleet', sourceRepo: 'fluxbench/fleet' },
        { id: 'Kustomization/flux-system/app', apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: 'flux-system', name: 'app', sourceRepo: 'fluxbench/fleet' },
        { id: 'GitRepository/team-a/apps', apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', namespace: 'team-a', name: 'apps', sourceRepo: 'team-a/apps' },
      ],
    });
    expect(targets).toEqual([
      { namespace: 'flux-system', name: 'fleet', repo: 'fluxbench/fleet' },
      { namespace: 'team-a', name: 'apps', repo: 'team-a/apps' },
    ]);
    const docs = parseAllDocuments(receiverManifests({ namespace: 'flux-system', secret: 's3cret', targets })).map(
      (d) => d.toJSON() as { kind: string; metadata: { name: string; namespace: string }; spec?: { type: string; events: string[]; resources: Array<{ name: string; namespace: string }> }; stringData?: { token: string } },
    );
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Receiver', 'Receiver']);
    expect(docs[0]!.stringData!.token).toBe('s3cret');
    expect(docs.slice(1).map((d) => [d.metadata.name, d.spec!.type, d.spec!.resources.map((r) => `${r.namespace}/${r.name}`)])).toEqual([
      ['gh-flux-system-fleet', 'github', ['flux-system/fleet']],
      ['gh-team-a-apps', 'github', ['team-a/apps']],
    ]);
    expect(docs[1]!.spec!.events).toContain('push');
    const long = receiverName({ namespace: 'a'.repeat(40), name: 'b'.repeat(40) });
    expect(long).toMatch(/^gh-a+-b*-?[0-9a-f]{8}$/);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(receiverName({ namespace: 'a'.repeat(40), name: `${'b'.repeat(39)}c` })).not.toBe(long);
  });
});

describe('run --baseline', () => {
  it('passes an unchanged run and flags a regression beyond the scenario limits', async () => {
    const { judgeAgainstBaseline } = await import('../../../src/run/index.ts');
    const { buildSummary } = await import('../../../src/report/index.ts');
    const { syntheticSamples, syntheticRunMeta } = await import('../report/synthetic-run.ts');
    const meta = syntheticRunMeta({ status: 'passed', regression: { 'lag.applied.p95': '+20%' } });
    const baseline = buildSummary(syntheticSamples(1), meta);
    expect(judgeAgainstBaseline(baseline, baseline).regressed).toBe(false);
    // The same run with every applied lag 50% slower.
    const slower = syntheticSamples(1).map((s) => (s.kind === 'lag' && s.name === 'applied' ? { ...s, value: s.value! * 1.5 } : s));
    const verdict = judgeAgainstBaseline(baseline, buildSummary(slower, meta));
    expect(verdict.regressed).toBe(true);
    expect(verdict.text).toContain('lag.applied.p95');
  });
});
