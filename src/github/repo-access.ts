import { canSee } from './auth.ts';
import { callerOf, type RequestContext } from './context.ts';
import type { RepoInfo } from './repos.ts';
import { docsUrl, notFound, requiresAuthentication, type RestResponse } from './rest.ts';

/**
 * The repository of a git or REST route if the caller may see it (and write to it, when asked);
 * otherwise GitHub's refusal: 401 with a Basic challenge to anonymous git clients, 404 for repos
 * the caller cannot see, 403 (or 401) for writes without permission.
 */
export async function repoAccess(ctx: RequestContext, needWrite: boolean): Promise<RepoInfo | RestResponse> {
  const { match, state } = ctx;
  const { identity } = callerOf(ctx);
  const isGit = match.category === 'git';
  const repo = await state.repos.get(match.owner!, match.repo!);
  const anonymous = identity.kind === 'anonymous';
  const visible = repo !== undefined && (anonymous ? anonymousMaySee(ctx, repo) : canSee(identity, repo.fullName));
  if (anonymous && (needWrite || !visible) && isGit) return gitChallenge();
  if (!repo || !visible) return isGit ? { status: 404, body: { message: 'Repository not found.', documentation_url: docsUrl } } : notFound();
  if (needWrite && identity.permission !== 'write') {
    return anonymous ? requiresAuthentication() : { status: 403, body: { message: `Permission to ${repo.fullName}.git denied to ${identity.label}.`, documentation_url: docsUrl } };
  }
  return repo;
}

/**
 * The 401 challenge an anonymous git request earns (a push, or a fetch of a repository it may
 * not read), or undefined for other requests. git sends its credentials only after such a
 * challenge, so until it has one it cannot say who it is.
 */
export async function anonymousGitChallenge(ctx: RequestContext): Promise<RestResponse | undefined> {
  const { match, state } = ctx;
  if (match.category !== 'git' || callerOf(ctx).identity.kind !== 'anonymous') return undefined;
  if (match.service === 'git-receive-pack') return gitChallenge();
  const repo = await state.repos.get(match.owner!, match.repo!);
  return repo !== undefined && anonymousMaySee(ctx, repo) ? undefined : gitChallenge();
}

export function isRefusal(access: RepoInfo | RestResponse): access is RestResponse {
  return 'status' in access;
}

function gitChallenge(): RestResponse {
  return { status: 401, body: { message: 'Requires authentication', documentation_url: docsUrl }, headers: { 'www-authenticate': 'Basic realm="GitHub"' } };
}

function anonymousMaySee(ctx: RequestContext, repo: RepoInfo): boolean {
  return ctx.state.anonymousRead && !repo.private;
}
