import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerSizingCommand } from '../../src/cli/sizing-command.ts';
import { loadSizingSpec, runSweep, type SizingReport } from '../../src/sizing/index.ts';

const Mi = 1024 ** 2;
const work = mkdtempSync(join(tmpdir(), 'fb-e2e-sizing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Two tiny sizes on the real local cluster and controllers: 10s intervals so churn commits are
// applied within the 20s measure phase.
const specFile = join(work, 'sizing.yaml');
writeFileSync(
  specFile,
  `kind: SizingSpec
name: sz-e2e
base:
  controllers:
    kustomize: { requeueDependency: 5s }
  workload:
    layout: monorepo
    teams: 1
    apps: 1
  sampling: { interval: 2s }
  settle: { timeout: 2m }
sweep:
  apps: [4, 2]
  interval: ["10s"]
  concurrency: [4]
duration: 20s
churn: { rate: 0.5, maxCommits: 8 }
headroom: 1.5
`,
);

describe('fluxbench sizing on the real local cluster', () => {
  it('sweeps two sizes into a table with measured memory and limits derived from it', async () => {
    const spec = loadSizingSpec(specFile);
    const lines: string[] = [];
    const result = await runSweep(spec, { specPath: specFile, reportsDir: join(work, 'reports'), log: (l) => lines.push(l) });
    const report = JSON.parse(readFileSync(join(result.dir, 'sizing.json'), 'utf8')) as SizingReport;
    expect(report.rows.map((r) => r.apps)).toEqual([2, 4]);
    for (const row of report.rows) {
      expect(row.verdict).not.toBe('not-run');
      expect(row.memoryMaxBytes['source-controller']).toBeGreaterThan(10 * Mi);
      expect(row.memoryMaxBytes['kustomize-controller']).toBeGreaterThan(10 * Mi);
      expect(row.runId).toMatch(/^sz-e2e-a[24]-i10s-c4-/);
    }
    const measured = Math.max(...report.rows.map((r) => r.memoryMaxBytes['kustomize-controller']!));
    const limit = report.recommendation.memory['kustomize-controller']!;
    expect(limit.measuredMaxBytes).toBe(measured);
    expect(limit.limitBytes).toBeGreaterThanOrEqual(measured * 1.5);
    expect(limit.limitBytes).toBeLessThan(measured * 1.5 + 64 * Mi);
    expect(limit.limit).toMatch(/^\d+(Mi|Gi)$/);
    expect(report.recommendation.byApps.map((b) => b.apps)).toEqual([2, 4]);
    const at4 = report.recommendation.byApps[1]!.memory['kustomize-controller']!;
    expect(at4.measuredMaxBytes).toBe(report.rows[1]!.memoryMaxBytes['kustomize-controller']);
    expect(at4.limitBytes).toBeGreaterThanOrEqual(at4.measuredMaxBytes * 1.5);
    expect(readFileSync(join(result.dir, 'sizing.md'), 'utf8')).toContain(`| 4 | ${at4.limit} (max `);
    expect(lines.filter((l) => /^sizing [12]\/2 sz-e2e-a[24]-i10s-c4: /.test(l))).toHaveLength(4);
  });

  it('answers YES for a generous memory limit through the CLI command', async () => {
    const { out, exitCode } = await runSizingCli(['sizing', specFile, '--apps', '2', '--interval', '10s', '--memory-limit', '2Gi', '--lag-p95', '60s', '--duration', '20s', '--reports', join(work, 'reports')]);
    expect(out[0]).toMatch(/^YES: 2 apps at interval 10s, concurrency 4 within 2Gi per controller, controllers' lag p95 < 60s on Flux /);
    expect(out).toContain('  ✓ oom.kustomize-controller.count = 0 (== 0)');
    expect(out.some((l) => /^ {2}✓ memory\.kustomize-controller\.max = [\d.]+Mi \(< 2Gi\)$/.test(l))).toBe(true);
    // Judged on the controllers' part of the lag, the source's part against one poll plus the budget.
    expect(out.some((l) => /^ {2}✓ lag\.controllers\.p95 = /.test(l))).toBe(true);
    expect(out.some((l) => /^ {2}✓ lag\.artifact\.p95 = /.test(l))).toBe(true);
    expect(exitCode ?? 0).toBe(0);
  });

  it('answers NO with exit code 1 when the kernel OOM-kills a controller under a tight limit', async () => {
    // A short settle: under this limit the controllers may never get everything Ready. The
    // limit also sets GOMEMLIMIT (as Flux's install does), so the Go heap is held near it: at
    // 48Mi the controllers lived, slowly; at 24Mi kustomize-controller cannot and is killed.
    const tightSpec = join(work, 'tight.yaml');
    writeFileSync(tightSpec, readFileSync(specFile, 'utf8').replace('settle: { timeout: 2m }', 'settle: { timeout: 20s }'));
    const { out, exitCode } = await runSizingCli(['sizing', tightSpec, '--apps', '2', '--interval', '10s', '--memory-limit', '24Mi', '--duration', '20s', '--reports', join(work, 'reports')]);
    expect(out[0]).toMatch(/^NO: 2 apps at interval 10s, concurrency 4 within 24Mi per controller/);
    expect(out.some((l) => /^ {2}✗ oom\.[a-z-]+-controller\.count = [1-9]\d*, expected == 0$/.test(l))).toBe(true);
    expect(exitCode).toBe(1);
  });
});

/** `fluxbench sizing ...` in this process: what it printed and the exit code it set (restored afterwards). */
async function runSizingCli(args: string[]): Promise<{ out: string[]; exitCode: number | string | undefined }> {
  const out: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  const previousExitCode = process.exitCode;
  try {
    const program = new Command().exitOverride();
    registerSizingCommand(program);
    await program.parseAsync(args, { from: 'user' });
    return { out, exitCode: process.exitCode };
  } finally {
    spy.mockRestore();
    process.exitCode = previousExitCode;
  }
}
