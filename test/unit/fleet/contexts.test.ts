import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextKubeconfigPath, contextSpoke, singleContextKubeconfig, startSpokes, type SpokeClusterStarter } from '../../../src/fleet/index.ts';
import type { Toolchain } from '../../../src/toolchain/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

/** A kubeconfig of two clusters, as kind or a cloud CLI leaves it: file references, several contexts. */
const kubeconfigText = (dir: string) => `apiVersion: v1
kind: Config
current-context: other
clusters:
  - name: edge
    cluster: { server: 'https://127.0.0.1:6443', certificate-authority: ca.crt }
  - name: other
    cluster: { server: 'https://10.0.0.1:6443' }
users:
  - name: edge-admin
    user: { client-certificate: ${join(dir, 'admin.crt')}, client-key: admin.key }
  - name: cloud
    user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: cloud-cli } }
contexts:
  - name: kind-edge
    context: { cluster: edge, user: edge-admin }
  - name: other
    context: { cluster: other, user: cloud }
`;

describe('existing clusters as spokes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fb-fleet-contexts-'));
    await writeFile(join(dir, 'ca.crt'), 'the CA');
    await writeFile(join(dir, 'admin.crt'), 'the cert');
    await writeFile(join(dir, 'admin.key'), 'the key');
    await writeFile(join(dir, 'config'), kubeconfigText(dir));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the kubeconfig given, else $KUBECONFIG’s first file, else ~/.kube/config, with ~ expanded', () => {
    expect(contextKubeconfigPath('~/k.yaml', {}, '/home/u')).toBe('/home/u/k.yaml');
    expect(contextKubeconfigPath(undefined, { KUBECONFIG: '/a/one:/a/two' }, '/home/u')).toBe('/a/one');
    expect(contextKubeconfigPath(undefined, {}, '/home/u')).toBe('/home/u/.kube/config');
  });

  it('keeps the one context with its cluster and user, made current, and drops the rest of the file', () => {
    const one = parse(singleContextKubeconfig(kubeconfigText(dir), 'kind-edge', { file: 'config', field: 'fleet.contexts[0].context' })) as Record<string, unknown[]>;
    expect(one['current-context']).toBe('kind-edge');
    expect(one.clusters!.map((c) => (c as { name: string }).name)).toEqual(['edge']);
    expect(one.users!.map((u) => (u as { name: string }).name)).toEqual(['edge-admin']);
    expect(one.contexts).toHaveLength(1);
  });

  it('refuses a missing context, naming the field and the contexts the file has, and a user Flux cannot use from a Secret', () => {
    const where = { file: '/k/config', field: 'fleet.contexts[1].context' };
    expect(() => singleContextKubeconfig(kubeconfigText(dir), 'kind-nope', where)).toThrow(new UsageError('fleet.contexts[1].context: no context "kind-nope" in /k/config (contexts: kind-edge, other)'));
    expect(() => singleContextKubeconfig(kubeconfigText(dir), 'other', where)).toThrow(/fleet\.contexts\[1\]\.context: context "other" of \/k\/config authenticates with an exec credential plugin, .*--insecure-kubeconfig-exec/);
    const noUser = kubeconfigText(dir).replace('user: edge-admin }', 'user: gone }');
    expect(() => singleContextKubeconfig(noUser, 'kind-edge', where)).toThrow('fleet.contexts[1].context: context "kind-edge" of /k/config names user "gone", which the file does not have');
    // A file that is not YAML: the position, never the line (it may hold a token).
    let error: Error | undefined;
    try {
      singleContextKubeconfig('users:\n  - name: u\n    user: { token: s3cr3t-token\n', 'x', where);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toMatch(/^fleet\.contexts\[1\]\.context: \/k\/config is not valid YAML \(line \d+\)$/);
    expect(error!.message).not.toContain('s3cr3t');
  });

  it('makes a spoke with the context’s files inlined, that fluxbench never stops, pauses or deletes', async () => {
    const spoke = await contextSpoke({ name: 'edge-1', context: 'kind-edge', kubeconfig: join(dir, 'config') }, 'fleet.contexts[0]');
    expect(spoke).toMatchObject({ name: 'edge-1', origin: 'context', apiServerUrl: 'https://127.0.0.1:6443', present: true });
    const inlined = parse(spoke.kubeconfig) as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: Record<string, string> }> };
    // Relative paths resolve against the kubeconfig's folder, as kubectl resolves them.
    expect(Buffer.from(inlined.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString()).toBe('the CA');
    expect(Buffer.from(inlined.users[0]!.user['client-key-data']!, 'base64').toString()).toBe('the key');
    expect(spoke.kubeconfig).not.toMatch(/certificate-authority:|client-key:|10\.0\.0\.1|cloud-cli/);
    expect(await spoke.componentPids()).toEqual({});
    for (const act of [spoke.stopApiServer, spoke.pause, spoke.delete, spoke.recreate]) await expect(act()).rejects.toThrow('spoke edge-1 is an existing cluster (fleet.contexts): fluxbench does not stop, pause or delete it');
    await spoke.stop();
    await expect(contextSpoke({ name: 'e', context: 'kind-edge', kubeconfig: join(dir, 'nope') }, 'fleet.contexts[2]')).rejects.toThrow(/^fleet\.contexts\[2\]\.kubeconfig: cannot read .*nope: ENOENT$/);
    // A certificate file the context names that is gone: the entry is named.
    await rm(join(dir, 'admin.key'));
    await expect(contextSpoke({ name: 'e', context: 'kind-edge', kubeconfig: join(dir, 'config') }, 'fleet.contexts[3]')).rejects.toThrow(
      /^fleet\.contexts\[3\]\.context: context "kind-edge" of .*config: kubeconfig: cannot read .*admin\.key: ENOENT$/,
    );
  });

  it('joins the fleet after the local spokes, and a bad context stops the run before any local spoke starts', async () => {
    const started: string[] = [];
    const toolchain = { cacheRoot: join(dir, 'cache'), binaries: {} } as unknown as Toolchain;
    const base = { toolchain, runId: 'fb-1', runDir: join(dir, 'run'), names: [] as string[], registry: { addKwokCluster: () => undefined } };
    const fleet = await startSpokes({ ...base, contexts: [{ name: 'edge-1', context: 'kind-edge', kubeconfig: join(dir, 'config') }] }, async (_t, o) => {
      started.push(o.name);
      throw new Error('not started in this test');
    });
    expect(fleet.spokes.map((s) => [s.name, s.origin])).toEqual([['edge-1', 'context']]);
    // With local spokes: the local ones first, in order, then the contexts.
    const local: SpokeClusterStarter = async (_t, o) => {
      await writeFile(join(dir, `${o.name}.kubeconfig`), `clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1${started.length}'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n`);
      started.push(o.name);
      return { provider: 'local', name: o.name, kubeconfigPath: join(dir, `${o.name}.kubeconfig`), apiServerUrl: '', componentPids: async () => ({}), stop: async () => undefined };
    };
    const mixed = await startSpokes({ ...base, names: ['spoke-01', 'spoke-02'], contexts: [{ name: 'edge-1', context: 'kind-edge', kubeconfig: join(dir, 'config') }] }, local);
    expect(mixed.spokes.map((s) => [s.name, s.origin])).toEqual([
      ['spoke-01', 'local'],
      ['spoke-02', 'local'],
      ['edge-1', 'context'],
    ]);
    // A context named like a local spoke is refused before anything starts.
    started.length = 0;
    await expect(startSpokes({ ...base, names: ['spoke-01'], contexts: [{ name: 'spoke-01', context: 'kind-edge', kubeconfig: join(dir, 'config') }] }, local)).rejects.toThrow('spoke name "spoke-01" is given twice');
    expect(started).toEqual([]);
    await expect(startSpokes({ ...base, names: ['spoke-01'], contexts: [{ name: 'edge-1', context: 'kind-nope', kubeconfig: join(dir, 'config') }] }, local)).rejects.toThrow(UsageError);
    expect(started).toEqual([]);
  });
});
