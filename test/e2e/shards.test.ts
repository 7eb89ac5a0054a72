import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../src/github/index.ts';
import type { Environment } from '../../src/providers/index.ts';
import { fluxStatus, kubectl, startTestEnvironment, waitFor, workingClone } from './helpers.ts';

/** `dependsOn` a Kustomization another instance handles: it must be read outside the shard's own cache. */
function kustomization(name: string, shard: string | undefined, dependsOn?: string): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
${shard ? `  labels: {sharding.fluxcd.io/key: ${shard}}\n` : ''}spec:
  interval: 1m
  path: ./${name}
  prune: true
  targetNamespace: default
  sourceRef: {kind: GitRepository, name: shared}
${dependsOn ? `  dependsOn: [{name: ${dependsOn}}]\n` : ''}`;
}

describe('kustomize-controller shards', () => {
  const toolchain = inject('toolchain');
  const runDir = mkdtempSync(join(tmpdir(), 'fb-e2e-shards-'));
  let github: StartedFakeGitHub;
  let env: Environment;

  beforeAll(async () => {
    github = await startFakeGitHub({ tokens: [{ name: 'pusher', token: 'shards-e2e-push-token' }] });
    await github.createRepo('fleet', 'shared');
    env = await startTestEnvironment(toolchain, {
      runDir,
      nodes: 1,
      sink: { write: () => {} },
      controllers: { source: {}, kustomize: { shards: 2, requeueDependency: '5s' }, helm: { enabled: false }, notification: { enabled: false } },
    });
  });

  afterAll(async () => {
    await env?.stop();
    await github?.stop();
  });

  // The dependencies cross shards (two on shard2 waits for one on shard1, one for main on the main
  // instance): a guard against the bug Flux 2.4 fixed, where a shard looked dependencies up in
  // its own label-filtered cache, did not find them, and waited forever.
  it('runs a main instance and one process per shard, each reconciling only its own objects, with dependsOn across shards', async () => {
    expect(env.flux.find('kustomize-controller').map((c) => c.id)).toEqual([
      'kustomize-controller',
      'kustomize-controller-shard1',
      'kustomize-controller-shard2',
    ]);
    const work = await workingClone(`http://x-access-token:shards-e2e-push-token@127.0.0.1:${github.port}/fleet/shared.git`);
    const files: Record<string, string> = {};
    for (const name of ['main', 'one', 'two']) {
      files[`${name}/kustomization.yaml`] = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n';
      files[`${name}/cm.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${name}}\ndata: {owner: ${name}}\n`;
    }
    const sha = await work.commit(files, 'three apps');
    const k = kubectl(toolchain, env.cluster.kubeconfigPath);
    await k(
      ['apply', '-f', '-'],
      [
        `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: shared, namespace: flux-system}\nspec:\n  interval: 5s\n  url: ${github.url}/fleet/shared.git\n  ref: {branch: main}\n`,
        kustomization('main', undefined),
        kustomization('one', 'shard1', 'main'),
        kustomization('two', 'shard2', 'one'),
      ].join('---\n'),
    );
    for (const name of ['main', 'one', 'two']) {
      await waitFor(
        `${name} to be applied`,
        async () => {
          const s = await fluxStatus(k, 'kustomization', 'flux-system', name);
          return s.ready?.status === 'True' && s.lastAppliedRevision === `main@sha1:${sha}` ? true : undefined;
        },
        120_000,
      );
    }
    const log = (id: string) => readFileSync(join(runDir, 'logs', `${id}.log`), 'utf8');
    const reconciled = (id: string) =>
      ['main', 'one', 'two'].filter((name) => log(id).includes(`"Kustomization":{"name":"${name}","namespace":"flux-system"}`));
    expect(reconciled('kustomize-controller')).toEqual(['main']);
    expect(reconciled('kustomize-controller-shard1')).toEqual(['one']);
    expect(reconciled('kustomize-controller-shard2')).toEqual(['two']);
  });
});
