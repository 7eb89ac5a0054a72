import { createSign, createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../../src/scenario/index.ts';
import { githubAppAuth } from '../../../src/sources/git/app-auth.ts';

describe('GitHub App auth for provider: github', () => {
  const scenario = defineScenario({
    name: 'app',
    github: { app: { id: 4242, installations: [{ id: 77, repos: 61 }, { id: 78 }] } },
    workload: { apps: 2, flux: { provider: 'github' } },
  });

  it('makes a key pair per run: the Secret signs what the fake GitHub verifies', () => {
    const auth = githubAppAuth(scenario)!;
    const data = auth.secretData('http://172.18.0.1:38211/');
    expect(Object.keys(data).sort()).toEqual(['githubAppBaseURL', 'githubAppID', 'githubAppInstallationID', 'githubAppPrivateKey']);
    expect(data).toMatchObject({ githubAppID: '4242', githubAppInstallationID: '77', githubAppBaseURL: 'http://172.18.0.1:38211/api/v3' });
    const signature = createSign('RSA-SHA256').update('header.payload').sign(data.githubAppPrivateKey!);
    expect(createVerify('RSA-SHA256').update('header.payload').verify(auth.app.publicKey, signature)).toBe(true);
    expect(auth.app).toMatchObject({ id: '4242', installations: [{ id: 77, repos: 61 }, { id: 78 }] });
    expect(githubAppAuth(scenario)!.app.publicKey).not.toBe(auth.app.publicKey);
  });

  it('is not used without provider github', () => {
    expect(githubAppAuth(defineScenario({ name: 'basic', github: { app: { id: 1 } }, workload: { apps: 1, flux: { auth: 'basic' } } }))).toBeUndefined();
  });

  it('refuses provider github without an App, or with a public key the run could not sign for', () => {
    expect(() => defineScenario({ name: 'x', workload: { apps: 1, flux: { provider: 'github' } } })).toThrow(
      /workload\.flux\.provider: provider github authenticates as a GitHub App: declare it in github\.app/,
    );
    expect(() => defineScenario({ name: 'x', github: { app: { id: 1, publicKey: 'PEM' } }, workload: { apps: 1, flux: { provider: 'github' } } })).toThrow(
      /github\.app\.publicKey: the runner makes the App's key pair for each run/,
    );
  });
});
