import { describe, expect, it } from 'vitest';
import {
  lagThresholds,
  parseSizingSpec,
  recommend,
  renderSizingMarkdown,
  sizingTable,
  SIZING_SCHEMA_VERSION,
  targetAnswer,
  targetScenario,
  type SizingConfig,
  type SizingTarget,
} from '../../../src/sizing/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { summaryOf, typicalShape, type RunShape } from './sizing-run.ts';

const Mi = 1024 ** 2;
const spec = parseSizingSpec({ name: 'sz', base: { workload: { layout: 'monorepo', teams: 1, apps: 1 } }, sweep: { apps: [100], interval: ['2m'] } });

/** The new user's run: 100 apps polled every 2m. The poll is up to 1m35s p95; the controllers take 7s once the artifact exists. */
const target: SizingTarget = { apps: 100, interval: '2m', concurrency: 4, shards: 1, memoryLimitBytes: 256 * Mi, lagP95: '60s', duration: '3m' };
function pollBound(controllersSeconds: number, artifactScale = 1): RunShape {
  const artifactLag = Array.from({ length: 10 }, (_, i) => (5 + i * 10) * artifactScale);
  return { ...typicalShape(target), artifactLag, appliedLag: artifactLag.map((lag) => lag + controllersSeconds) };
}

function answer(check: SizingTarget, shape: RunShape) {
  return targetAnswer(check, summaryOf(check, shape, targetScenario(spec, check).thresholds));
}

describe('sizing judged on the controllers’ part of the lag', () => {
  it('answers YES for a 2m interval whose lag is the poll, where judging the total answers NO', () => {
    const byControllers = answer(target, pollBound(7));
    expect(byControllers.holds).toBe(true);
    expect(byControllers.lines[0]).toBe("YES: 100 apps at interval 2m, concurrency 4 within 256Mi per controller, controllers' lag p95 < 60s on Flux 2.7.3");
    expect(byControllers.lines).toContain('  ✓ lag.controllers.p95 = 7s (< 1m)');
    expect(byControllers.lines).toContain('  ✓ lag.artifact.p95 = 1m35s (< 3m)');

    const byTotal = answer({ ...target, lag: 'total' }, pollBound(7));
    expect(byTotal.holds).toBe(false);
    expect(byTotal.lines[0]).toMatch(/^NO: .* total lag p95 < 60s on Flux/);
    expect(byTotal.lines).toContain('  ✗ lag.applied.p95 = 1m42s, expected < 1m');
  });

  it('prints both parts and the total, and the lever that moves the larger', () => {
    for (const lag of ['controllers', 'total'] as const) {
      const { lines } = answer({ ...target, lag }, pollBound(7));
      expect(lines).toContain('  lag p95 by part: source (push → artifact) 1m35s at interval 2m, controllers (artifact → applied) 7s, total (push → applied) 1m42s');
      expect(lines).toContain(
        "  lever: most of the lag is the source's, the wait for the next poll: shorten the interval (2m) or add webhooks (Receivers); controller concurrency or memory will not cut it",
      );
    }
  });

  it('answers NO when the controllers are slow, and points at them', () => {
    const { holds, lines } = answer(target, pollBound(75));
    expect(holds).toBe(false);
    expect(lines).toContain('  ✗ lag.controllers.p95 = 1m15s, expected < 1m');
    expect(lines).toContain("  lever: the controllers' part (artifact → applied) is over 60s: raise kustomize-controller --concurrent, shard it, or give it more CPU");
  });

  it('answers NO when source-controller falls behind its polls, whatever the controllers do', () => {
    // Artifacts up to 3m10s p95 after the push at a 2m interval: longer than one poll plus the budget.
    const { holds, lines } = answer(target, pollBound(7, 2));
    expect(holds).toBe(false);
    expect(lines).toContain('  ✓ lag.controllers.p95 = 7s (< 1m)');
    expect(lines).toContain('  ✗ lag.artifact.p95 = 3m10s, expected < 3m');
    expect(lines.find((l) => l.startsWith('  lever: '))).toMatch(/source-controller is behind its polls .*raise its --concurrent, CPU or memory$/);
  });

  it('answers NO without an artifact to split the lag by (no data is not a pass)', () => {
    const { holds, lines } = answer(target, { ...pollBound(7), artifactLag: undefined } as RunShape);
    expect(holds).toBe(false);
    expect(lines).toContain('  ✗ no data for lag.controllers.p95');
    expect(lines.some((l) => l.startsWith('  lever: '))).toBe(false);
  });

  it('writes the lag thresholds of each judging', () => {
    expect(lagThresholds({ lagP95: '60s', lag: 'controllers' }, '2m')).toEqual(['lag.controllers.p95 < 60s', 'lag.artifact.p95 < 3m']);
    expect(lagThresholds({ lagP95: '500ms', lag: 'controllers' }, '90s')).toEqual(['lag.controllers.p95 < 500ms', 'lag.artifact.p95 < 90.5s']);
    expect(lagThresholds({ lagP95: '45s', lag: 'total' }, '2m')).toEqual(['lag.applied.p95 < 45s']);
  });
});

describe('sweep recommendations by lag part', () => {
  const configs: SizingConfig[] = ['5m', '1m'].flatMap((interval) => [4, 10].map((concurrency) => ({ apps: 200, interval, concurrency, shards: 1 })));
  const rows = sizingTable(configs.map((config) => ({ config, summary: summaryOf(config) })));
  const targets = { lagP95: '60s', githubRequestsPerMinute: 83, listP95: '1s' };

  it('recommends on the controllers’ part by default and finds nothing on the total, naming the poll as the lever', () => {
    expect(recommend(rows, 1.3, targets).byApps[0]!.concurrency).toMatchObject({ concurrency: 4, interval: '5m', lagControllersP95Seconds: 14 });
    const total = recommend(rows, 1.3, { ...targets, lag: 'total' });
    expect(total.targets.lag).toBe('total');
    expect(total.byApps[0]!.concurrency).toBeUndefined();
    expect(total.byApps[0]!.notes.slice(0, 2)).toEqual([
      'no run kept lag.applied.p95 under 60s without restarts',
      "at interval 1m, concurrency 10, most of the lag is the source's, the wait for the next poll: shorten the interval (1m) or add webhooks (Receivers); controller concurrency or memory will not cut it",
    ]);
    const md = renderSizingMarkdown({
      schemaVersion: SIZING_SCHEMA_VERSION,
      name: 'sizing',
      createdAt: '2026-11-25T10:00:00.000Z',
      base: 'inline',
      planned: rows.length,
      rows,
      recommendation: total,
    });
    expect(md).toContain('Targets: lag.applied.p95 < 1m (total, push → applied)');
    expect(md).toContain('| 200 | 1m | 10 | 1 | 160Mi | 64Mi | 0.09/0.13 | 0.09/0.13 | 25s | 58s | 8.4s | 1m6s |');
  });
});

describe('targets.lag', () => {
  const base = { workload: { layout: 'monorepo', teams: 1, apps: 2 } };

  it('defaults to the controllers’ part', () => {
    expect(parseSizingSpec({ base, sweep: { apps: [2] } }).targets.lag).toBe('controllers');
    expect(parseSizingSpec({ base, sweep: { apps: [2] }, targets: { lag: 'total' } }).targets.lag).toBe('total');
  });

  it('names the field and the allowed values when wrong', () => {
    const parse = () => parseSizingSpec({ base, sweep: { apps: [2] }, targets: { lag: 'applied' } }, 'my.yaml');
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow('my.yaml: targets.lag: expected which lag lagP95 bounds (allowed: controllers, total)');
  });
});
