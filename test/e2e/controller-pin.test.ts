import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ensureRunToolchain, runScenario } from '../../src/run/index.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { compatFile, readCompat } from '../../src/toolchain/index.ts';

/**
 * An upgrade rehearsal's first step: a newer kustomize-controller than Flux 2.9.5 ships (v1.9.5),
 * built from its module and run against the release's other controllers. v1.9.6 is the newest
 * that builds here: the v1.10 line needs fluxcd/pkg modules the Go module proxy refuses (see
 * docs/upgrades.md).
 */
describe('a controller pinned to another version than the Flux release', () => {
  it('builds kustomize-controller v1.9.6 and runs the smoke load on it', async () => {
    const scenario = defineScenario({
      name: 'pin-e2e',
      toolchain: { controllers: { kustomize: 'v1.9.6' } },
      controllers: { kustomize: { requeueDependency: '5s' } },
      workload: { layout: 'monorepo', teams: 1, apps: 3, seed: 3, flux: { auth: 'basic', sourceInterval: '10s', interval: '1m' }, graph: { shape: 'chain', depth: 2 } },
      timeline: [{ at: '3s', action: 'churn.start', rate: 0.2, maxCommits: 2 }],
      duration: '30s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m' },
      thresholds: ['lag.applied.count > 0', 'stalled.count == 0', 'restarts.count == 0'],
    });
    const toolchain = await ensureRunToolchain(scenario, () => undefined);
    expect(toolchain.pinned).toEqual({ 'kustomize-controller': 'v1.9.6' });
    // The binary is the pinned module's, by its Go build info; the others stay the release's.
    const info = await execa('go', ['version', '-m', toolchain.binaries['kustomize-controller']!]);
    expect(info.stdout).toMatch(/\smod\s+github\.com\/fluxcd\/kustomize-controller\s+v1\.9\.6\s/);
    const source = await execa('go', ['version', '-m', toolchain.binaries['source-controller']!]);
    expect(source.stdout).toMatch(/\smod\s+github\.com\/fluxcd\/source-controller\s+v1\.9\.5\s/);
    expect(toolchain.crdDir).toMatch(/flux-crds-2\.9\.5-.*kustomize-v1\.9\.6/);

    const reports = mkdtempSync(join(tmpdir(), 'fb-e2e-pin-'));
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: reports, quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['lag.applied.count > 0', true],
      ['stalled.count == 0', true],
      ['restarts.count == 0', true],
    ]);
    expect(result.summary?.run.versions).toEqual({ flux: '2.9.5', kubernetes: '1.34.4', controllers: { 'kustomize-controller': 'v1.9.6' } });
    // The combination is on record for the error of a later pin that fails to start here.
    expect(readCompat(compatFile(toolchain.cacheRoot))['kustomize-controller@v1.9.6']).toContain('1.34.4');
  });
});
