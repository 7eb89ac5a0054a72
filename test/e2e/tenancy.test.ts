import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';

describe("flux-benchmark's tenant on the real cluster (workload.flux.serviceAccountName, postBuild)", () => {
  it('Kustomizations apply as the impersonated ServiceAccount: Ready with its namespace-admin binding, forbidden once it is gone', async () => {
    const scenario = defineScenario({
      name: 'tenancy-e2e',
      workload: {
        layout: 'monorepo',
        teams: 1,
        apps: 2,
        seed: 11,
        app: { replicas: 0 },
        flux: { serviceAccountName: 'tenant', postBuild: true, wait: true, timeout: '30s', interval: '10m', retryInterval: '5s', sourceInterval: '10m' },
      },
      timeline: [
        // The binding the root applied: without it the ServiceAccount may do nothing in team-1.
        { at: '1s', action: 'object.delete', kind: 'RoleBinding', namespace: 'team-1', name: 'tenant' },
        { at: '3s', action: 'flux.reconcile', kind: 'Kustomization', name: 'app-001' },
      ],
      duration: '25s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m', until: 'ready' },
      thresholds: ['ready.kustomization.all_after > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-tenancy-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    // Every Kustomization got Ready as the tenant, with its variables substituted: `${TEAM}` is not
    // a valid label value, so an unsubstituted app would have been refused by the API server.
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([['ready.kustomization.all_after > 0', true]]);
    // After the binding went, the reconciled app failed on the API server's authorization of the
    // impersonated user: the controller itself (cluster-admin) was not the one applying.
    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis } };
    const finding = meta.diagnosis.json.findings.find((f) => f.id === 'Kustomization/flux-system/app-001');
    expect(finding, 'app-001 is a diagnosis finding').toBeDefined();
    expect(JSON.stringify(finding)).toMatch(/system:serviceaccount:flux-system:tenant/);
    expect(JSON.stringify(finding)).toMatch(/forbidden/i);
  });
});
