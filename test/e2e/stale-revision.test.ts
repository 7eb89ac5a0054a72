import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { loadGraphTruth } from '../../src/workload/index.ts';

const sorted = (ids: readonly string[]) => [...ids].sort().join(' ');

describe('Ready but frozen: a dependsOn cycle on a shared source (kustomize-controller#1712)', () => {
  it('lists every Kustomization of the source as behind its artifact and names the cycle as the cause', async () => {
    const scenario = defineScenario({
      name: 'stale-revision-e2e',
      controllers: { kustomize: { requeueDependency: '5s' } },
      workload: {
        layout: 'monorepo',
        teams: 1,
        apps: 6,
        seed: 7,
        // A 10-minute interval: the objects cannot catch up by their timer within the run, so
        // only a revision event would move them, and the cycle drops those.
        flux: { sourceInterval: '5s', interval: '10m' },
        graph: { shape: 'none', faults: { cycles: [3] } },
      },
      // Three commits early in the measure phase, then quiet: the last artifact is older than
      // the stale threshold when the run ends.
      timeline: [{ at: '2s', action: 'churn.start', rate: 0.5, maxCommits: 3 }],
      duration: '45s',
      sampling: { interval: '2s' },
      settle: { timeout: '30s' },
      stalls: { staleRevisionAfter: '15s' },
      thresholds: ['stalled.count >= 3'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-stale-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    const truth = loadGraphTruth(join(result.runDir, 'github', 'graph.json'));
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis; text: string } };
    const diagnosis = meta.diagnosis.json;

    expect(truth.cycles).toHaveLength(1);
    const cycleMembers = new Set(truth.cycles[0]);
    const healthyApps = truth.nodes.filter((n) => n.kind === 'Kustomization' && !cycleMembers.has(n.id)).map((n) => n.id);
    expect(healthyApps.length).toBeGreaterThanOrEqual(3);

    expect(diagnosis.staleRevisions, meta.diagnosis.text).toHaveLength(1);
    const [group] = diagnosis.staleRevisions;
    expect(group!.source).toMatch(/^GitRepository\//);
    expect(group!.cause.type, group!.explanation).toBe('shared_source_cycle');
    if (group!.cause.type === 'shared_source_cycle') expect(sorted(group!.cause.cycle)).toBe(sorted(truth.cycles[0]!));
    // Every app outside the cycle is frozen at an older revision while Ready, and each is listed.
    const listed = new Set(group!.objects.map((o) => o.id));
    for (const id of healthyApps) expect(listed, `${id} is listed as behind its source`).toContain(id);
    for (const id of healthyApps) {
      const finding = diagnosis.findings.find((f) => f.id === id);
      expect(finding?.ready).toBe('True');
      expect(finding?.rootCause).toMatchObject({ type: 'cycle' });
    }
    const report = readFileSync(join(result.runDir, 'report.md'), 'utf8');
    expect(report).toContain('Ready but behind their source');
    expect(report).toContain('kustomize-controller#1712');
  });
});
