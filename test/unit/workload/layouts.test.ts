import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { generateWorkload } from '../../../src/workload/index.ts';
import { checkout, findKubectl, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('layouts', () => {
  it('monorepo: one repo holds every app under apps/<team>/<app>', async () => {
    const storageRoot = tempDir('layout-mono');
    dirs.push(storageRoot);
    const workload = await generateWorkload({ apps: 5, teams: 2, layout: 'monorepo', flux: { targetNamespace: false, wait: true } }, { storageRoot, gitBaseUrl: 'http://127.0.0.1:1' });
    expect(workload.repos.map((r) => r.name)).toEqual(['fleet']);
    expect(workload.apps.map((a) => a.dir)).toEqual(['apps/team-1/app-001', 'apps/team-2/app-002', 'apps/team-1/app-003', 'apps/team-2/app-004', 'apps/team-1/app-005']);
    const co = checkout(workload.repos[0]!.path, join(storageRoot, 'co'));
    const team = parseAllDocuments(readFileSync(join(co, 'clusters/dev/kustomizations/team-1.yaml'), 'utf8')).map((d) => d.toJS());
    for (const k of team) {
      expect(k.spec.targetNamespace).toBeUndefined();
      expect(k.spec.wait).toBe(true);
      expect(existsSync(join(co, k.spec.path, 'kustomization.yaml'))).toBe(true);
    }
    expect(existsSync(join(co, 'clusters/dev/sources.yaml'))).toBe(false);
    expect(workload.pages).toBeUndefined();
  });

  it('repo-per-team with charts from git: apps in team repos, the chart in the fleet repo', async () => {
    const storageRoot = tempDir('layout-teams');
    const progress: string[] = [];
    dirs.push(storageRoot);
    const workload = await generateWorkload(
      { apps: 4, teams: 2, layout: 'repo-per-team', history: { commits: 3 }, helm: { releases: 2, source: 'git-repository' }, flux: { provider: 'github', ignore: '/*\n!/apps/\n' } },
      {
        storageRoot,
        gitBaseUrl: 'http://127.0.0.1:1',
        gitSecretData: { githubAppID: '1', githubAppInstallationID: '2', githubAppPrivateKey: 'k' },
        onRepo: (repo, done, total) => progress.push(`${done}/${total} ${repo.name}`),
      },
    );
    expect(progress.map((p) => p.split(' ')[0])).toEqual(['1/3', '2/3', '3/3']);
    expect(progress.map((p) => p.split(' ')[1]).sort()).toEqual(['fleet', 'team-1', 'team-2']);
    expect(workload.repos.map((r) => r.name)).toEqual(['fleet', 'team-1', 'team-2']);
    expect(workload.apps.every((a) => a.dir.startsWith('apps/app-'))).toBe(true);
    expect(workload.pages).toBeUndefined();
    const co = checkout(workload.repos[0]!.path, join(storageRoot, 'co'));
    const chart = parseYaml(readFileSync(join(co, 'charts/fluxbench-app/Chart.yaml'), 'utf8'));
    expect(chart.name).toBe('fluxbench-app');
    const releases = parseAllDocuments(readFileSync(join(co, 'clusters/dev/helmreleases.yaml'), 'utf8')).map((d) => d.toJS());
    expect(releases.map((r) => r.spec.chart.spec)).toEqual([
      { chart: './charts/fluxbench-app', sourceRef: { kind: 'GitRepository', name: 'fleet' }, interval: '1m' },
      { chart: './charts/fluxbench-app', sourceRef: { kind: 'GitRepository', name: 'fleet' }, interval: '1m' },
    ]);
    const sources = parseAllDocuments(readFileSync(join(co, 'clusters/dev/sources.yaml'), 'utf8')).map((d) => d.toJS());
    for (const s of sources) expect(s.spec).toMatchObject({ provider: 'github', secretRef: { name: 'fluxbench-git-auth' }, ignore: '/*\n!/apps/\n' });
    const secret = workload.rootObjects.find((o) => o.kind === 'Secret') as unknown as { stringData: Record<string, string> };
    expect(secret.stringData.githubAppID).toBe('1');
    const teamCo = checkout(workload.repos[1]!.path, join(storageRoot, 'co-team'));
    const kubectl = findKubectl();
    expect(kubectl, 'kubectl with kustomize is required').toBeDefined();
    for (const app of workload.apps.filter((a) => a.repo === 'fluxbench/team-1')) {
      const out = execFileSync(kubectl!, ['kustomize', join(teamCo, app.dir)], { encoding: 'utf8' });
      expect(out).toContain(`name: ${app.name}`);
    }
  });
});
