import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { abTimeBoundMs, runAb, type AbReport } from '../../../src/ab/index.ts';
import type { RunOptions, RunResult } from '../../../src/run/index.ts';
import { parseScenario, type Scenario } from '../../../src/scenario/index.ts';
import { ExitCode } from '../../../src/util/exit-codes.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const reports = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-ab-'));
  dirs.push(dir);
  return dir;
};

const yaml = 'name: smoke\nworkload: {apps: 3}\nduration: 60s\nsettle: {timeout: 2m}\nregression: {lag.applied.p95: "+20%"}\n';
const sides = (b = 'v1.9.6') => ({
  a: parseScenario(yaml, 'smoke.yaml', { settings: [{ path: ['name'], value: 'smoke-a', text: 'name=smoke-a' }] }),
  b: parseScenario(yaml, 'smoke.yaml', {
    settings: [
      { path: ['toolchain', 'controllers', 'kustomize'], value: b, text: `toolchain.controllers.kustomize=${b}` },
      { path: ['name'], value: 'smoke-b', text: 'name=smoke-b' },
    ],
  }),
});

/** A runner whose lag depends on the side: `lagOf(side, round)`; records the order of the runs. */
function fakeRunner(lagOf: (side: 'a' | 'b', n: number) => number, exitOf: (side: 'a' | 'b', n: number) => number = () => ExitCode.ok) {
  const order: string[] = [];
  const runner = async (scenario: Scenario, options: RunOptions): Promise<RunResult> => {
    const side = scenario.name.endsWith('-a') ? 'a' : 'b';
    const n = order.filter((o) => o === side).length;
    order.push(side);
    const exitCode = exitOf(side, n);
    const runDir = join(options.reportsDir!, `${scenario.name}-${n}`);
    if (exitCode === ExitCode.runError) return { runId: scenario.name, runDir, exitCode };
    return { runId: scenario.name, runDir, exitCode, summary: { verdict: 'passed', metrics: { 'lag.applied.p95': lagOf(side, n), 'restarts.count': 0 } } as unknown as RunResult['summary'] };
  };
  return { runner, order };
}

describe('running an A/B', () => {
  it('builds both sides first, interleaves A B B A over the rounds and writes ab.json, ab.md, ab.html', async () => {
    const prepared: string[] = [];
    const fake = fakeRunner((side, n) => (side === 'a' ? 2 + n * 0.1 : 2.05 + n * 0.1));
    const dir = reports();
    const result = await runAb(
      { ...sides(), aSettings: [], bSettings: ['toolchain.controllers.kustomize=v1.9.6'], repeat: 3 },
      { scenarioPath: 'smoke.yaml', reportsDir: dir, runner: fake.runner, prepare: async (s) => prepared.push(`${s.name} ${s.toolchain.controllers.kustomize ?? 'release'}`), log: () => undefined },
    );
    expect(prepared).toEqual(['smoke-a release', 'smoke-b v1.9.6']);
    // Neither side always runs second.
    expect(fake.order).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(result.exitCode).toBe(ExitCode.ok);
    const saved = JSON.parse(readFileSync(join(result.dir, 'ab.json'), 'utf8')) as AbReport;
    expect(saved.verdict.metrics.find((m) => m.metric === 'lag.applied.p95')).toMatchObject({ verdict: 'no difference', a: [2, 2.1, 2.2] });
    expect(readFileSync(join(result.dir, 'ab.md'), 'utf8')).toContain('No difference between A and B beyond the run-to-run noise');
    expect(readFileSync(join(result.dir, 'ab.md'), 'utf8')).toContain('of the 2 metrics compared about 0.2 would be called if nothing had changed');
    expect(readFileSync(join(result.dir, 'ab.md'), 'utf8')).toContain('B: toolchain.controllers.kustomize=v1.9.6');
    expect(readFileSync(join(result.dir, 'ab.html'), 'utf8')).toContain('<td>lag.applied.p95</td>');
  });

  it('exits 5 when B is slower beyond the noise and the scenario\'s limit', async () => {
    const fake = fakeRunner((side, n) => (side === 'a' ? 2 + n * 0.1 : 3 + n * 0.1));
    const result = await runAb({ ...sides(), aSettings: [], bSettings: ['x'], repeat: 3 }, { scenarioPath: 's', reportsDir: reports(), runner: fake.runner, prepare: async () => undefined, log: () => undefined });
    expect(result.exitCode).toBe(ExitCode.regression);
    expect(result.report.verdict.metrics.find((m) => m.metric === 'lag.applied.p95')).toMatchObject({ verdict: 'regression', limit: '+20%' });
    expect(readFileSync(join(result.dir, 'ab.md'), 'utf8')).toContain('**B regressed: lag.applied.p95.**');
  });

  it('judges the runs that measured, and fails with the run error when a side has fewer than two', async () => {
    const oneError = fakeRunner((side) => (side === 'a' ? 2 : 2.1), (side, n) => (side === 'b' && n === 0 ? ExitCode.runError : ExitCode.ok));
    const ok = await runAb({ ...sides(), aSettings: [], bSettings: ['x'], repeat: 3 }, { scenarioPath: 's', reportsDir: reports(), runner: oneError.runner, prepare: async () => undefined, log: () => undefined });
    expect(ok.report.runs.filter((r) => r.side === 'B' && r.metrics)).toHaveLength(2);
    expect(ok.exitCode).toBe(ExitCode.ok);
    const broken = fakeRunner(() => 2, (side) => (side === 'b' ? ExitCode.runError : ExitCode.ok));
    const failed = await runAb({ ...sides(), aSettings: [], bSettings: ['x'], repeat: 3 }, { scenarioPath: 's', reportsDir: reports(), runner: broken.runner, prepare: async () => undefined, log: () => undefined });
    expect(failed.exitCode).toBe(ExitCode.runError);
    // After B failed twice it can no longer have two measured runs: the A/B stops instead of running on.
    expect(broken.order).toEqual(['a', 'b', 'b']);
    expect(failed.report.stoppedEarly).toMatch(/side B can no longer have two measured runs/);
  });

  it('is bounded by the sum of its runs\' bounds', () => {
    // Each run: settle 2m + duration 60s + the 15-minute provisioning budget = 18 minutes.
    expect(abTimeBoundMs({ ...sides(), repeat: 3 })).toBe(6 * 18 * 60_000);
  });
});
