import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/diagnose/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import { defineScenario, loadScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';

/** Whether any process still has `needle` on its command line (the registry runs with its config path). */
async function processWith(needle: string): Promise<boolean> {
  const found = await execa('pgrep', ['-f', needle], { reject: false });
  return found.exitCode === 0;
}

/** Names of the HelmReleases seen Ready. */
function readyReleases(samples: readonly Sample[]): string[] {
  return samples.filter((s) => s.kind === 'ready' && s.name === 'ready' && s.labels?.kind === 'HelmRelease').map((s) => s.labels!.name!);
}

describe('OCI sources through the real registry', () => {
  it('oci-smoke.yaml: OCIRepositories get Ready at the pushed digests and new artifacts are applied', async () => {
    const scenario = loadScenario(join(import.meta.dirname, '../../scenarios/oci-smoke.yaml'));
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-oci-'));
    const result = await runScenario(scenario, { scenarioPath: 'scenarios/oci-smoke.yaml', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.filter((t) => !t.ok).map((t) => t.expression)).toEqual([]);
    expect(result.exitCode).toBe(0);

    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const lag = samples.filter((s) => s.kind === 'lag');
    // The artifact stage is measured on the OCIRepositories: their digest revision was mapped
    // back to the published commit, which only matches when the pulled digest is the pushed one.
    const artifacts = lag.filter((s) => s.name === 'artifact');
    expect(artifacts.length).toBeGreaterThan(0);
    expect(new Set(artifacts.map((s) => s.labels!.object!.split('/')[0]))).toEqual(new Set(['OCIRepository']));
    // Every applied commit went through its app's OCIRepository first.
    const applied = lag.filter((s) => s.name === 'applied' && s.labels!.object!.startsWith('Kustomization/'));
    expect(applied.length).toBeGreaterThan(0);
    for (const s of applied) {
      const app = s.labels!.object!.split('/').at(-1)!;
      const source = artifacts.find((a) => a.labels!.commit === s.labels!.commit && a.labels!.object === `OCIRepository/flux-system/${app}`);
      expect(source, `artifact sample for ${app} at ${s.labels!.commit}`).toBeDefined();
      expect(s.value!).toBeGreaterThanOrEqual(source!.value!);
    }
    // The registry's gateway accounted for authenticated pulls, with no credential in the stream.
    const pulls = samples.filter((s) => s.kind === 'registry' && s.name === 'request' && s.labels?.pull === 'true');
    expect(pulls.length).toBeGreaterThan(0);
    expect(new Set(pulls.map((s) => s.labels!.identity))).toEqual(new Set(['fluxbench']));
    const stream = readFileSync(join(result.runDir, 'samples.ndjson'), 'utf8') + readFileSync(join(result.runDir, 'run.json'), 'utf8');
    expect(stream).not.toMatch(/password|Basic [A-Za-z0-9+/=]{8,}|"auths"/i);
    // Teardown stopped the registry it started.
    expect(await processWith(join(result.runDir, 'oci', 'registry.config.yml'))).toBe(false);
  });

  it('a registry outage shows as a failing OCIRepository, and diagnose names the registry error', async () => {
    const scenario = defineScenario({
      name: 'oci-outage-e2e',
      workload: {
        source: 'oci',
        oci: { layout: 'per-app' },
        layout: 'monorepo',
        teams: 1,
        apps: 2,
        seed: 5,
        flux: { auth: 'basic', sourceInterval: '5s', interval: '1m' },
      },
      timeline: [
        { at: '1s', action: 'registry.fault', fault: 'outage', status: 503 },
        { at: '2s', action: 'churn.start', rate: 0.5, maxCommits: 2 },
      ],
      // source_failing is a stall after 60 s of failing.
      duration: '80s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m' },
      thresholds: ['registry.errors > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-oci-outage-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([['registry.errors > 0', true]]);

    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    // The outage is a band labelled as the registry's, and the OCIRepositories stall on it.
    expect(samples.some((s) => s.kind === 'fault' && s.name === 'start' && s.labels?.host === 'registry')).toBe(true);
    const stalls = samples.filter((s) => s.kind === 'stall' && s.name === 'source_failing');
    expect(stalls.map((s) => s.labels!.object!.split('/')[0])).toContain('OCIRepository');

    const meta = JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')) as { diagnosis: { json: Diagnosis } };
    const finding = meta.diagnosis.json.findings.find((f) => f.id.startsWith('OCIRepository/'));
    expect(finding, 'an OCIRepository is a diagnosis finding').toBeDefined();
    expect(JSON.stringify(finding!.rootCause)).toMatch(/503|Service Unavailable|OCIArtifactPullFailed/);
  });

  it('an HTTPS registry with a per-run CA: OCIRepositories verify it (certSecretRef, no insecure) and an OCI HelmRelease gets Ready', async () => {
    const scenario = defineScenario({
      name: 'oci-tls-e2e',
      controllers: { helm: { enabled: true } },
      registry: { tls: true, anonymousPull: false },
      workload: {
        source: 'oci',
        oci: { layout: 'per-app' },
        layout: 'monorepo',
        teams: 1,
        apps: 2,
        seed: 7,
        helm: { releases: 1, source: 'oci-repository' },
        flux: { auth: 'basic', sourceInterval: '10s', interval: '1m' },
      },
      duration: '10s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m', until: 'ready' },
      thresholds: ['ready.not_ready == 0', 'ready.helmrelease.all_after > 0', 'ready.ocirepository.all_after > 0', 'registry.pulls > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-oci-tls-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.filter((t) => !t.ok).map((t) => t.expression)).toEqual([]);
    expect(result.exitCode).toBe(0);
    // What was applied: every OCIRepository names the CA Secret and none skips verification.
    const root = readFileSync(join(result.runDir, 'oci', 'git', 'root.yaml'), 'utf8');
    expect(root).toContain('certSecretRef');
    expect(root).not.toContain('insecure');
    expect(readFileSync(join(result.runDir, 'oci', 'registry.ca.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    // The pulls went through the HTTPS gateway with the run's credentials (anonymous pulls are off).
    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const pulls = samples.filter((s) => s.kind === 'registry' && s.name === 'request' && s.labels?.pull === 'true');
    expect(new Set(pulls.map((s) => s.labels!.repository))).toContain('fluxbench/charts/fluxbench-app');
    expect(new Set(pulls.map((s) => s.labels!.identity))).toEqual(new Set(['fluxbench']));
  });

  it('a HelmRepository of type oci (helm.source helm-repository): HelmCharts resolve version * through the gateway and the releases get Ready', async () => {
    const scenario = defineScenario({
      name: 'oci-helmrepository-e2e',
      controllers: { helm: { enabled: true } },
      workload: {
        source: 'oci',
        oci: { layout: 'per-app' },
        layout: 'monorepo',
        teams: 1,
        apps: 1,
        seed: 11,
        helm: { releases: 2, source: 'helm-repository' },
        flux: { sourceInterval: '10s', interval: '1m' },
      },
      duration: '5s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m', until: 'ready' },
      // The HelmCharts helm-controller makes are watched and waited for, as flux-benchmark times them.
      thresholds: ['ready.not_ready == 0', 'ready.helmrelease.all_after > 0', 'ready.helmchart.all_after > 0'],
    });
    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-oci-helmrepo-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.filter((t) => !t.ok).map((t) => t.expression)).toEqual([]);
    expect(result.exitCode).toBe(0);
    const samples = readNdjson<Sample>(join(result.runDir, 'samples.ndjson'));
    const chartRequests = samples.filter((s) => s.kind === 'registry' && s.name === 'request' && s.labels?.repository === 'fluxbench/charts/fluxbench-app');
    // Resolving `*` lists the chart's tags: a HelmChart does, an OCIRepository following a tag (chartRef) does not.
    expect(chartRequests.some((s) => s.labels!.route === 'tags' && s.labels!.status === '200')).toBe(true);
    expect(chartRequests.some((s) => s.labels!.pull === 'true')).toBe(true);
    // Both releases were seen Ready; no OCIRepository for the chart was made.
    const ready = samples.filter((s) => s.kind === 'ready' && s.name === 'ready').map((s) => `${s.labels!.kind}/${s.labels!.name}`);
    expect(ready.filter((o) => o.startsWith('HelmRelease/')).length).toBe(2);
    // One HelmChart per release, named as helm-controller names them (<namespace>-<release>).
    expect(ready.filter((o) => o.startsWith('HelmChart/')).sort()).toEqual(readyReleases(samples).map((name) => `HelmChart/flux-system-${name}`).sort());
    expect(ready).not.toContain('OCIRepository/fluxbench-app');
  });
});
