import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGitHub, type StartedFakeGitHub } from '../../src/github/index.ts';
import type { Environment } from '../../src/scenario/runner-env.ts';
import { fluxStatus, kubectl, startTestEnvironment, waitFor, workingClone } from './helpers.ts';

describe('source-controller with provider: github (a GitHub App) against the fake GitHub', () => {
  const toolchain = inject('toolchain');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let github: StartedFakeGitHub;
  let env: Environment;

  beforeAll(async () => {
    github = await startFakeGitHub({
      anonymousRead: false,
      tokens: [{ name: 'pusher', token: 'app-e2e-push-token' }],
      app: { id: 4242, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 77 }] },
    });
    await github.createRepo('fleet', 'private-app', { private: true });
    env = await startTestEnvironment(toolchain, {
      runDir: mkdtempSync(join(tmpdir(), 'fb-e2e-app-')),
      nodes: 1,
      sink: { write: () => {} },
    });
  });

  afterAll(async () => {
    await env?.stop();
    await github?.stop();
  });

  it('gets an installation token with a signed App JWT and clones the private repo with it', async () => {
    const work = await workingClone(`http://x-access-token:app-e2e-push-token@127.0.0.1:${github.port}/fleet/private-app.git`);
    const sha = await work.commit({ 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata: {a: b}\n' }, 'app');
    const k = kubectl(toolchain, env.cluster.kubeconfigPath);
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await k(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'github-app', namespace: 'flux-system' },
            stringData: { githubAppID: '4242', githubAppInstallationID: '77', githubAppPrivateKey: pem, githubAppBaseURL: `${github.url}/api/v3` },
          },
          {
            apiVersion: 'source.toolkit.fluxcd.io/v1',
            kind: 'GitRepository',
            metadata: { name: 'private-app', namespace: 'flux-system' },
            spec: { interval: '1m', provider: 'github', url: `${github.url}/fleet/private-app.git`, ref: { branch: 'main' }, secretRef: { name: 'github-app' } },
          },
        ],
      }),
    );
    await waitFor(
      'the GitRepository to fetch the commit with the App token',
      async () => {
        const s = await fluxStatus(k, 'gitrepository', 'flux-system', 'private-app');
        return s.ready?.status === 'True' && s.artifactRevision === `main@sha1:${sha}` ? s : undefined;
      },
      120_000,
    );
    const requests = github.requests();
    const tokenCall = requests.find((r) => r.route.includes('access_token') || r.route.includes('installation'));
    expect(tokenCall, `no installation-token request among ${[...new Set(requests.map((r) => r.route))].join(', ')}`).toBeDefined();
    expect(tokenCall!.status).toBe(201);
    expect(requests.some((r) => r.category === 'git' && r.identity === 'installation:77' && r.status === 200)).toBe(true);
  });
});
