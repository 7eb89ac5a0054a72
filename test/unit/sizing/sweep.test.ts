import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from '../../../src/scenario/index.ts';
import type { RunOptions, RunResult } from '../../../src/run/index.ts';
import {
  parseSizingSpec,
  planSweep,
  runSweep,
  sweepTimeBoundMs,
  targetAnswer,
  targetScenario,
  type SizingConfig,
  type SizingReport,
  type SizingTarget,
} from '../../../src/sizing/index.ts';
import { ExitCode } from '../../../src/util/exit-codes.ts';
import { summaryOf, typicalShape } from './sizing-run.ts';

const Mi = 1024 ** 2;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const spec = parseSizingSpec({
  name: 'sz',
  base: { workload: { layout: 'monorepo', teams: 1, apps: 1 }, sampling: { interval: '2s' } },
  sweep: { apps: [200, 50, 100], interval: ['1m'], concurrency: [4] },
  duration: '30s',
});

function configOf(scenario: Scenario): SizingConfig {
  return {
    apps: scenario.workload.apps,
    interval: scenario.workload.flux.interval,
    concurrency: scenario.controllers.kustomize.concurrent ?? 0,
    shards: scenario.controllers.kustomize.shards,
  };
}

/** Runs "in" a few milliseconds, recording overlap; apps listed in failAt OOM. */
function fakeRunner(failAt: number[] = []) {
  const calls: Array<{ name: string; options: RunOptions }> = [];
  let active = 0;
  let maxActive = 0;
  const runner = async (scenario: Scenario, options: RunOptions): Promise<RunResult> => {
    active++;
    maxActive = Math.max(maxActive, active);
    calls.push({ name: scenario.name, options });
    await sleep(5);
    const config = configOf(scenario);
    const fails = failAt.includes(config.apps);
    const summary = summaryOf(config, { ...typicalShape(config), ...(fails ? { oomKilled: 'kustomize-controller' } : {}) }, scenario.thresholds);
    active--;
    return { runId: scenario.name, runDir: join(options.reportsDir ?? 'reports', scenario.name), exitCode: fails ? ExitCode.thresholdsFailed : ExitCode.ok, summary };
  };
  return { runner, calls, maxActive: () => maxActive };
}

function tempReports(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fb-sizing-sweep-'));
  dirs.push(dir);
  return dir;
}

describe('runSweep', () => {
  it('runs every size one after the other, smallest first, and writes sizing.json and sizing.md', async () => {
    const reportsDir = tempReports();
    const fake = fakeRunner();
    const lines: string[] = [];
    const result = await runSweep(spec, { specPath: 'sizing.yaml', reportsDir, runner: fake.runner, log: (l) => lines.push(l) });
    expect(fake.calls.map((c) => c.name)).toEqual(['sz-a50-i1m-c4', 'sz-a100-i1m-c4', 'sz-a200-i1m-c4']);
    expect(fake.maxActive()).toBe(1);
    expect(fake.calls[0]!.options).toMatchObject({ scenarioPath: 'sizing.yaml', reportsDir, quiet: true });
    expect(result.exitCode).toBe(ExitCode.ok);
    expect(result.dir.startsWith(join(reportsDir, 'sizing-'))).toBe(true);
    const json = JSON.parse(readFileSync(join(result.dir, 'sizing.json'), 'utf8')) as SizingReport;
    expect(json.rows.map((r) => r.apps)).toEqual([50, 100, 200]);
    expect(json.planned).toBe(3);
    const largest = typicalShape({ apps: 200, interval: '1m', concurrency: 4, shards: 1 });
    expect(json.recommendation.memory['kustomize-controller']!.measuredMaxBytes).toBe(Math.round(largest.rssMax['kustomize-controller']!));
    expect(readFileSync(join(result.dir, 'sizing.md'), 'utf8')).toContain('| 200 | 1m | 4 | 1 |');
    expect(lines.some((l) => l.startsWith('sizing 2/3 sz-a100-i1m-c4: passed in '))).toBe(true);
    // Both parts of the lag, then the total: 100 apps at concurrency 4 is 8.4s of controllers' work after a poll of up to 58s.
    expect(lines.find((l) => l.startsWith('sizing 2/3 sz-a100-i1m-c4: passed in '))).toMatch(/; lag p95 source 58s, controllers 8\.4s, total 1m6s$/);
    expect(lines[0]).toMatch(/^sizing: 3 runs, at most \d+m/);
  });

  it('with stop-on-failure skips the larger sizes after a failed run and says so', async () => {
    const reportsDir = tempReports();
    const fake = fakeRunner([100]);
    const result = await runSweep(spec, { specPath: 'sizing.yaml', reportsDir, runner: fake.runner, stopOnFailure: true, log: () => undefined });
    expect(fake.calls.map((c) => c.name)).toEqual(['sz-a50-i1m-c4', 'sz-a100-i1m-c4']);
    expect(result.exitCode).toBe(ExitCode.thresholdsFailed);
    expect(result.report.rows.map((r) => [r.apps, r.verdict])).toEqual([[50, 'passed'], [100, 'failed']]);
    expect(result.report.stoppedEarly).toBe('a run with 100 apps failed, so 1 runs with more apps were skipped (sz-a200-i1m-c4)');
    expect(existsSync(join(result.dir, 'sizing.md'))).toBe(true);
  });

  it('without stop-on-failure runs every size and reports the failure in the exit code', async () => {
    const fake = fakeRunner([100]);
    const result = await runSweep(spec, { specPath: 'sizing.yaml', reportsDir: tempReports(), runner: fake.runner, log: () => undefined });
    expect(fake.calls).toHaveLength(3);
    expect(result.exitCode).toBe(ExitCode.thresholdsFailed);
    expect(result.report.stoppedEarly).toBeUndefined();
  });

  it('bounds the sweep by the sum of the run bounds', () => {
    const runs = planSweep(spec);
    // Each run: settle 3m (default) + 30s + the runner's 15m provisioning budget.
    expect(sweepTimeBoundMs(runs)).toBe(3 * (3 * 60_000 + 30_000 + 15 * 60_000));
  });
});

