import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';

describe('HelmRelease failure classes on the real helm-controller', () => {
  it('fails the releases asked to fail, for the reason asked, keeps the others Ready and weighs Helm’s release Secrets', async () => {
    const scenario = defineScenario({
      name: 'helm-failures-e2e',
      controllers: { helm: { enabled: true } },
      workload: {
        layout: 'monorepo',
        teams: 1,
        apps: 1,
        seed: 3,
        helm: { releases: 3, failures: { invalidManifest: 1, failingHook: 1 }, remediation: { retries: 2, maxHistory: 0 } },
        flux: { sourceInterval: '10s', interval: '1m', timeout: '30s' },
      },
      duration: '30s',
      sampling: { interval: '2s' },
      // The ground truth leaves the two failing releases out: settle waits for the others only.
      settle: { timeout: '2m', until: 'ready' },
      thresholds: ['api.object_bytes.helm-release-secrets.max > 0', 'api.object_bytes.helmreleases.max > 0', 'ready.helmrelease.all_after > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-helm-failures-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.filter((t) => !t.ok).map((t) => t.message)).toEqual([]);
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis; text: string } };
    const finding = (name: string) => meta.diagnosis.json.findings.find((f) => f.id === `HelmRelease/flux-system/${name}`);
    // release-001 is healthy; release-002 renders an invalid Service, release-003 a hook that fails.
    // With retries (remediation.retries: 2) a failing release may be in its next attempt at the
    // verdict (Ready=Unknown): never True, and its message or latest events carry the failure.
    expect(finding('release-001'), meta.diagnosis.text).toBeUndefined();
    expect(['False', 'Unknown']).toContain(finding('release-002')?.ready);
    expect(['False', 'Unknown']).toContain(finding('release-003')?.ready);
    const text = (name: string) => JSON.stringify(finding(name));
    expect(text('release-002'), meta.diagnosis.text).toMatch(/70000/);
    expect(text('release-003'), meta.diagnosis.text).toMatch(/hook|DeadlineExceeded/i);
    // remediation.retries: 2 — helm-controller remediates a failed install by uninstalling it, then retries.
    expect(text('release-002') + text('release-003'), meta.diagnosis.text).toMatch(/uninstall remediation/i);
  });
});
