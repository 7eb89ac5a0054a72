/**
 * The OCI source kind without a cluster: the real registry (behind fluxbench's gateway) and the
 * fake GitHub started by it, the workload generated and published with the real flux and helm
 * CLIs, and a churn commit announced: only the artifacts it changed are pushed, `latest` moves to
 * their new digests, and the lag pushes carry those digests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFakeGitHubOptions } from '../../../src/github/index.ts';
import type { Sample, SampleSink } from '../../../src/metrics/sample.ts';
import { ociSource, sourceKind, type StartedSourceHost } from '../../../src/sources/index.ts';
import { commitChange, churnTarget, parseGeneratorOptions, type GeneratedWorkload } from '../../../src/workload/index.ts';
import { pushBinaries, toolchainTimeoutMs } from '../oci/helpers.ts';
import { removeDir, tempDir } from '../registry/helpers.ts';

const manifestType = 'application/vnd.oci.image.manifest.v1+json';

describe('source kind oci', () => {
  const samples: Sample[] = [];
  const sink: SampleSink = { write: (s) => void samples.push(s) };
  let dir: string;
  let host: StartedSourceHost;
  let workload: GeneratedWorkload;

  const manifest = async (repository: string, reference: string) => {
    const registry = host.targets.registry!;
    const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
      headers: { accept: manifestType, authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` },
    });
    return { status: response.status, digest: response.headers.get('docker-content-digest'), body: (await response.json()) as { annotations?: Record<string, string> } };
  };

  beforeAll(async () => {
    const binaries = await pushBinaries();
    dir = await tempDir('fb-oci-source-');
    expect(sourceKind('oci')).toBe(ociSource);
    host = await ociSource.start({
      host: parseFakeGitHubOptions({}),
      workload: parseGeneratorOptions({ source: 'oci', apps: 3, teams: 2, flux: { auth: 'basic' }, helm: { releases: 1, source: 'oci-repository' } }),
      storageRoot: dir,
      sink,
      binaries,
    });
    workload = await host.generate(host.url);
  }, toolchainTimeoutMs);

  afterAll(async () => {
    await host?.stop();
    await removeDir(dir);
  });

  it('serves from the registry gateway and publishes every artifact and the chart at generate', async () => {
    const registry = host.targets.registry!;
    expect(host.url).toBe(registry.url);
    expect(host.targets.github).toBeDefined();
    expect(workload.oci?.baseUrl).toBe(`oci://${registry.host}`);
    const fleet = workload.repos.find((r) => r.name === 'fleet')!;
    for (const artifact of workload.oci!.artifacts) {
      const latest = await manifest(artifact.repository, 'latest');
      expect(latest.status, artifact.repository).toBe(200);
      expect(latest.body.annotations?.['org.opencontainers.image.revision']).toBe(`main@sha1:${fleet.headSha}`);
      expect(latest.body.annotations?.['org.opencontainers.image.source']).toBe(fleet.url);
      const pinned = await manifest(artifact.repository, fleet.headSha.slice(0, 7));
      expect(pinned.digest).toBe(latest.digest);
    }
    expect((await manifest('fluxbench/charts/fluxbench-app', '0.1.0')).status).toBe(200);
    // The pull Secret is in the objects to apply, not on disk.
    expect(workload.rootObjects.map((o) => o.kind)).toEqual(['Namespace', 'Secret', 'OCIRepository', 'Kustomization']);
    expect(readFileSync(join(dir, 'git', 'root.yaml'), 'utf8')).not.toContain(registry.password);
  });

  it('publishes a commit as the artifacts it changed, moving latest and returning their digests', async () => {
    const { repo, apps } = churnTarget(workload, 'fluxbench/fleet');
    const event = await commitChange({ repo, apps: apps.filter((a) => a.name === 'app-002') });
    const pushes = await host.announce(event);
    expect(pushes.map((p) => ({ repo: p.repo, sha: p.sha }))).toEqual([{ repo: 'fluxbench/apps/app-002', sha: event.sha }]);
    const latest = await manifest('fluxbench/apps/app-002', 'latest');
    expect(latest.digest).toBe(pushes[0]!.digest);
    expect(latest.body.annotations?.['org.opencontainers.image.revision']).toBe(`main@sha1:${event.sha}`);
    expect(pushes[0]!.pushedAt).toBeGreaterThanOrEqual(event.pushedAt);
    // app-001 still carries the generated head.
    const other = await manifest('fluxbench/apps/app-001', 'latest');
    expect(other.body.annotations?.['org.opencontainers.image.revision']).not.toBe(`main@sha1:${event.sha}`);
    // A commit outside every artifact's directory publishes nothing.
    const untouched = await commitChange({ repo, apps: [], files: { 'docs/README.md': 'notes\n' } });
    expect(await host.announce(untouched)).toEqual([]);
  });

  it('keeps the registry password out of its samples', () => {
    const registry = host.targets.registry!;
    expect(samples.length).toBeGreaterThan(0);
    expect(JSON.stringify(samples)).not.toContain(registry.password);
  });
});
