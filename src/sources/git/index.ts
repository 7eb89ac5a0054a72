/**
 * Git: bare repositories served over smart HTTP by the fake GitHub on 127.0.0.1, fetched by
 * GitRepositories with a per-run token (or as a GitHub App installation, with a key pair made
 * for the run); a push is announced as GitHub's push webhook.
 */
import { startFakeGitHub } from '../../github/index.ts';
import { generateWorkload, pushNotification } from '../../workload/index.ts';
import type { SourceKindDefinition } from '../types.ts';
import { githubAppAuth } from './app-auth.ts';

export const gitSource: SourceKindDefinition = {
  name: 'git',
  description: 'GitRepositories cloning from the fake GitHub (smart HTTP, GitHub-accurate rate limits, webhooks)',
  fluxKinds: ['GitRepository'],
  servers: ['github'],
  async start(options) {
    const appAuth = githubAppAuth({ github: options.host, workload: options.workload });
    const github = await startFakeGitHub({ ...options.host, ...(appAuth ? { app: appAuth.app } : {}), storageRoot: options.storageRoot }, { sink: options.sink });
    // The scenario's first token is Flux's (one named "notifications" is the commit statuses' own,
    // see run/alerts.ts); without one the run issues a read-only token for it.
    const fluxToken = github.tokens().find((t) => t.name !== 'notifications') ?? github.issueToken({ name: 'flux', permission: 'read' });
    return {
      kind: 'git',
      url: github.url,
      targets: { github },
      generate: (fluxBaseUrl) =>
        generateWorkload(options.workload, {
          storageRoot: github.storageRoot,
          gitBaseUrl: fluxBaseUrl,
          token: fluxToken.token,
          ...(appAuth ? { gitSecretData: appAuth.secretData(fluxBaseUrl) } : {}),
        }),
      async announce(event) {
        const { owner, repo, push } = pushNotification(event);
        await github.notifyPush(owner, repo, push);
        // The commit is fetchable from the moment the ref moved, whatever the webhook did.
        return [{ repo: event.repo, sha: event.sha, pushedAt: event.pushedAt }];
      },
      stop: () => github.stop(),
    };
  },
};

export { githubAppAuth, type GitHubAppAuth } from './app-auth.ts';
