import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { loadGraphTruth } from '../../src/workload/index.ts';
import { lagSubsets } from '../../src/measurements/lag-subset.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

describe('worker starvation on the real kustomize-controller', () => {
  it('shows every worker held by health-check waits, and names the controller as the cause of the others’ lag', async () => {
    const scenario = defineScenario({
      name: 'workers-e2e',
      // One worker, and two broken roots whose health checks hold it for their whole timeout.
      controllers: { kustomize: { concurrent: 1, requeueDependency: '5s' } },
      workload: {
        layout: 'monorepo',
        teams: 1,
        apps: 6,
        seed: 9,
        graph: { shape: 'none', faults: { brokenRoots: 2, brokenChainLength: 0 } },
        flux: { sourceInterval: '5s', interval: '1m', timeout: '30s' },
      },
      timeline: [{ at: '2s', action: 'churn.start', rate: 0.2, maxCommits: 4 }],
      duration: '60s',
      sampling: { interval: '2s' },
      settle: { timeout: '1m', until: 'ready' },
      // A subset threshold, judged like any other on the real samples.
      thresholds: ['workers.kustomize-controller.saturated > 0', 'lag.artifact{kind=GitRepository}.count > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-workers-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    const summary = result.summary!;
    const saturated = summary.metrics['workers.kustomize-controller.saturated'];
    expect(saturated, JSON.stringify(summary.workers)).toBeGreaterThanOrEqual(0.25);
    const row = summary.workers?.reconcilers.find((r) => r.instance === 'kustomize-controller' && r.reconciler === 'kustomization');
    expect(row?.maxConcurrent).toBe(1);
    // The health checks hold the worker for up to their 30 s timeout.
    expect(summary.metrics['workers.kustomize-controller.longest_running.max']).toBeGreaterThan(5);
    expect(summary.warnings?.join('\n')).toMatch(/kustomize-controller.*(concurrent|workers)/s);
    // The objects named as holding the worker are the broken roots, whose health checks wait 30 s each.
    const truth = loadGraphTruth(join(result.runDir, 'github', 'graph.json'));
    const brokenRoots = truth.brokenRoots.map((r) => r.id);
    expect(row?.holders?.length, JSON.stringify(row)).toBeGreaterThan(0);
    expect(row?.holdersFrom).toBe('reconciles');
    for (const holder of row!.holders!) expect(brokenRoots).toContain(holder);
    expect(summary.thresholds.find((t) => t.expression.startsWith('lag.artifact{'))).toMatchObject({ ok: true });
    // Subsets of the same samples: every commit that got Ready did so on an object outside the
    // broken roots (which of the healthy ones get there in a minute with one worker depends on the
    // machine: the root Kustomization at least), and no commit ever got Ready on a broken root.
    const names = brokenRoots.map((id) => id.split('/').at(-1)!);
    const healthy = `lag.ready{kind=Kustomization,${names.map((n) => `name!=${n}`).join(',')}}.count`;
    const broken = `lag.ready{kind=Kustomization,name=${names[0]}}.count`;
    const { metrics } = lagSubsets(readNdjson<Sample>(join(result.runDir, 'samples.ndjson')), [healthy, broken]);
    expect(summary.metrics['lag.ready.count']).toBeGreaterThan(0);
    expect(metrics[healthy]).toBe(summary.metrics['lag.ready.count']);
    expect(metrics[broken] ?? 0).toBe(0);
  });
});
