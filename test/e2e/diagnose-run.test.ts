import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { loadGraphTruth } from '../../src/workload/index.ts';

const sorted = (ids: string[]) => [...ids].sort().join(' ');

describe('diagnosis of a real run against the generator’s ground truth', () => {
  it('names exactly the injected cycles, the missing dependency and the broken root', async () => {
    const scenario = defineScenario({
      name: 'diagnose-e2e',
      controllers: { kustomize: { requeueDependency: '5s' } },
      workload: {
        layout: 'monorepo',
        teams: 1,
        apps: 10,
        seed: 11,
        flux: { sourceInterval: '10s', interval: '1m', timeout: '20s' },
        graph: { shape: 'none', faults: { twoCycles: 1, cycles: [3], missingDependency: 1, brokenRoots: 1, brokenChainLength: 1 } },
      },
      duration: '30s',
      sampling: { interval: '2s' },
      settle: { timeout: '20s' },
      thresholds: ['objects.ready.last >= 12'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-diagnose-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    // The threshold must fail: these objects never become Ready.
    expect(result.exitCode).toBe(1);
    const truth = loadGraphTruth(join(result.runDir, 'github', 'graph.json'));
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis; markdown: string } };
    const diagnosis = meta.diagnosis.json;

    expect(diagnosis.cycles.map((c) => sorted(c.ids)).sort()).toEqual(truth.cycles.map(sorted).sort());
    expect(diagnosis.missing.map((m) => m.to).sort()).toEqual([...truth.missing].sort());
    expect(truth.brokenRoots).toHaveLength(1);
    const rootId = truth.brokenRoots[0]!.id;
    const rootFinding = diagnosis.findings.find((f) => f.id === rootId);
    expect(rootFinding, `the broken root ${rootId} is a finding`).toBeDefined();
    const cause = rootFinding!.rootCause;
    expect(cause.type).toBe('object');
    expect(cause).toMatchObject({ type: 'object', reason: 'Pending' });
    if (cause.type === 'object') {
      expect(cause.id).toMatch(/^PersistentVolumeClaim\//);
      expect(cause.message).toMatch(/storageclass.*"fast".*not found/i);
    }
    // Its dependent's chain leads to the same root.
    const dependents = truth.nodes.filter((n) => n.dependsOn.includes(rootId)).map((n) => n.id);
    for (const id of dependents) {
      const finding = diagnosis.findings.find((f) => f.id === id);
      expect(finding?.chain.map((h) => h.id)).toContain(rootId);
    }
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toContain('## Diagnosis');
  });
});
