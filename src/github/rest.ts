import type { QuotaState } from './rate-limiter.ts';
import type { RepoInfo } from './repos.ts';
import type { CommitInfo } from './git.ts';
import { repoOwnerId } from './webhooks.ts';

/** A REST answer before it is written: status, JSON body, extra headers. */
export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const docsUrl = 'https://docs.github.com/rest';

export function notFound(): RestResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: docsUrl } };
}

export function badCredentials(): RestResponse {
  return { status: 401, body: { message: 'Bad credentials', documentation_url: docsUrl } };
}

export function requiresAuthentication(): RestResponse {
  return { status: 401, body: { message: 'Requires authentication', documentation_url: docsUrl } };
}

export function validationFailed(message: string, field: string, code = 'invalid'): RestResponse {
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Status', field, code, message }], documentation_url: docsUrl } };
}

export function rateLimitJson(quota: QuotaState): Record<string, number> {
  return { limit: quota.limit, used: quota.used, remaining: quota.remaining, reset: Math.ceil(quota.resetAt / 1000) };
}

/** GET /rate_limit. Only `core` is modelled; the other resources report GitHub's defaults unused. */
export function rateLimitResponse(core: QuotaState): RestResponse {
  const reset = Math.ceil(core.resetAt / 1000);
  const idle = (limit: number) => ({ limit, used: 0, remaining: limit, reset });
  const coreJson = rateLimitJson(core);
  return {
    status: 200,
    body: {
      resources: {
        core: coreJson,
        search: idle(30),
        graphql: idle(5000),
        integration_manifest: idle(5000),
        code_search: idle(10),
      },
      rate: coreJson,
    },
  };
}

function ownerJson(owner: string, baseUrl: string): Record<string, unknown> {
  return { login: owner, id: repoOwnerId(owner), type: 'User', url: `${baseUrl}/users/${owner}`, html_url: `${baseUrl}/${owner}`, site_admin: false };
}

export function repoJson(repo: RepoInfo, baseUrl: string, permissions?: { admin: boolean; push: boolean; pull: boolean }): Record<string, unknown> {
  const apiUrl = `${baseUrl}/repos/${repo.fullName}`;
  const htmlUrl = `${baseUrl}/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: ownerJson(repo.owner, baseUrl),
    html_url: htmlUrl,
    description: null,
    fork: false,
    url: apiUrl,
    statuses_url: `${apiUrl}/statuses/{sha}`,
    commits_url: `${apiUrl}/commits{/sha}`,
    git_url: `${htmlUrl}.git`,
    clone_url: `${htmlUrl}.git`,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt ?? repo.createdAt,
    pushed_at: repo.pushedAt ?? repo.createdAt,
    size: 0,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    default_branch: repo.defaultBranch,
    ...(permissions ? { permissions } : {}),
  };
}

export function commitJson(repo: RepoInfo, commit: CommitInfo, baseUrl: string): Record<string, unknown> {
  const apiUrl = `${baseUrl}/repos/${repo.fullName}`;
  return {
    sha: commit.sha,
    node_id: Buffer.from(`04:Commit${repo.id}:${commit.sha}`).toString('base64'),
    commit: {
      author: { name: commit.authorName, email: commit.authorEmail, date: commit.authorDate },
      committer: { name: commit.committerName, email: commit.committerEmail, date: commit.committerDate },
      message: commit.message,
      tree: { sha: commit.tree, url: `${apiUrl}/git/trees/${commit.tree}` },
      url: `${apiUrl}/git/commits/${commit.sha}`,
      comment_count: 0,
    },
    url: `${apiUrl}/commits/${commit.sha}`,
    html_url: `${baseUrl}/${repo.fullName}/commit/${commit.sha}`,
    parents: commit.parents.map((sha) => ({ sha, url: `${apiUrl}/commits/${sha}`, html_url: `${baseUrl}/${repo.fullName}/commit/${sha}` })),
  };
}

export const statusStates = ['error', 'failure', 'pending', 'success'] as const;
export type StatusState = (typeof statusStates)[number];

export interface CommitStatus {
  id: number;
  state: StatusState;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: string;
  createdAt: string;
}

/** Commit statuses per repo and sha, newest first, as GitHub lists them. */
export class StatusStore {
  private readonly bySha = new Map<string, CommitStatus[]>();
  private nextId = 1;

  /** Validates a POST /statuses body; returns the status or a 422 answer. */
  create(repo: RepoInfo, sha: string, body: unknown, creator: string): CommitStatus | RestResponse {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: docsUrl } };
    const input = body as Record<string, unknown>;
    if (typeof input.state !== 'string' || !(statusStates as readonly string[]).includes(input.state)) {
      return validationFailed(`state must be one of ${statusStates.join(', ')}`, 'state');
    }
    for (const field of ['description', 'target_url', 'context'] as const) {
      if (input[field] !== undefined && input[field] !== null && typeof input[field] !== 'string') return validationFailed(`${field} must be a string`, field);
    }
    const status: CommitStatus = {
      id: this.nextId++,
      state: input.state as StatusState,
      description: (input.description as string | undefined) ?? null,
      targetUrl: (input.target_url as string | undefined) ?? null,
      context: (input.context as string | undefined) ?? 'default',
      creator,
      createdAt: new Date().toISOString(),
    };
    const key = `${repo.fullName}@${sha}`;
    const list = this.bySha.get(key) ?? [];
    list.unshift(status);
    this.bySha.set(key, list);
    return status;
  }

  list(repo: RepoInfo, sha: string): CommitStatus[] {
    return this.bySha.get(`${repo.fullName}@${sha}`) ?? [];
  }
}

export function statusJson(repo: RepoInfo, sha: string, status: CommitStatus, baseUrl: string): Record<string, unknown> {
  return {
    url: `${baseUrl}/repos/${repo.fullName}/statuses/${sha}`,
    id: status.id,
    node_id: Buffer.from(`011:StatusContext${status.id}`).toString('base64'),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: ownerJson(status.creator, baseUrl),
  };
}

/** GitHub's combined state: any error/failure wins, then pending (also when there are none), else success. */
export function combinedState(latest: CommitStatus[]): StatusState {
  if (latest.some((s) => s.state === 'error' || s.state === 'failure')) return 'failure';
  if (latest.length === 0 || latest.some((s) => s.state === 'pending')) return 'pending';
  return 'success';
}

/** The newest status per context. */
export function latestPerContext(statuses: CommitStatus[]): CommitStatus[] {
  const seen = new Set<string>();
  const out: CommitStatus[] = [];
  for (const s of statuses) {
    if (seen.has(s.context)) continue;
    seen.add(s.context);
    out.push(s);
  }
  return out;
}

/** `?per_page=&page=` as GitHub reads them (per_page max 100, default 30). */
export function paginate<T>(items: T[], query: URLSearchParams): T[] {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(query.get('per_page') ?? '30', 10) || 30));
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  return items.slice((page - 1) * perPage, page * perPage);
}
