/**
 * What fetches cost the fake GitHub, per repository, from its request and maintenance samples:
 * every upload-pack that sent a pack (or that the client cut short) with the wall and CPU time of
 * the git child, the bytes served and pack-objects' reuse; the background repacks' CPU time; and
 * the GitRepositories that failed with a timeout while a clone took the host about as long as
 * their spec.timeout or longer (from the `source_failing` stall samples, which carry the repo,
 * spec.timeout and the Ready message).
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatBytes, formatDuration } from '../util/units.ts';
import { distribution, distributionSchema } from './stats.ts';

export const repoFetchStatsSchema = z.object({
  /** upload-pack requests that sent a pack or that the client cut short. */
  fetches: z.number(),
  /** Of those, how many the client abandoned (or that failed) before git had finished. */
  cutShort: z.number(),
  /** Wall seconds of the git child per fetch: what one clone or fetch takes the host. */
  hostSeconds: distributionSchema.optional(),
  /** CPU seconds (user + system) of every fetch's git processes, summed. */
  cpuSeconds: z.number(),
  bytesOut: z.number(),
  maxBytesOut: z.number(),
  /** pack-objects' summaries, summed: objects sent, of which copied from packs as they were, and sent as verbatim pack chunks (bitmap reuse). */
  objects: z.number(),
  reusedObjects: z.number(),
  packReusedObjects: z.number(),
  /** Background repacks after pushes: runs, their CPU and wall seconds, and failures. */
  maintenance: z.object({ runs: z.number(), cpuSeconds: z.number(), wallSeconds: z.number(), failed: z.number() }).optional(),
});
export type RepoFetchStats = z.infer<typeof repoFetchStatsSchema>;

export const cloneTimeoutSchema = z.object({
  /** `GitRepository/<namespace>/<name>` */
  object: z.string(),
  /** `owner/repo` it clones. */
  repo: z.string(),
  timeoutSeconds: z.number(),
  /** The longest fetch of the repo on the host, seconds. */
  hostSeconds: z.number(),
  /** That fetch was cut short: the client gave up while git was still packing, so a clone takes longer still. */
  cutShort: z.boolean(),
  /** The GitRepository's last Ready=False message. */
  message: z.string(),
  /** One line naming both numbers and the fixes, as the run prints it. */
  warning: z.string(),
});
export type CloneTimeout = z.infer<typeof cloneTimeoutSchema>;

/** A fetch cut short after this share of spec.timeout counts as one the timeout ended. */
const CUT_AT_TIMEOUT = 0.9;
const timeoutMessage = /context deadline exceeded|timed? ?out|timeout/i;

