/**
 * Request classification for the registry gateway: which route of the OCI distribution API a
 * request is (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#endpoints),
 * which repository it names, whether it counts as a pull and whether an anonymous caller may
 * make it.
 */

/** The routes accounting, faults and limits tell apart (RegistryRoute in types.ts). */
export const registryRoutes = [
  'base', // GET /v2/ (the API version check)
  'token', // an auth exchange
  'manifest', // /v2/<name>/manifests/<reference>
  'blob', // /v2/<name>/blobs/<digest>
  'upload', // /v2/<name>/blobs/uploads/...
  'tags', // /v2/<name>/tags/list
  'catalog', // /v2/_catalog
  'referrers', // /v2/<name>/referrers/<digest>
  'other',
] as const;

/** How a request to the registry API is classified in accounting, faults and limits. */
export type RegistryRoute = (typeof registryRoutes)[number];

export interface ClassifiedRequest {
  route: RegistryRoute;
  /** The repository name (`team-1/app-3`), '' for routes without one. */
  repository: string;
  /** A manifest GET: counted against the caller's pull limit (Docker Hub counts pulls so). */
  pull: boolean;
  /** A read an anonymous caller may make when anonymous pulls are allowed (GET/HEAD of manifests, blobs, tags, referrers). */
  read: boolean;
}

/** The OCI distribution spec's repository name grammar (path components, lower case). */
const repositoryName = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

/** `/v2/<name>/<kind>/...`: the last kind marker wins, since names may contain these words. */
const repositoryPath = /^\/v2\/(.+)\/(manifests\/[^/]+|blobs\/uploads(?:\/[^/]*)?|blobs\/[^/]+|tags\/list|referrers\/[^/]+)$/;

/**
 * Classifies one request from its method and raw target (`/v2/app/manifests/v1?x=y`).
 * Never throws: a target that is no route of the API is `other` with no repository.
 */
export function classifyRequest(method: string, target: string): ClassifiedRequest {
  const path = target.split('?', 1)[0] ?? '';
  const isRead = method === 'GET' || method === 'HEAD';
  const plain = (route: RegistryRoute, read = false): ClassifiedRequest => ({ route, repository: '', pull: false, read });
  // Never an anonymous read: like Distribution, Docker Hub and GHCR, the version check answers
  // 401 with the Basic challenge, which is how clients holding credentials learn to send them
  // (oras-go sends none until challenged; anonymous clients go on without).
  if (path === '/v2/' || path === '/v2') return plain('base');
  if (path === '/v2/_catalog') return plain('catalog');
  if (path === '/token' || path === '/v2/token' || path === '/oauth/token') return plain('token');
  const match = repositoryPath.exec(path);
  if (!match || !repositoryName.test(match[1]!)) return plain('other');
  const repository = match[1]!;
  const kind = match[2]!;
  if (kind.startsWith('manifests/')) return { route: 'manifest', repository, pull: method === 'GET', read: isRead };
  if (kind.startsWith('blobs/uploads')) return { route: 'upload', repository, pull: false, read: false };
  if (kind.startsWith('blobs/')) return { route: 'blob', repository, pull: false, read: isRead };
  if (kind === 'tags/list') return { route: 'tags', repository, pull: false, read: isRead };
  return { route: 'referrers', repository, pull: false, read: isRead };
}
