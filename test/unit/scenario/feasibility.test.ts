import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerPlanCommand } from '../../../src/cli/plan-command.ts';
import { registerValidateCommand } from '../../../src/cli/validate-command.ts';
import { estimateScenario, feasibilityFindings, loadScenario, parseScenario, ScenarioError, serviceRangeSize } from '../../../src/scenario/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxbench-feasibility-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenariosDir = resolve(import.meta.dirname, '../../../scenarios');
const GiB = 2 ** 30;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function cli(register: (program: Command, output: { write(text: string): void }) => void, ...args: string[]): Promise<{ out: string; error?: Error }> {
  let out = '';
  const program = new Command().exitOverride();
  register(program, { write: (text) => void (out += text) });
  try {
    await program.parseAsync([...args, '--reports', dir], { from: 'user' });
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  }
}

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 's.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return error.message.split('\n');
  }
}

describe('upper bounds on every count', () => {
  it('refuses workload.apps: 100000000 with the position, the bound and why', async () => {
    const path = file('huge.yaml', 'name: huge\nworkload:\n  apps: 100000000\n');
    const { error } = await cli(registerValidateCommand, 'validate', path);
    expect(error?.message).toContain(`${path}:3:9: workload.apps: must be at most 20,000: `);
  });

  it.each([
    ['workload:\n  teams: 5000', 'workload.teams'],
    ['workload:\n  app: { replicas: 1000 }', 'workload.app.replicas'],
    ['workload:\n  app: { manifests: 500 }', 'workload.app.manifests'],
    ['workload:\n  history: { commits: 1000000 }', 'workload.history.commits'],
    ['workload:\n  helm: { releases: 100000 }', 'workload.helm.releases'],
    ['workload:\n  repoSizeBytes: 100Gi', 'workload.repoSizeBytes'],
    ['workload:\n  largeFiles: { count: 5, bytes: 4Gi }', 'workload.largeFiles.bytes'],
    ['workload:\n  flux: { shards: 1000 }', 'workload.flux.shards'],
    ['workload:\n  graph: { fanOut: 100000 }', 'workload.graph.fanOut'],
    ['provider: { nodes: 100000 }', 'provider.nodes'],
    ['controllers: { kustomize: { shards: 64 } }', 'controllers.kustomize.shards'],
    ['controllers: { source: { concurrent: 100000 } }', 'controllers.source.concurrent'],
    ['timeline:\n  - { at: 1s, action: churn.start, rate: 1, maxCommits: 10000000 }', 'timeline[0].maxCommits'],
    ['timeline:\n  - { at: 1s, action: churn.start, rate: 10000 }', 'timeline[0].rate'],
  ])('refuses %j at %s', (yaml, field) => {
    const problems = problemsOf(`name: s\n${yaml}\n`);
    expect(problems.some((p) => new RegExp(`^s\\.yaml:\\d+:\\d+: ${field.replace(/[.[\]]/g, '\\$&')}: must be at most`).test(p)), problems.join('\n')).toBe(true);
  });
});

