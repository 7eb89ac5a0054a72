import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sample } from '../../src/metrics/sample.ts';
import { defineScenario } from '../../src/scenario/index.ts';
import { runScenario } from '../../src/run/index.ts';
import { readNdjson } from '../../src/util/ndjson.ts';
import { startFakeGitHub, type StartedFakeGitHub } from '../../src/github/index.ts';
import type { Environment } from '../../src/providers/index.ts';
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

  // The runner's own wiring of provider: github: key pair, App in the fake GitHub, Secret, API base URL.
  it('runs a scenario whose GitRepositories authenticate as the App installation', async () => {
    const scenario = defineScenario({
      name: 'app-run-e2e',
      github: { anonymousRead: false, app: { id: 4242, installations: [{ id: 77, repos: 2 }] } },
      workload: { layout: 'repo-per-team', teams: 1, apps: 1, seed: 5, flux: { provider: 'github', sourceInterval: '5s', interval: '1m' } },
      timeline: [{ at: '1s', action: 'churn.start', rate: 0.5, maxCommits: 2 }],
      duration: '15s',
      sampling: { interval: '2s' },
      settle: { timeout: '2m' },
      thresholds: ['objects.ready.last >= 4', 'lag.artifact.count > 0', 'github.status_403.count == 0'],
    });
    const result = await runScenario(scenario, { scenarioPath: '<defineScenario>', reportsDir: mkdtempSync(join(tmpdir(), 'fb-e2e-app-run-')), quiet: true, log: () => {} });
    expect(result.summary?.thresholds.map((t) => [t.expression, t.ok])).toEqual([
      ['objects.ready.last >= 4', true],
      ['lag.artifact.count > 0', true],
      ['github.status_403.count == 0', true],
    ]);
    expect(result.exitCode).toBe(0);
    // The clones went through as the installation, with the token the App JWT bought.
    const requests = readNdjson<Sample>(join(result.runDir, 'samples.ndjson')).filter((s) => s.kind === 'github' && s.name === 'request' && s.labels?.status === '200');
    expect(requests.some((s) => s.labels?.identity === 'installation:77' && s.labels?.route?.startsWith('git'))).toBe(true);
  });
});
