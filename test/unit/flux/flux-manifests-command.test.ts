import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerFluxManifestsCommand } from '../../../src/cli/flux-manifests-command.ts';
import type { EnsureToolchainOptions, Toolchain } from '../../../src/toolchain/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { fluxRelease295 } from '../../support/flux-release.ts';

// A toolchain as the cache describes it, with its CRD folder on disk: rendering needs no binaries.
const dir = mkdtempSync(join(tmpdir(), 'fb-flux-manifests-'));
writeFileSync(join(dir, 'gitrepositories.yaml'), 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gitrepositories.source.toolkit.fluxcd.io}\n');
const toolchain: Toolchain = {
  cacheRoot: dir,
  versions: { flux: '2.9.5', kubernetes: 'v1.34.4', etcd: 'v3.6.16', kwok: 'v0.8.0' } as Toolchain['versions'],
  flux: fluxRelease295,
  binaries: {},
  crdDir: dir,
  rbacDir: dir,
  notes: [],
  pinned: {},
};

async function run(args: string[]): Promise<EnsureToolchainOptions[]> {
  const asked: EnsureToolchainOptions[] = [];
  const program = new Command().exitOverride();
  registerFluxManifestsCommand(program, {
    ensureToolchain: async (options) => {
      asked.push(options);
      return toolchain;
    },
  });
  await program.parseAsync(['node', 'fluxbench', 'flux-manifests', ...args]);
  return asked;
}

describe('fluxbench flux-manifests', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the scenario's controllers and shards to a file", async () => {
    const out = join(dir, 'install.yaml');
    const asked = await run(['scenarios/sharding.yaml', '--output', out, '--namespace', 'flux-bench']);
    expect(asked[0]!.controllers).toEqual(['source-controller', 'kustomize-controller']);
    expect(asked[0]!.controllerBinaries).toBe(false);
    const objects = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    expect(objects[0]).toMatchObject({ kind: 'CustomResourceDefinition' });
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual([
      'source-controller',
      'kustomize-controller',
      'kustomize-controller-shard1',
      'kustomize-controller-shard2',
      'kustomize-controller-shard3',
      'kustomize-controller-shard4',
    ]);
    expect(objects.find((o) => o.kind === 'Deployment')!.metadata.namespace).toBe('flux-bench');
  });

  it('refuses inconsistent flags with a usage error', async () => {
    await expect(run(['scenarios/smoke.yaml', '--apply'])).rejects.toThrow(/--apply needs --kubeconfig/);
    await expect(run(['scenarios/smoke.yaml', '--dry-run'])).rejects.toThrow(UsageError);
    await expect(run(['scenarios/smoke.yaml', '--timeout', 'soon'])).rejects.toThrow(/--timeout "soon"/);
    await expect(run(['scenarios/no-such.yaml'])).rejects.toThrow(/no-such\.yaml/);
  });
});
