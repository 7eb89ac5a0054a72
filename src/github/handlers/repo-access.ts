import { canSee } from '../auth.ts';
import { callerOf, type RequestContext } from '../context.ts';
import type { RepoInfo } from '../repos.ts';
import { docsUrl, notFound, requiresAuthentication, type RestResponse } from '../rest.ts';

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
  const visible = repo !== undefined && (anonymous ? state.anonymousRead && !repo.private : canSee(identity, repo.fullName));
  if (anonymous && (needWrite || !visible) && isGit) {
    return { status: 401, body: { message: 'Requires authentication', documentation_url: docsUrl }, headers: { 'www-authenticate': 'Basic realm="GitHub"' } };
  }
  if (!repo || !visible) return isGit ? { status: 404, body: { message: 'Repository not found.', documentation_url: docsUrl } } : notFound();
  if (needWrite && identity.permission !== 'write') {
    return anonymous ? requiresAuthentication() : { status: 403, body: { message: `Permission to ${repo.fullName}.git denied to ${identity.label}.`, documentation_url: docsUrl } };
  }
  return repo;
}

export function isRefusal(access: RepoInfo | RestResponse): access is RestResponse {
  return 'status' in access;
}