interface FetchSample {
  repo: string;
  hostSeconds: number;
  cpuSeconds: number | undefined;
  bytesOut: number;
  cutShort: boolean;
  pack: { objects: number; reused: number; packReused: number } | undefined;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** An upload-pack request sample that sent a pack or was cut short, or undefined. */
function fetchOf(s: Sample): FetchSample | undefined {
  if (s.name !== 'request' || s.labels?.route !== 'git.upload-pack') return undefined;
  const detail = s.detail ?? {};
  const hostSeconds = num(detail.hostSeconds);
  const pack = detail.pack as Record<string, unknown> | undefined;
  const cutShort = detail.cutShort === true;
  if (hostSeconds === undefined || (!pack && !cutShort)) return undefined;
  return {
    repo: s.labels?.repo ?? '',
    hostSeconds,
    cpuSeconds: num(detail.hostCpuSeconds),
    bytesOut: num(detail.bytesOut) ?? 0,
    cutShort,
    pack: pack ? { objects: num(pack.objects) ?? 0, reused: num(pack.reused) ?? 0, packReused: num(pack.packReused) ?? 0 } : undefined,
  };
}

const emptyStats = (): RepoFetchStats => ({ fetches: 0, cutShort: 0, cpuSeconds: 0, bytesOut: 0, maxBytesOut: 0, objects: 0, reusedObjects: 0, packReusedObjects: 0 });

/**
 * Per-repository fetch costs and repacks, and the host seconds of every fetch (all repositories),
 * from the `github` samples.
 */
export function analyzeFetches(githubSamples: readonly Sample[]): { repos: Record<string, RepoFetchStats>; hostSeconds: number[]; maxBytesOut: number | undefined } {
  const repos: Record<string, RepoFetchStats> = {};
  const perRepoSeconds = new Map<string, number[]>();
  const all: number[] = [];
  let maxBytesOut: number | undefined;
  for (const s of githubSamples) {
    if (s.name === 'maintenance') {
      const stats = (repos[s.labels?.repo ?? ''] ??= emptyStats());
      const m = (stats.maintenance ??= { runs: 0, cpuSeconds: 0, wallSeconds: 0, failed: 0 });
      m.runs += 1;
      m.cpuSeconds += num(s.value) ?? 0;
      m.wallSeconds += num(s.detail?.wallSeconds) ?? 0;
      if (s.detail?.exitCode !== 0) m.failed += 1;
      continue;
    }
    const fetch = fetchOf(s);
    if (!fetch) continue;
    const stats = (repos[fetch.repo] ??= emptyStats());
    stats.fetches += 1;
    if (fetch.cutShort) stats.cutShort += 1;
    stats.cpuSeconds += fetch.cpuSeconds ?? 0;
    stats.bytesOut += fetch.bytesOut;
    stats.maxBytesOut = Math.max(stats.maxBytesOut, fetch.bytesOut);
    maxBytesOut = Math.max(maxBytesOut ?? 0, fetch.bytesOut);
    stats.objects += fetch.pack?.objects ?? 0;
    stats.reusedObjects += fetch.pack?.reused ?? 0;
    stats.packReusedObjects += fetch.pack?.packReused ?? 0;
    const seconds = perRepoSeconds.get(fetch.repo) ?? [];
    seconds.push(fetch.hostSeconds);
    perRepoSeconds.set(fetch.repo, seconds);
    all.push(fetch.hostSeconds);
  }
  for (const [repo, seconds] of perRepoSeconds) {
    const d = distribution(seconds);
    if (d) repos[repo]!.hostSeconds = d;
  }
  return { repos, hostSeconds: all, maxBytesOut };
}

/**
 * GitRepositories whose last failure was a timeout (Ready=False, "context deadline exceeded" or
 * "timeout" in the message) while the longest fetch of their repo took the host at least their
 * spec.timeout, or was cut short after at least 90 % of it (the client gave up while git was
 * still packing). The stall samples must carry `detail.repo` and `detail.timeoutSeconds`.
 */
export function findCloneTimeouts(stallSamples: readonly Sample[], githubSamples: readonly Sample[]): CloneTimeout[] {
  const latest = new Map<string, Sample>();
  for (const s of stallSamples) if (s.name === 'source_failing' && s.labels?.object) latest.set(s.labels.object, s);
  const longest = new Map<string, FetchSample>();
  for (const s of githubSamples) {
    const fetch = fetchOf(s);
    if (fetch && fetch.hostSeconds > (longest.get(fetch.repo)?.hostSeconds ?? -1)) longest.set(fetch.repo, fetch);
  }
  const found: CloneTimeout[] = [];
  for (const [object, s] of latest) {
    const message = typeof s.detail?.message === 'string' ? s.detail.message : '';
    const repo = typeof s.detail?.repo === 'string' ? s.detail.repo : undefined;
    const timeoutSeconds = num(s.detail?.timeoutSeconds);
    if (!repo || timeoutSeconds === undefined || !timeoutMessage.test(message)) continue;
    const fetch = longest.get(repo);
    if (!fetch) continue;
    const slow = fetch.cutShort ? fetch.hostSeconds >= CUT_AT_TIMEOUT * timeoutSeconds : fetch.hostSeconds >= timeoutSeconds;
    if (!slow) continue;
    found.push({ object, repo, timeoutSeconds, hostSeconds: fetch.hostSeconds, cutShort: fetch.cutShort, message, warning: cloneTimeoutWarning(object, repo, timeoutSeconds, fetch) });
  }
  return found.sort((a, b) => a.object.localeCompare(b.object));
}

function cloneTimeoutWarning(object: string, repo: string, timeoutSeconds: number, fetch: FetchSample): string {
  const took = fetch.cutShort
    ? `the host was still packing ${repo} after ${formatDuration(fetch.hostSeconds * 1000)} when the client gave up`
    : `a clone of ${repo} took the host ${formatDuration(fetch.hostSeconds * 1000)} (${formatBytes(fetch.bytesOut)})`;
  return (
    `${object} failed with a timeout: spec.timeout is ${formatDuration(timeoutSeconds * 1000)} and ${took}. ` +
    'Raise spec.timeout above the clone time; keep large files out of what Flux clones (spec.ignore and ' +
    'spec.sparseCheckout shrink the artifact, not the clone); clone shallow (a branch or tag ref clones at depth 1, a pinned commit the whole history).'
  );
}