describe('feasibility against the provider', () => {
  it('refuses a workload past etcd\'s quota, naming the field, the estimate and the limit', () => {
    const problems = problemsOf('name: s\nworkload:\n  apps: 20000\n  app: { manifests: 50, bytesPerManifest: 16Ki }\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^s\.yaml:4:\d+: workload\.app\.bytesPerManifest: [\d,]+ objects in etcd ≈ [\d.]+Gi \(estimate\) but provider local's etcd quota is 8Gi/);
  });

  it('measures the quota of the provider the scenario names (kind keeps etcd\'s 2 GiB)', () => {
    const text = 'name: s\nprovider: { type: kind }\nworkload:\n  apps: 4000\n  app: { manifests: 20, bytesPerManifest: 16Ki }\n';
    expect(problemsOf(text).join('\n')).toMatch(/provider kind's etcd quota is 2Gi/);
    expect(problemsOf(text.replace('type: kind', 'type: local'))).toEqual([]);
  });

  it('refuses more Services than the service range holds', () => {
    const scenario = parseScenario('name: s\nworkload: { apps: 10 }\n');
    const estimate = estimateScenario(scenario);
    expect(serviceRangeSize('10.96.0.0/16')).toBe(65_534);
    expect(serviceRangeSize('10.96.0.0/24')).toBe(254);
    const crowded = { ...estimate, workload: { ...estimate.workload, services: 70_000 } };
    expect(feasibilityFindings(scenario, crowded)).toEqual([
      expect.objectContaining({ severity: 'error', path: ['workload', 'apps'], message: expect.stringMatching(/70,000 Services .* 10\.96\.0\.0\/16 has 65,533 free/) }),
    ]);
  });

  it('warns near a limit and checks this machine\'s memory and disk only when given', () => {
    const scenario = parseScenario('name: s\nworkload: { apps: 50, repoSizeBytes: 2Gi }\n');
    const estimate = estimateScenario(scenario);
    expect(feasibilityFindings(scenario, estimate)).toEqual([]);
    const small = feasibilityFindings(scenario, estimate, { memoryBytes: 2 * GiB, diskFreeBytes: 2 * GiB });
    expect(small).toEqual([
      expect.objectContaining({ severity: 'error', path: ['workload', 'repoSizeBytes'], message: expect.stringMatching(/disk .* \(estimate\) but the free disk here is 2Gi/) }),
      expect.objectContaining({ severity: 'warning', path: ['workload', 'repoSizeBytes'], message: expect.stringMatching(/largest: source-controller.* but this machine's memory is 2Gi/) }),
    ]);
    const near = feasibilityFindings(scenario, estimate, { diskFreeBytes: estimate.disk.totalBytes * 1.2 });
    expect(near).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/83% of the free disk here/) })]);
  });

  it("counts large CRD schemas in kube-apiserver's memory, as measured, and blames workload.crdSchemaSize past this machine's", () => {
    const apiServer = (text: string) => estimateScenario(parseScenario(text)).memory.parts.find((p) => p.name === 'kube-apiserver')!.bytes;
    const minimal = apiServer('name: s\nworkload: { apps: 500, crds: 500 }\n');
    const large = apiServer('name: s\nworkload: { apps: 500, crds: 500, crdSchemaSize: 76Ki }\n');
    // Measured: 1,608 MiB → 5,197 MiB (+3,589 MiB) for these 500 schemas; the estimate's step is within a tenth of it.
    expect((large - minimal) / 2 ** 20).toBeGreaterThan(3_589 * 0.9);
    expect((large - minimal) / 2 ** 20).toBeLessThan(3_589 * 1.1);
    // 1,000 CRDs of 256 KiB are within the schema bounds, but not within 24 GiB.
    const scenario = parseScenario('name: s\nworkload: { apps: 10, crds: 1000, crdSchemaSize: 256Ki }\n');
    expect(feasibilityFindings(scenario, estimateScenario(scenario), { memoryBytes: 24 * GiB })).toEqual([
      expect.objectContaining({ severity: 'warning', path: ['workload', 'crdSchemaSize'], message: expect.stringMatching(/largest: kube-apiserver ≈ 2\d\.\d+Gi.* but this machine's memory is 24Gi/) }),
    ]);
  });

  it('lets every shipped scenario through on a 24 GiB machine with room to spare', () => {
    for (const name of readdirSync(scenariosDir).filter((f) => f.endsWith('.yaml') && f !== 'sizing.yaml')) {
      const scenario = loadScenario(join(scenariosDir, name));
      const estimate = estimateScenario(scenario);
      expect(feasibilityFindings(scenario, estimate, { memoryBytes: 24 * GiB, diskFreeBytes: 20 * GiB }), name).toEqual([]);
      expect(estimate.memory.totalBytes, name).toBeLessThan(4 * GiB);
    }
  });

  it('estimates manifest-bloat-500\'s etcd near what it measured (etcd.db_bytes.max 85,544,960)', () => {
    const estimate = estimateScenario(loadScenario(join(scenariosDir, 'manifest-bloat-500.yaml')));
    expect(estimate.etcdBytes / 85_544_960).toBeGreaterThan(0.5);
    expect(estimate.etcdBytes / 85_544_960).toBeLessThan(2);
  });
});

describe('fluxbench plan', () => {
  it('prints objects by kind, repos, etcd, memory, disk and the time bound', async () => {
    const path = file('plan.yaml', 'name: plan\ncontrollers: { helm: { enabled: true } }\nworkload: { apps: 12, teams: 3, layout: repo-per-team, helm: { releases: 2 } }\nduration: 2m\nsettle: { timeout: 1m }\n');
    const { out, error } = await cli(registerPlanCommand, 'plan', path);
    expect(error).toBeUndefined();
    expect(out).toMatch(/^plan for plan \(provider local\)/);
    expect(out).toMatch(/^ {2}Kustomization +13 +× ≈ /m);
    expect(out).toMatch(/^ {2}HelmRelease +2 +× ≈ /m);
    expect(out).toMatch(/^ {2}GitRepository +4 +× ≈ /m);
    expect(out).toMatch(/^repositories: 4, ≈ [\d.]+Ki/m);
    expect(out).toMatch(/^etcd: ≈ [\d.]+[KM]i of 8Gi quota/m);
    expect(out).toMatch(/^peak memory: ≈ [\d.]+[MG]i of [\d.]+Gi on this machine/m);
    expect(out).toMatch(/^ {2}helm-controller: /m);
    expect(out).toMatch(/^disk: ≈ /m);
    expect(out).toMatch(/^time bound: 18m \(settle up to 1m \+ measure 2m \+ 15m for provisioning/m);
  });

  it('prints JSON with --json and fails on a scenario that does not fit', async () => {
    const path = file('plan-json.yaml', 'name: pj\nworkload: { apps: 3 }\n');
    const { out } = await cli(registerPlanCommand, 'plan', path, '--json');
    const json = JSON.parse(out) as { workload: { objectCount: number }; timeBoundMs: number; findings: unknown[] };
    expect(json.workload.objectCount).toBeGreaterThan(10);
    expect(json.timeBoundMs).toBe(23 * 60_000);
    const bad = file('plan-bad.yaml', 'name: pb\nworkload: { apps: 20000, app: { manifests: 50, bytesPerManifest: 16Ki } }\n');
    const { error } = await cli(registerPlanCommand, 'plan', bad);
    expect(error?.message).toMatch(/plan-bad\.yaml:2:\d+: workload\.app\.bytesPerManifest: .*etcd quota is 8Gi/);
  });
});
