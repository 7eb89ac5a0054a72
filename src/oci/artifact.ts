/**
 * Flux OCI artifacts pushed and tagged with the `flux` CLI of the run's Flux release, exactly as
 * a CI job publishes manifests for OCIRepositories: `flux push artifact` (Flux's media types,
 * the source and revision annotations) and `flux tag artifact`.
 */
import { FluxbenchError } from '../util/exit-codes.ts';
import { parseOciReference } from './reference.ts';
import { loginSecrets, runTool, withLoginConfig, type RegistryLogin } from './tool.ts';

/** A push or tag takes well under a second on loopback; the bound only catches a hung registry. */
const defaultTimeoutMs = 120_000;

export interface PushArtifactOptions {
  /** The `flux` binary. */
  flux: string;
  /** `oci://127.0.0.1:PORT/<repository>:<tag>` */
  reference: string;
  /** Directory (or single file) whose content the artifact carries. */
  path: string;
  /** `org.opencontainers.image.source`: the Git URL the files come from. */
  source: string;
  /** `org.opencontainers.image.revision`: `<branch>@sha1:<commit>`. */
  revision: string;
  /** Basic-auth push credentials; omitted for an anonymous push. */
  username?: string;
  password?: string;
  /** Plain HTTP (`--insecure-registry`). */
  insecure: boolean;
  /** Extra `org.opencontainers.image.*` or other annotations. */
  annotations?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

export interface PushedArtifact {
  /** `sha256:<hex>`: the manifest digest, what an OCIRepository's revision ends with. */
  digest: string;
  /** `127.0.0.1:PORT/<repository>` */
  repository: string;
  tag: string;
}

function loginOf(reference: string, options: { username?: string; password?: string }): RegistryLogin {
  return { host: parseOciReference(reference).host, ...(options.username !== undefined ? { username: options.username } : {}), ...(options.password !== undefined ? { password: options.password } : {}) };
}

/**
 * `flux push artifact <reference> --path --source --revision --output json`: packs `path` into a
 * tar+gzip layer (`application/vnd.cncf.flux.content.v1.tar+gzip`) under Flux's config media
 * type and pushes it with the tag of `reference`.
 *
 * Starts: one `flux` process, with a private Docker config holding the login (removed after).
 * Throws: UsageError for a reference without a tag; FluxbenchError when the push fails or takes
 * longer than `timeoutMs` (default 2 min), its message free of the password.
 */
export async function pushArtifact(options: PushArtifactOptions): Promise<PushedArtifact> {
  const { tag } = parseOciReference(options.reference, 'artifact reference');
  if (!tag) throw new FluxbenchError(`artifact reference "${options.reference}" needs a tag (oci://<host>/<repository>:<tag>)`);
  const login = loginOf(options.reference, options);
  const args = ['push', 'artifact', options.reference, '--path', options.path, '--source', options.source, '--revision', options.revision, '--output', 'json'];
  if (options.insecure) args.push('--insecure-registry');
  for (const [key, value] of Object.entries(options.annotations ?? {})) args.push('--annotations', `${key}=${value}`);
  const stdout = await withLoginConfig(login, (dir) =>
    runTool({
      what: `flux push artifact ${options.reference}`,
      binary: options.flux,
      args,
      env: { DOCKER_CONFIG: dir, HOME: dir },
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      secrets: loginSecrets(login),
    }),
  );
  let info: { digest?: unknown; repository?: unknown; tag?: unknown };
  try {
    info = JSON.parse(stdout) as typeof info;
  } catch {
    throw new FluxbenchError(`flux push artifact ${options.reference}: expected JSON on stdout (--output json), got: ${stdout.slice(0, 200)}`);
  }
  if (typeof info.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(info.digest)) {
    throw new FluxbenchError(`flux push artifact ${options.reference}: no sha256 digest in its output: ${stdout.slice(0, 200)}`);
  }
  return { digest: info.digest, repository: String(info.repository ?? ''), tag: String(info.tag ?? tag) };
}

export interface TagArtifactOptions {
  flux: string;
  /** The artifact to tag, by an existing tag: `oci://127.0.0.1:PORT/<repository>:<tag>`. */
  reference: string;
  /** Tags to point at it (moved when they exist). */
  tags: readonly string[];
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/**
 * `flux tag artifact <reference> --tag <tag>...`: points more tags at an artifact, e.g. moves
 * `latest`, the tag OCIRepositories follow. (The CLI has no insecure flag: its registry client
 * speaks plain HTTP to loopback registries.)
 *
 * Starts: one `flux` process. Throws FluxbenchError as pushArtifact does.
 */
export async function tagArtifact(options: TagArtifactOptions): Promise<void> {
  if (options.tags.length === 0) throw new FluxbenchError(`flux tag artifact ${options.reference}: no tag given`);
  const login = loginOf(options.reference, options);
  const args = ['tag', 'artifact', options.reference, ...options.tags.flatMap((tag) => ['--tag', tag])];
  await withLoginConfig(login, (dir) =>
    runTool({
      what: `flux tag artifact ${options.reference}`,
      binary: options.flux,
      args,
      env: { DOCKER_CONFIG: dir, HOME: dir },
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      secrets: loginSecrets(login),
    }),
  );
}
