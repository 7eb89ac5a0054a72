/**
 * A hub Flux with three local spoke clusters (Flux's remote-cluster mode): the apps get Ready
 * on every spoke; spoke-03 is deleted and re-added (a new, empty cluster) and gets everything
 * applied again; then spoke-02's API server is stopped; the other spokes keep applying commits,
 * the fleet measurement sees spoke-02 unreachable, diagnose names it as the root cause of its
 * objects' failures, and no spoke process is left behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

const stopAtMs = 40_000;

describe('a hub managing three spoke clusters', () => {
  it('keeps applying commits to the other spokes while one spoke’s API server is stopped, and diagnose names that spoke', async () => {
    const scenario = defineScenario({
      name: 'fleet-e2e',
      controllers: { source: { concurrent: 2 }, kustomize: { concurrent: 6, requeueDependency: '5s' } },
      fleet: { spokes: 3 },
      workload: {
        layout: 'repo-per-team',
        teams: 1,
        apps: 2,
        seed: 17,
        app: { replicas: 0 },
        // A token, as an organisation's GitRepositories have: anonymous polling every 5 s would spend GitHub's 60/h.
        flux: { auth: 'basic', sourceInterval: '5s', interval: '1m', timeout: '30s' },
      },
      timeline: [
        { at: '2s', action: 'churn.start', rate: 0.2 },
        { at: '8s', action: 'spoke.delete', spoke: 'spoke-03', duration: '15s' },
        // No duration: down to the end of the run, so the verdict's diagnosis sees it down.
        { at: `${stopAtMs / 1000}s`, action: 'spoke.stop', spoke: 'spoke-02' },
      ],
      duration: '90s',
      sampling: { interval: '3s' },
      settle: { timeout: '3m', until: 'ready' },
      thresholds: ['fleet.spokes == 3', 'fleet.spoke-01.lag.applied.count > 0', 'fleet.spoke-03.lag.applied.count > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-fleet-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    const summary = result.summary!;
    const fleet = summary.fleet!;
    expect(Object.keys(fleet.spokes)).toEqual(['spoke-01', 'spoke-02', 'spoke-03']);
    // Every spoke got its apps (and its infrastructure) Ready before the stop.
    for (const spoke of ['spoke-01', 'spoke-02', 'spoke-03']) expect(fleet.spokes[spoke]!.ready, spoke).toBe(3);
    // spoke-02 stopped, spoke-03 deleted for a while.
    expect(summary.metrics['fleet.unreachable_spokes']).toBe(2);
    expect(fleet.spokes['spoke-02']!.unreachable).toBeGreaterThan(3);
    expect(fleet.spokes['spoke-02']!.lastError).toMatch(/ECONNREFUSED/);
    expect(fleet.spokes['spoke-03']!.unreachable).toBeGreaterThan(0);
    // What each spoke's processes cost was read from /proc.
    for (const spoke of ['spoke-01', 'spoke-03']) expect(summary.metrics[`fleet.${spoke}.rss.max`], spoke).toBeGreaterThan(100 * 2 ** 20);

    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    // The re-added spoke-03 is a new cluster on a new address, the probe followed it, its
    // Kustomizations were asked to reconcile, and everything was applied to it again.
    const readded = samples.find((s) => s.kind === 'fault' && s.name === 'end' && s.detail?.action === 'spoke.delete');
    expect(readded, 'the spoke.delete end sample').toBeDefined();
    // Announced again when the probe moved to the new cluster (kwokctl often picks the freed port again).
    expect(samples.filter((s) => s.kind === 'fleet' && s.name === 'spoke' && s.labels?.spoke === 'spoke-03')).toHaveLength(2);
    expect(samples.some((s) => s.kind === 'reconcile' && s.name === 'requested' && s.labels?.action === 'spoke.delete spoke-03')).toBe(true);
    const appliedOn03After = samples.filter((s) => s.kind === 'lag' && s.name === 'applied' && s.ts > readded!.ts && s.labels?.object?.startsWith('Kustomization/spoke-03/'));
    expect(appliedOn03After.length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.kind === 'fleet' && s.name === 'api_latency' && s.labels?.spoke === 'spoke-03' && s.ts > readded!.ts).length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.kind === 'fleet' && s.name === 'unreachable' && s.labels?.spoke === 'spoke-03' && s.ts > readded!.ts + 4_000)).toEqual([]);

    // After the stop, commits kept arriving on spoke-01 and spoke-03, and none on spoke-02.
    const stop = samples.find((s) => s.kind === 'fault' && s.name === 'start' && s.detail?.action === 'spoke.stop');
    expect(stop, 'the spoke.stop fault sample').toBeDefined();
    const appliedAfter = (spoke: string) =>
      samples.filter((s) => s.kind === 'lag' && s.name === 'applied' && s.ts > stop!.ts + 5_000 && s.labels?.object?.split('/')[1] === spoke).length;
    expect(appliedAfter('spoke-01')).toBeGreaterThan(0);
    expect(appliedAfter('spoke-03')).toBeGreaterThan(0);
    expect(appliedAfter('spoke-02')).toBe(0);

    // Diagnose: spoke-02's objects fail because its API server does not answer; the others do not.
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis; markdown: string } };
    const diagnosis = meta.diagnosis.json;
    const spoke02 = diagnosis.findings.filter((f) => f.namespace === 'spoke-02' && f.kind === 'Kustomization');
    expect(spoke02.length, meta.diagnosis.markdown).toBeGreaterThan(0);
    expect(spoke02.some((f) => f.rootCause?.type === 'object' && f.rootCause.id === 'Secret/spoke-02/kubeconfig' && f.rootCause.reason === 'RemoteClusterUnreachable'), meta.diagnosis.markdown).toBe(true);
    expect(diagnosis.findings.filter((f) => f.stuck && (f.namespace === 'spoke-01' || f.namespace === 'spoke-03'))).toEqual([]);
    expect(readFileSync(join(result.runDir, 'report.md'), 'utf8')).toMatch(/Fleet: spokes[\s\S]*spoke-02/);

    // The spokes' processes went with the run.
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(result.runId) && /kube-apiserver|etcd|kube-controller-manager/.test(line));
    expect(left).toEqual([]);
  });
});
