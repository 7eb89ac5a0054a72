/**
 * Publishing commits as artifacts the way a CI pipeline does after each push to Git: push the
 * manifests tagged with the short commit id, then move the tag OCIRepositories follow onto it.
 * Many publishes share one bound on how many CLI calls run at once.
 */
import { FluxbenchError } from '../util/exit-codes.ts';
import { pushArtifact, tagArtifact } from './artifact.ts';
import { pushChart, type PushedChart } from './chart.ts';
import { createLimiter } from './limit.ts';

export interface PublisherOptions {
  /** The `flux` and `helm` binaries. */
  flux: string;
  helm?: string;
  /** `127.0.0.1:PORT`: where the harness pushes (not necessarily where Flux pulls from). */
  host: string;
  username?: string;
  password?: string;
  /** Plain HTTP registry. */
  insecure: boolean;
  /** Publishes in flight at once (default 4). */
  concurrency?: number;
  /** Once aborted, pushes not yet started are refused (the AbortSignal's reason is thrown); running ones finish. */
  signal?: AbortSignal;
  /** Bound of each CLI call (ms, default 2 min). */
  timeoutMs?: number;
}

export interface PublishRequest {
  /** Repository path in the registry, e.g. `fluxbench/apps/app-001`. */
  repository: string;
  /** The directory whose files the artifact carries. */
  path: string;
  /** The Git URL the files come from. */
  source: string;
  /** The commit: `revision` becomes `<branch>@sha1:<commit>`, the push tag `<commit[0:7]>`. */
  branch: string;
  commit: string;
  /** Tags moved onto the new artifact once pushed (`latest`). */
  moveTags: readonly string[];
}

export interface Published {
  repository: string;
  /** `sha256:<hex>` */
  digest: string;
  /** ms since the epoch when the last tag moved: from then on Flux can see the new artifact. */
  publishedAt: number;
}

export interface Publisher {
  publish(request: PublishRequest): Promise<Published>;
  /** `helm push` of a packaged chart under `oci://<host>/<path>`. */
  publishChart(chartTgz: string, path: string): Promise<PushedChart>;
}

/** A publisher for one registry; `password` is read, never stored on what it returns. */
export function createPublisher(options: PublisherOptions): Publisher {
  const limit = createLimiter(options.concurrency ?? 4);
  const auth = {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
  return {
    publish: (request) =>
      limit(async () => {
        // Hundreds of pushes take minutes: a stopped run must not wait for the rest.
        options.signal?.throwIfAborted();
        const reference = `oci://${options.host}/${request.repository}:${request.commit.slice(0, 7)}`;
        const pushed = await pushArtifact({
          flux: options.flux,
          reference,
          path: request.path,
          source: request.source,
          revision: `${request.branch}@sha1:${request.commit}`,
          insecure: options.insecure,
          ...auth,
        });
        if (request.moveTags.length > 0) await tagArtifact({ flux: options.flux, reference, tags: request.moveTags, ...auth });
        return { repository: request.repository, digest: pushed.digest, publishedAt: Date.now() };
      }),
    publishChart: (chartTgz, path) =>
      limit(() => {
        options.signal?.throwIfAborted();
        if (!options.helm) throw new FluxbenchError('publishChart needs the helm binary (PublisherOptions.helm)');
        return pushChart({ helm: options.helm, chartTgz, reference: `oci://${options.host}/${path}`, plainHttp: options.insecure, ...auth });
      }),
  };
}
