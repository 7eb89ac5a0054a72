import { callerOf, respond, type RequestContext } from '../context.ts';
import { readCommit } from '../git.ts';
import { combinedState, commitJson, docsUrl, latestPerContext, notFound, paginate, rateLimitResponse, repoJson, requiresAuthentication, statusJson, type RestResponse } from '../rest.ts';
import type { RepoInfo } from '../repos.ts';
import { appRoute } from './app.ts';
import { readJsonBody } from './json-body.ts';
import { isRefusal, repoAccess } from '../repo-access.ts';

/** The REST subset, in GitHub's JSON shapes (see docs/github.md for the routes). */
export async function handleRest(ctx: RequestContext): Promise<void> {
  const read = await readJsonBody(ctx);
  if (!read.ok) return respond(ctx, read.answer);
  return respond(ctx, await answerRest(ctx, read.body));
}

async function answerRest(ctx: RequestContext, body: unknown): Promise<RestResponse> {
  const { match, state } = ctx;
  const { identity } = callerOf(ctx);
  const baseUrl = state.baseUrl;
  switch (match.route) {
    case 'rest.root':
      return { status: 200, body: { current_user_url: `${baseUrl}/user`, rate_limit_url: `${baseUrl}/rate_limit`, repository_url: `${baseUrl}/repos/{owner}/{repo}` } };
    case 'rest.rate_limit':
      return rateLimitResponse(ctx.quota ?? state.quotas.peek(callerOf(ctx)));
    case 'rest.app':
    case 'rest.app.installation':
    case 'rest.app.access_tokens':
    case 'rest.installation.lookup':
      return appRoute(ctx, identity);
    case 'rest.unknown':
      return notFound();
    default:
      break;
  }
  const needWrite = match.route === 'rest.statuses.create' || match.route === 'rest.dispatches';
  if (needWrite && identity.kind === 'anonymous') return requiresAuthentication();
  const repo = await repoAccess(ctx, false);
  if (isRefusal(repo)) return repo;
  if (needWrite && identity.permission !== 'write') {
    return { status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: docsUrl } };
  }
  switch (match.route) {
    case 'rest.repo': {
      const permissions = identity.kind === 'anonymous' ? undefined : { admin: identity.permission === 'write', push: identity.permission === 'write', pull: true };
      return { status: 200, body: repoJson(repo, baseUrl, permissions) };
    }
    case 'rest.dispatches':
      if (typeof body !== 'object' || body === null || typeof (body as { event_type?: unknown }).event_type !== 'string') {
        return { status: 422, body: { message: 'Invalid request.\n\n"event_type" wasn\'t supplied.', documentation_url: docsUrl } };
      }
      return { status: 204 };
    default:
      return answerCommitRoute(ctx, repo, body);
  }
}

/** The routes on one commit (by ref or sha): 422 when it does not resolve, as GitHub answers. */
async function answerCommitRoute(ctx: RequestContext, repo: RepoInfo, body: unknown): Promise<RestResponse> {
  const { match, state } = ctx;
  const baseUrl = state.baseUrl;
  const commit = await readCommit(state.repos.path(repo.owner, repo.name), match.ref!);
  if (!commit) return { status: 422, body: { message: `No commit found for SHA: ${match.ref}`, documentation_url: docsUrl } };
  switch (match.route) {
    case 'rest.commit':
      return { status: 200, body: { ...commitJson(repo, commit, baseUrl), files: [], stats: { total: 0, additions: 0, deletions: 0 } } };
    case 'rest.statuses.create': {
      const created = state.statuses.create(repo, commit.sha, body, callerOf(ctx).identity.label);
      if ('status' in created && typeof created.status === 'number') return created as RestResponse;
      return { status: 201, body: statusJson(repo, commit.sha, created as Exclude<typeof created, RestResponse>, baseUrl) };
    }
    case 'rest.statuses.list':
      return { status: 200, body: paginate(state.statuses.list(repo, commit.sha), match.query).map((s) => statusJson(repo, commit.sha, s, baseUrl)) };
    case 'rest.status.combined': {
      const latest = latestPerContext(state.statuses.list(repo, commit.sha));
      return {
        status: 200,
        body: {
          state: combinedState(latest),
          statuses: latest.map((s) => statusJson(repo, commit.sha, s, baseUrl)),
          sha: commit.sha,
          total_count: latest.length,
          repository: repoJson(repo, baseUrl),
          commit_url: `${baseUrl}/repos/${repo.fullName}/commits/${commit.sha}`,
          url: `${baseUrl}/repos/${repo.fullName}/commits/${commit.sha}/status`,
        },
      };
    }
    default:
      return notFound();
  }
}
