import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics/sample.ts';
import { runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

describe('dummy CRDs on the real API server', () => {
  it('accepts large generated schemas (workload.crdSchemaSize) as structural, Established before the Flux objects are applied', async () => {
    const scenario = defineScenario({
      name: 'crds-large-e2e',
      workload: { layout: 'monorepo', teams: 1, apps: 1, seed: 3, crds: 3, crdSchemaSize: '256Ki', flux: { interval: '1m' } },
      duration: '2s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m', until: 'ready' },
      // The schemas land in kube-apiserver's memory (and etcd's): the control-plane measurement reads both from /proc.
      thresholds: ['ready.not_ready == 0', 'control_plane.kube-apiserver.memory.peak > 100Mi', 'control_plane.etcd.memory.max > 10Mi'],
    });
    const lines: string[] = [];
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-crds-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: (line) => lines.push(line) });
    expect(result.summary?.thresholds.filter((t) => !t.ok).map((t) => t.expression)).toEqual([]);
    expect(result.exitCode).toBe(0);
    // kubectl's apply would have failed on a schema the API server refuses (v1 CRDs must be
    // structural), and its wait on one that never got Established.
    expect(lines.some((l) => /3 dummy CRDs applied and Established/.test(l))).toBe(true);
    const phases = readNdjson<Sample>(join(result.runDir, 'samples.ndjson')).filter((s) => s.kind === 'phase').map((s) => s.name);
    expect(phases.indexOf('crds')).toBeGreaterThan(phases.indexOf('generate'));
    expect(phases.indexOf('crds')).toBeLessThan(phases.indexOf('apply'));
    // Every component kwokctl runs as a host process here is read, each with a CPU rate.
    const controlPlane = result.summary?.controlPlane ?? {};
    expect(Object.keys(controlPlane)).toEqual(expect.arrayContaining(['etcd', 'kube-apiserver', 'kube-controller-manager']));
    for (const [component, stats] of Object.entries(controlPlane)) expect(stats.cpu?.count, component).toBeGreaterThan(0);
    // The schemas are in kube-apiserver, not in the components beside it.
    expect(controlPlane['kube-apiserver']!.rssPeakBytes).toBeGreaterThan(controlPlane['kube-controller-manager']!.rssPeakBytes!);
  });
});
