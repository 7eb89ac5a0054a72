import { generateKeyPairSync } from 'node:crypto';
import type { FakeGitHubOptions } from '../../github/index.ts';

type AppOptions = NonNullable<FakeGitHubOptions['app']>;

/** What a run needs when its GitRepositories authenticate as a GitHub App (`workload.flux.provider: github`). */
export interface GitHubAppAuth {
  /** The scenario's `github.app` with the public half of a key pair made for this run. */
  app: AppOptions & { publicKey: string };
  /** The Git auth Secret's data, as source-controller's `provider: github` reads it. */
  secretData(gitBaseUrl: string): Record<string, string>;
}

/**
 * A fresh RSA key pair per run: the fake GitHub verifies App JWTs with the public key, and
 * source-controller signs them with the private one from the Secret. Undefined unless the
 * workload uses `provider: github`. The installation is the App's first one.
 */
export function githubAppAuth(scenario: { github: Pick<FakeGitHubOptions, 'app'>; workload: { flux?: { provider?: string } } }): GitHubAppAuth | undefined {
  const app = scenario.github.app;
  if (scenario.workload.flux?.provider !== 'github' || !app) return undefined;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const installation = app.installations[0]!;
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    app: { ...app, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    secretData: (gitBaseUrl) => ({
      githubAppID: app.id,
      githubAppInstallationID: String(installation.id),
      githubAppPrivateKey: privatePem,
      // GitHub Enterprise-style API root: the fake GitHub serves the REST API under /api/v3 too.
      githubAppBaseURL: `${gitBaseUrl.replace(/\/+$/, '')}/api/v3`,
    }),
  };
}
