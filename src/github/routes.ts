import { isValidOwner, isValidPageSegment, normalizeRepoSegment } from './names.ts';

/** Route names, as used in samples (`route` label) and fault matches. */
export type RouteName =
  | 'git.info-refs'
  | 'git.upload-pack'
  | 'git.receive-pack'
  | 'pages'
  | 'rest.root'
  | 'rest.rate_limit'
  | 'rest.repo'
  | 'rest.commit'
  | 'rest.statuses.create'
  | 'rest.statuses.list'
  | 'rest.status.combined'
  | 'rest.dispatches'
  | 'rest.app'
  | 'rest.app.installation'
  | 'rest.app.access_tokens'
  | 'rest.installation.lookup'
  | 'rest.unknown'
  | 'hooks.generic';

export type GitService = 'git-upload-pack' | 'git-receive-pack';

export interface RouteMatch {
  category: 'git' | 'rest' | 'pages' | 'hooks' | 'admin';
  route: RouteName | 'admin';
  owner?: string;
  repo?: string;
  service?: GitService;
  ref?: string;
  installationId?: number;
  /** Remaining decoded path segments (pages file path, admin path). */
  rest?: string[];
  query: URLSearchParams;
}

export interface RouteError {
  error: true;
  status: 400 | 403 | 404 | 405;
  message: string;
}

const refPattern = /^[A-Za-z0-9_][A-Za-z0-9._/-]{0,250}$/;

/** A ref or sha from a URL, safe to hand to git (no option-looking or range syntax). */
export function isSafeRef(ref: string): boolean {
  return refPattern.test(ref) && !ref.includes('..') && !ref.includes('//') && !ref.endsWith('/') && !ref.endsWith('.lock');
}

function fail(status: RouteError['status'], message: string): RouteError {
  return { error: true, status, message };
}

/**
 * Splits a raw request target into a route. Rejects before decoding anything that could change
 * meaning on the way to the filesystem: absolute-form targets, backslashes, encoded slashes or
 * dots, NUL, empty and dot segments.
 */
export function matchRoute(method: string, rawUrl: string): RouteMatch | RouteError {
  if (!rawUrl.startsWith('/') || rawUrl.startsWith('//')) return fail(400, 'request target must be an absolute path');
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
  if (/[\\\0]|%2f|%5c|%00|%2e/i.test(rawPath)) return fail(400, 'path contains a forbidden character or encoding');
  let segments: string[];
  try {
    segments = rawPath.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return fail(400, 'path is not valid percent-encoding');
  }
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  if (segments.some((s, i) => (s === '' && !(i === 0 && segments.length === 1)) || s === '.' || s === '..')) {
    return fail(400, 'path has empty or dot segments');
  }
  if (segments[0] === '_fluxbench') return { category: 'admin', route: 'admin', rest: segments.slice(1), query };
  if (segments[0] === 'api' && segments[1] === 'v3') return matchRest(method, segments.slice(2), query);
  if (segments[0] === 'pages') return matchPages(segments.slice(1), query);
  if (segments[0] === 'hooks') return matchHooks(method, segments.slice(1), query);
  const git = matchGit(method, segments, query);
  if (git) return git;
  return matchRest(method, segments, query);
}

function matchGit(method: string, s: string[], query: URLSearchParams): RouteMatch | RouteError | undefined {
  const isInfoRefs = s.length === 4 && s[2] === 'info' && s[3] === 'refs';
  const isRpc = s.length === 3 && (s[2] === 'git-upload-pack' || s[2] === 'git-receive-pack');
  if (!isInfoRefs && !isRpc) return undefined;
  const owner = s[0]!;
  const repo = normalizeRepoSegment(s[1]!);
  if (!isValidOwner(owner) || repo === undefined) return fail(404, 'Repository not found.');
  if (isInfoRefs) {
    if (method !== 'GET' && method !== 'HEAD') return fail(405, 'info/refs takes GET');
    const service = query.get('service');
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      return fail(403, 'unsupported service: use ?service=git-upload-pack or ?service=git-receive-pack');
    }
    return { category: 'git', route: 'git.info-refs', owner, repo, service, query };
  }
  if (method !== 'POST') return fail(405, `${s[2]} takes POST`);
  const service = s[2] as GitService;
  return { category: 'git', route: service === 'git-upload-pack' ? 'git.upload-pack' : 'git.receive-pack', owner, repo, service, query };
}

