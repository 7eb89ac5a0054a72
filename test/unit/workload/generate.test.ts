import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { generateWorkload, loadGeneratedWorkload, type GeneratedWorkload, type GeneratorOptionsInput } from '../../../src/workload/index.ts';
import { checkout, findKubectl, git, listFiles, tempDir } from './helpers.ts';

const gitBaseUrl = 'http://127.0.0.1:18080';
const options: GeneratorOptionsInput = {
  seed: 11,
  apps: 14,
  teams: 4,
  layout: 'both',
  app: { manifests: 5, bytesPerManifest: '2Ki', hpa: true, ingress: true },
  history: { commits: 25, appsPerCommit: 2 },
  largeFiles: { count: 1, bytes: '200Ki' },
  ignoredFiles: { count: 2, bytes: '8Ki' },
  helm: { releases: 2 },
  flux: { auth: 'basic', shards: 2, healthChecks: true },
  graph: { shape: 'chain', depth: 3, faults: { twoCycles: 1, kustomizationHelmCycle: true, missingDependency: 1, brokenRoots: 1, brokenChainLength: 1 } },
};

const dirs: string[] = [];
let workload: GeneratedWorkload;
let checkouts: Map<string, string>;

beforeAll(async () => {
  const storageRoot = tempDir('generate');
  dirs.push(storageRoot);
  workload = await generateWorkload(options, { storageRoot, gitBaseUrl, token: 'secret-token' });
  const base = tempDir('generate-co');
  dirs.push(base);
  checkouts = new Map(workload.repos.map((r) => [r.fullName, checkout(r.path, join(base, r.name))]));
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('generateWorkload', () => {
  it('writes one bare repo per layout slot with the requested history on main', () => {
    // both: teams 1 and 3 (even indexes) get their own repo, teams 2 and 4 live in the fleet repo
    expect(workload.repos.map((r) => r.fullName)).toEqual(['fluxbench/fleet', 'fluxbench/team-1', 'fluxbench/team-3']);
    for (const repo of workload.repos) {
      expect(repo.path).toBe(join(workload.storageRoot, 'fluxbench', `${repo.name}.git`));
      expect(git(['rev-parse', 'refs/heads/main'], repo.path).trim()).toBe(repo.headSha);
      expect(git(['symbolic-ref', 'HEAD'], repo.path).trim()).toBe('refs/heads/main');
      expect(Number(git(['rev-list', '--count', 'main'], repo.path))).toBe(25);
      expect(repo.bytes).toBeGreaterThan(200 * 1024);
      git(['fsck', '--no-progress'], repo.path);
    }
  });

  it('is deterministic per seed: same seed, same SHAs; another seed, other SHAs', async () => {
    const again = await generateWorkload(options, { storageRoot: tempDir('generate-again'), gitBaseUrl, token: 'secret-token' });
    dirs.push(again.storageRoot);
    expect(again.repos.map((r) => r.headSha)).toEqual(workload.repos.map((r) => r.headSha));
    const other = await generateWorkload({ ...options, seed: 12 }, { storageRoot: tempDir('generate-other'), gitBaseUrl });
    dirs.push(other.storageRoot);
    expect(other.repos[0]!.headSha).not.toBe(workload.repos[0]!.headSha);
    const author = git(['log', '-1', '--format=%an <%ae> %at', 'main'], workload.repos[0]!.path).trim();
    expect(author).toMatch(/^fluxbench-generator <generator\+seed11@fluxbench\.local> \d+$/);
  });

  it('builds every Kustomization directory with kubectl kustomize', () => {
    const kubectl = findKubectl();
    expect(kubectl, 'kubectl with kustomize is required: set FLUXBENCH_KUBECTL or put kubectl on PATH').toBeDefined();
    let built = 0;
    for (const ref of workload.fluxObjects.filter((o) => o.kind === 'Kustomization')) {
      const dir = join(checkouts.get(ref.sourceRepo!)!, ref.path!);
      const output = execFileSync(kubectl!, ['kustomize', dir], { encoding: 'utf8' });
      expect(parseAllDocuments(output).every((d) => d.errors.length === 0)).toBe(true);
      built += 1;
    }
    expect(built).toBe(workload.apps.length + 1);
  });

  it('writes only YAML that parses, and app dirs with the configured manifests', () => {
    for (const [, dir] of checkouts) {
      for (const file of listFiles(dir).filter((f) => f.endsWith('.yaml'))) {
        const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
        for (const doc of docs) expect(doc.errors, file).toEqual([]);
      }
    }
    const app = workload.apps.find((a) => a.variant === 'app')!;
    const appDir = join(checkouts.get(app.repo)!, app.dir);
    expect(listFiles(appDir)).toEqual(
      ['churn.yaml', 'configmap-extra-1.yaml', 'configmap-extra-2.yaml', 'configmap.yaml', 'deployment.yaml', 'hpa.yaml', 'ingress.yaml', 'kustomization.yaml', 'service.yaml'],
    );
    const deployment = parseYaml(readFileSync(join(appDir, 'deployment.yaml'), 'utf8'));
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.local/app:1');
    const config = parseYaml(readFileSync(join(appDir, 'configmap.yaml'), 'utf8'));
    expect(config.data.payload).toHaveLength(2048);
  });

  it('adds large binaries, ignored files and a .sourceignore that skips them', () => {
    const fleet = checkouts.get('fluxbench/fleet')!;
    expect(readFileSync(join(fleet, 'assets/large-1.bin')).length).toBe(200 * 1024);
    expect(readFileSync(join(fleet, 'ignored/file-2.dat')).length).toBe(8 * 1024);
    expect(readFileSync(join(fleet, '.sourceignore'), 'utf8')).toMatch(/^\/ignored\/$/m);
  });

  it('puts every Flux object in the fleet cluster dir with sharding, auth and dependsOn', () => {
    const fleet = checkouts.get('fluxbench/fleet')!;
    const kubectl = findKubectl()!;
    const rendered = parseAllDocuments(execFileSync(kubectl, ['kustomize', join(fleet, 'clusters/dev')], { encoding: 'utf8' })).map((d) => d.toJS());
    const kustomizations = rendered.filter((o) => o.kind === 'Kustomization');
    expect(kustomizations).toHaveLength(workload.apps.length);
    for (const k of kustomizations) expect(k.metadata.labels['sharding.fluxcd.io/key']).toMatch(/^shard[12]$/);
    const sources = rendered.filter((o) => o.kind === 'GitRepository');
    expect(sources.map((s) => s.spec.url).sort()).toEqual([`${gitBaseUrl}/fluxbench/team-1.git`, `${gitBaseUrl}/fluxbench/team-3.git`]);
    for (const s of sources) expect(s.spec.secretRef).toEqual({ name: 'fluxbench-git-auth' });
    expect(rendered.filter((o) => o.kind === 'HelmRelease')).toHaveLength(2);
    expect(rendered.find((o) => o.kind === 'HelmRepository').spec.url).toBe(`${gitBaseUrl}/pages/fluxbench/charts/`);
    expect(rendered.filter((o) => o.kind === 'Namespace').map((n) => n.metadata.name)).toEqual(['team-1', 'team-2', 'team-3', 'team-4']);
    // dependsOn in the objects matches the graph truth
    const byName = new Map(kustomizations.map((k) => [k.metadata.name, k]));
    expect(workload.graph.nodes[0]!.id).toBe('Kustomization/flux-system/fleet');
    for (const node of workload.graph.nodes.filter((n) => n.kind === 'Kustomization' && n.name !== 'fleet')) {
      const deps = (byName.get(node.name).spec.dependsOn ?? []).map((d: { name: string; namespace: string }) => `Kustomization/${d.namespace}/${d.name}`);
      expect(deps).toEqual(node.dependsOn.filter((d) => d.startsWith('Kustomization/')));
    }
    const broken = byName.get(workload.graph.brokenRoots[0]!.id.split('/')[2]);
    expect(broken.spec.wait).toBe(true);
  });

  it('returns root objects that bootstrap the fleet', () => {
    expect(workload.rootObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/flux-system', 'Secret/fluxbench-git-auth', 'GitRepository/fleet', 'Kustomization/fleet']);
    const secret = workload.rootObjects[1] as unknown as { stringData: Record<string, string> };
    expect(secret.stringData).toEqual({ username: 'git', password: 'secret-token' });
    const root = workload.rootObjects[3] as unknown as { spec: { path: string } };
    expect(root.spec.path).toBe('./clusters/dev');
    expect(parseAllDocuments(readFileSync(join(workload.storageRoot, 'root.yaml'), 'utf8')).map((d) => d.toJS())).toEqual(workload.rootObjects);
  });

  it('pins the fleet GitRepository to the generated head commit with fleetRef: commit (a full-history clone in source-controller)', async () => {
    const branch = workload.rootObjects[2] as unknown as { spec: { ref: Record<string, string> } };
    expect(branch.spec.ref).toEqual({ branch: 'main' });
    const pinned = await generateWorkload(
      { layout: 'monorepo', teams: 1, apps: 2, seed: 4, flux: { fleetRef: 'commit' } },
      { storageRoot: tempDir('generate-pinned'), gitBaseUrl },
    );
    const fleet = pinned.repos.find((r) => r.fullName.endsWith('/fleet'))!;
    const root = pinned.rootObjects.find((o) => o.kind === 'GitRepository') as unknown as { spec: { ref: Record<string, string> } };
    expect(root.spec.ref).toEqual({ branch: 'main', commit: fleet.headSha });
    expect((await git(['--git-dir', fleet.path, 'rev-parse', 'main'])).trim()).toBe(fleet.headSha);
  });

  it('publishes a Helm repository with a real chart archive', () => {
    const dir = workload.pages!.dir;
    expect(dir).toBe(join(workload.storageRoot, 'pages', 'fluxbench', 'charts'));
    const index = parseYaml(readFileSync(join(dir, 'index.yaml'), 'utf8'));
    const entry = index.entries['fluxbench-app'][0];
    const tgz = readFileSync(join(dir, entry.urls[0]));
    expect(createHash('sha256').update(tgz).digest('hex')).toBe(entry.digest);
    const listing = execFileSync('tar', ['-tzf', join(dir, entry.urls[0])], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual([
      'fluxbench-app/Chart.yaml',
      'fluxbench-app/templates/configmap.yaml',
      'fluxbench-app/templates/deployment.yaml',
      'fluxbench-app/templates/failure-hook.yaml',
      'fluxbench-app/templates/failure-invalid.yaml',
      'fluxbench-app/templates/ingress.yaml',
      'fluxbench-app/templates/service.yaml',
      'fluxbench-app/templates/serviceaccount.yaml',
      'fluxbench-app/values.yaml',
    ]);
    const chart = parseYaml(execFileSync('tar', ['-xzOf', join(dir, entry.urls[0]), 'fluxbench-app/Chart.yaml'], { encoding: 'utf8' }));
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'fluxbench-app', version: entry.version });
  });

  it('writes graph.json and workload.json that load back', () => {
    const loaded = loadGeneratedWorkload(workload.storageRoot);
    expect(loaded.repos).toEqual(workload.repos);
    expect(loaded.graph).toEqual(workload.graph);
    expect(existsSync(workload.graphPath)).toBe(true);
  });

  it('refuses to overwrite existing repos unless asked', async () => {
    await expect(generateWorkload(options, { storageRoot: workload.storageRoot, gitBaseUrl })).rejects.toThrow(UsageError);
    await expect(generateWorkload(options, { storageRoot: workload.storageRoot, gitBaseUrl: 'ftp://x' })).rejects.toThrow(/must be an http/);
  });
});

describe('repo size target', () => {
  it('pads history with incompressible data up to the target and keeps HEAD small', async () => {
    const storageRoot = tempDir('generate-size');
    dirs.push(storageRoot);
    const target = 6 * 1024 * 1024;
    const sized = await generateWorkload({ apps: 5, history: { commits: 40 }, repoSizeBytes: target }, { storageRoot, gitBaseUrl });
    const repo = sized.repos[0]!;
    expect(repo.bytes).toBeGreaterThan(target * 0.9);
    expect(repo.bytes).toBeLessThan(target * 1.1);
    const headBytes = Number(git(['ls-tree', '-r', '-l', 'main'], repo.path).split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.split(/\s+/)[3]), 0));
    expect(headBytes).toBeLessThan(target / 3);
  });
});
