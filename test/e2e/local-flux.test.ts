import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kwokWorkdir } from '../../src/providers/index.ts';
import { startFakeGitHub, type StartedFakeGitHub } from '../../src/github/index.ts';
import type { Sample } from '../../src/metrics/sample.ts';
import type { Environment } from '../../src/providers/index.ts';
import { fluxStatus, kubectl, startTestEnvironment, waitFor, workingClone } from './helpers.ts';

const token = 'fluxbench-e2e-token-0123456789';

function manifests(replicas: number, note: string): Record<string, string> {
  return {
    'deploy/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - deployment.yaml\n  - configmap.yaml\n',
    'deploy/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n',
    'deploy/configmap.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: web\ndata:\n  note: "${note}"\n`,
    'deploy/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.local/web:1
`,
  };
}

describe('real Flux on the real local cluster', () => {
  const toolchain = inject('toolchain');
  const runDir = mkdtempSync(join(tmpdir(), 'fb-e2e-run-'));
  const samples: Sample[] = [];
  let github: StartedFakeGitHub;
  let env: Environment;
  let k: ReturnType<typeof kubectl>;

  beforeAll(async () => {
    github = await startFakeGitHub({ anonymousRead: false, tokens: [{ name: 'flux', token }] });
    await github.createRepo('fleet', 'web', { private: true });
    env = await startTestEnvironment(toolchain, {
      runDir,
      nodes: 2,
      sink: { write: (s) => samples.push(s) },
      artifactProxy: true,
    });
    k = kubectl(toolchain, env.cluster.kubeconfigPath);
  });

  afterAll(async () => {
    await env?.stop();
    await github?.stop();
  });

  it('started the cluster offline from the cached binaries, with a private kubeconfig', () => {
    const log = readFileSync(join(runDir, 'cluster', 'kwokctl-create.log'), 'utf8');
    expect(log).toContain('Cluster is ready');
    expect(log).not.toMatch(/download|https?:\/\/(github\.com|dl\.k8s\.io|registry)/i);
    const clusterBin = join(kwokWorkdir(toolchain), 'clusters', env.cluster.name, 'bin', 'kube-apiserver');
    if (existsSync(clusterBin)) expect(statSync(clusterBin).size).toBe(statSync(toolchain.binaries['kube-apiserver']!).size);
    expect(statSync(env.cluster.kubeconfigPath).mode & 0o777).toBe(0o600);
    expect(env.flux.controllers.map((c) => c.id)).toEqual(['source-controller', 'kustomize-controller']);
    expect(samples.filter((s) => s.kind === 'process' && s.name === 'start')).toHaveLength(2);
  });

  it('applies a pushed commit with wait: true, then the next commit', async () => {
    const work = await workingClone(`http://x-access-token:${token}@127.0.0.1:${github.port}/fleet/web.git`);
    const first = await work.commit(manifests(2, 'first'), 'first');
    await k(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Secret
metadata: {name: fleet-auth, namespace: flux-system}
stringData: {username: x-access-token, password: ${token}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: web, namespace: flux-system}
spec:
  interval: 5s
  url: ${github.url}/fleet/web.git
  ref: {branch: main}
  secretRef: {name: fleet-auth}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: web, namespace: flux-system}
spec:
  interval: 1m
  retryInterval: 5s
  timeout: 2m
  path: ./deploy
  prune: true
  wait: true
  sourceRef: {kind: GitRepository, name: web}
`,
    );
    const appliedFirst = await waitFor(
      'the first commit to be applied and Ready',
      async () => {
        const s = await fluxStatus(k, 'kustomization', 'flux-system', 'web');
        return s.ready?.status === 'True' && s.lastAppliedRevision === `main@sha1:${first}` ? s : undefined;
      },
      180_000,
    );
    expect(appliedFirst.ready?.reason).toBe('ReconciliationSucceeded');
    // Artifacts are advertised through the throttle proxy, so the chaos timeline can slow them.
    const artifactUrl = await k(['get', 'gitrepository', '-n', 'flux-system', 'web', '-o', 'jsonpath={.status.artifact.url}']);
    expect(artifactUrl).toContain(`http://127.0.0.1:${env.flux.artifactProxy!.port}/`);
    const deployment = JSON.parse(await k(['get', 'deployment', '-n', 'web', 'web', '-o', 'json'])) as { status: { availableReplicas?: number } };
    expect(deployment.status.availableReplicas).toBe(2);

    const second = await work.commit(manifests(3, 'second'), 'second');
    expect(second).not.toBe(first);
    await waitFor(
      'the second commit to be applied and Ready',
      async () => {
        const s = await fluxStatus(k, 'kustomization', 'flux-system', 'web');
        return s.ready?.status === 'True' && s.lastAppliedRevision === `main@sha1:${second}` ? s : undefined;
      },
      180_000,
    );
    const note = await k(['get', 'configmap', '-n', 'web', 'web-config', '-o', 'jsonpath={.data.note}']);
    expect(note).toBe('second');
    const scaled = JSON.parse(await k(['get', 'deployment', '-n', 'web', 'web', '-o', 'json'])) as { status: { availableReplicas?: number } };
    expect(scaled.status.availableReplicas).toBe(3);
    // The private repo was fetched with the token, through the fake GitHub.
    expect(github.requests().some((r) => r.identity === 'flux' && r.category === 'git' && r.status === 200)).toBe(true);
  });
});