describe('target check', () => {
  const target: SizingTarget = { apps: 100, interval: '1m', concurrency: 10, shards: 1, memoryLimitBytes: 256 * Mi, lagP95: '45s', duration: '40s' };

  // The lag checks changed deliberately with the split: by default the controllers' part must stay
  // under the budget and the source's part under one interval plus the budget (was lag.applied.p95 < 45s).
  it('applies the memory limit to every controller and judges memory, OOM and lag', () => {
    const s = targetScenario(spec, target);
    expect(s.name).toBe('sz-check-a100-i1m-c10');
    expect(s.controllers.source.memoryLimit).toBe(256 * Mi);
    expect(s.controllers.kustomize.memoryLimit).toBe(256 * Mi);
    expect(s.controllers.kustomize.concurrent).toBe(10);
    expect(s.duration).toBe('40s');
    expect(s.thresholds).toEqual([
      'memory.*.max < 256Mi',
      'oom.*.count == 0',
      'restarts.count == 0',
      'stalled.count == 0',
      'lag.controllers.p95 < 45s',
      'lag.artifact.p95 < 1m45s',
    ]);
    expect(targetScenario(spec, { ...target, lag: 'total' }).thresholds.at(-1)).toBe('lag.applied.p95 < 45s');
  });

  it('answers YES with the measured numbers when every check holds', () => {
    const s = targetScenario(spec, target);
    const answer = targetAnswer(target, summaryOf(target, typicalShape(target), s.thresholds));
    expect(answer.holds).toBe(true);
    expect(answer.lines[0]).toBe("YES: 100 apps at interval 1m, concurrency 10 within 256Mi per controller, controllers' lag p95 < 45s on Flux 2.7.3");
    expect(answer.lines).toContain('  ✓ memory.kustomize-controller.max = 125Mi (< 256Mi)');
    expect(answer.lines.some((l) => l.startsWith('  measured: kustomize-controller 125Mi / 0.09 cores avg'))).toBe(true);
  });

  it('answers NO naming the check that failed', () => {
    const tight = { ...target, memoryLimitBytes: 100 * Mi };
    const s = targetScenario(spec, tight);
    const answer = targetAnswer(tight, summaryOf(tight, typicalShape(tight), s.thresholds));
    expect(answer.holds).toBe(false);
    expect(answer.lines[0]).toMatch(/^NO: 100 apps .* within 100Mi per controller/);
    expect(answer.lines).toContain('  ✗ memory.kustomize-controller.max = 125Mi, expected < 100Mi');
    expect(targetAnswer(tight, undefined)).toEqual({ holds: false, lines: [expect.stringMatching(/^NO: .*the run produced no measurements$/)] });
  });
});