function matchPages(s: string[], query: URLSearchParams): RouteMatch | RouteError {
  const [owner, repo, ...file] = s;
  if (owner === undefined || repo === undefined || !isValidOwner(owner) || normalizeRepoSegment(repo) !== repo) {
    return fail(404, 'Not Found');
  }
  if (!file.every(isValidPageSegment)) return fail(404, 'Not Found');
  return { category: 'pages', route: 'pages', owner, repo, rest: file, query };
}

/**
 * `/hooks/{owner}/{repo}`: the endpoint of notification-controller's `generic` Providers, standing
 * for the webhook receiver a team runs beside its Git host (a CI trigger, a chat bridge). Not a
 * GitHub API: it lives on this server so its calls are counted, attributed and faulted like the
 * rest, per repository.
 */
function matchHooks(method: string, s: string[], query: URLSearchParams): RouteMatch | RouteError {
  const [owner, repo] = s;
  if (s.length !== 2 || owner === undefined || repo === undefined || !isValidOwner(owner) || normalizeRepoSegment(repo) !== repo) return fail(404, 'Not Found');
  if (method !== 'POST') return fail(405, 'webhooks take POST');
  return { category: 'hooks', route: 'hooks.generic', owner, repo, query };
}

function matchRest(method: string, s: string[], query: URLSearchParams): RouteMatch {
  const unknown: RouteMatch = { category: 'rest', route: 'rest.unknown', query };
  if (s.length === 1 && s[0] === '') return { category: 'rest', route: 'rest.root', query };
  if (s.length === 1 && s[0] === 'rate_limit') return { category: 'rest', route: 'rest.rate_limit', query };
  if (s[0] === 'app') {
    if (s.length === 1 && method === 'GET') return { category: 'rest', route: 'rest.app', query };
    if (s[1] !== 'installations' || s[2] === undefined || !/^\d{1,12}$/.test(s[2])) return unknown;
    const installationId = Number(s[2]);
    if (s.length === 3 && method === 'GET') return { category: 'rest', route: 'rest.app.installation', installationId, query };
    if (s.length === 4 && s[3] === 'access_tokens' && method === 'POST') return { category: 'rest', route: 'rest.app.access_tokens', installationId, query };
    return unknown;
  }
  if ((s[0] === 'orgs' || s[0] === 'users') && s.length === 3 && s[2] === 'installation' && method === 'GET' && isValidOwner(s[1]!)) {
    return { category: 'rest', route: 'rest.installation.lookup', owner: s[1]!, query };
  }
  if (s[0] !== 'repos' || s.length < 3) return unknown;
  const owner = s[1]!;
  const repo = s[2]!;
  if (!isValidOwner(owner) || normalizeRepoSegment(repo) !== repo) return unknown;
  const base = { category: 'rest' as const, owner, repo, query };
  // Endpoints the fake does not serve still name their repository, for accounting and fault matches.
  const unknownOfRepo: RouteMatch = { ...base, route: 'rest.unknown' };
  if (s.length === 3 && method === 'GET') return { ...base, route: 'rest.repo' };
  if (s.length === 4 && s[3] === 'installation' && method === 'GET') return { ...base, route: 'rest.installation.lookup' };
  if (s.length === 4 && s[3] === 'dispatches' && method === 'POST') return { ...base, route: 'rest.dispatches' };
  if (s[3] === 'statuses' && s.length === 5 && method === 'POST') return { ...base, route: 'rest.statuses.create', ref: s[4]! };
  if (s[3] === 'commits' && s.length >= 5 && method === 'GET') {
    const tail = s[s.length - 1];
    if ((tail === 'statuses' || tail === 'status') && s.length >= 6) {
      const ref = s.slice(4, -1).join('/');
      if (!isSafeRef(ref)) return unknownOfRepo;
      return { ...base, route: tail === 'statuses' ? 'rest.statuses.list' : 'rest.status.combined', ref };
    }
    const ref = s.slice(4).join('/');
    if (!isSafeRef(ref)) return unknownOfRepo;
    return { ...base, route: 'rest.commit', ref };
  }
  return unknownOfRepo;
}

export function isRouteError(value: RouteMatch | RouteError): value is RouteError {
  return 'error' in value;
}
