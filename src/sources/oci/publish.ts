/**
 * An OCI workload's artifacts published from the generated Git repos, as a CI pipeline does on
 * each push: export the changed directories at the commit (`git archive`), `flux push artifact`
 * each with `--source` the repo's URL and `--revision <branch>@sha1:<commit>`, then move the tag
 * OCIRepositories follow. Publishes of one repo are serialised so the tag ends on its newest commit.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Push } from '../../metrics/lag-state.ts';
import type { Publisher } from '../../oci/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
import type { CommitEvent, GeneratedWorkload, OciArtifactPlan } from '../../workload/index.ts';

const execFileAsync = promisify(execFile);
const branch = 'main';

async function git(gitDir: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new FluxbenchError(`git ${args.join(' ')} in ${gitDir} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Writes the files of `dirs` at `commit` under `dest` (paths kept), through git archive and tar. */
async function exportTree(gitDir: string, commit: string, dirs: readonly string[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const tarball = join(dest, '.export.tar');
  await git(gitDir, ['archive', '--format=tar', `--output=${tarball}`, commit, '--', ...dirs]);
  try {
    await execFileAsync('tar', ['-xf', tarball, '-C', dest]);
  } catch (err) {
    throw new FluxbenchError(`extracting ${tarball} failed: ${(err as Error).message}`);
  } finally {
    await rm(tarball, { force: true });
  }
}

/** Paths a commit changed against its parent. */
async function changedPaths(gitDir: string, parent: string, commit: string): Promise<string[]> {
  const out = await git(gitDir, ['diff-tree', '--no-commit-id', '--name-only', '-r', parent, commit]);
  return out.split('\n').filter(Boolean);
}

/** Whether a change under `path` changes the artifact carrying `dir`. */
export function touches(dir: string, path: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** What was published of one artifact: its newest digest and the commit it carries. */
export interface PublishedArtifact {
  repository: string;
  digest: string;
  commit: string;
  publishedAt: number;
}

export interface Publication {
  /** Publishes every artifact at its repo's head commit, and the chart; resolves once all tags moved. */
  publishAll(): Promise<PublishedArtifact[]>;
  /** Publishes the artifacts a commit changed; one lag push per artifact (none when it changed none). */
  publishCommit(event: CommitEvent): Promise<Push[]>;
  /** The newest publish of each artifact, by repository path. */
  published(): ReadonlyMap<string, PublishedArtifact>;
}

/** The publishing of one generated OCI workload, its exports made under `workDir` (removed after each publish). */
export function createPublication(workload: GeneratedWorkload, publisher: Publisher, workDir: string): Publication {
  const oci = workload.oci;
  if (!oci) throw new FluxbenchError('the generated workload has no OCI artifacts (workload.source is not oci)');
  const latest = new Map<string, PublishedArtifact>();
  const queues = new Map<string, Promise<unknown>>();
  const repoOf = (fullName: string) => {
    const repo = workload.repos.find((r) => r.fullName === fullName);
    if (!repo) throw new FluxbenchError(`no generated repo ${fullName} for an OCI artifact`);
    return repo;
  };

  /** Publishes `artifacts` (all from `repoName`) at `commit`, `concurrency`-bounded by the publisher. */
  const publish = async (repoName: string, commit: string, artifacts: readonly OciArtifactPlan[]): Promise<PublishedArtifact[]> => {
    const repo = repoOf(repoName);
    const dest = await mkdtemp(join(workDir, `${repo.name}-${commit.slice(0, 7)}-`));
    try {
      await exportTree(repo.path, commit, [...new Set(artifacts.map((a) => a.dir))], dest);
      return await Promise.all(
        artifacts.map(async (artifact) => {
          const done = await publisher.publish({ repository: artifact.repository, path: join(dest, artifact.dir), source: repo.url, branch, commit, moveTags: [oci.tag] });
          const record = { repository: artifact.repository, digest: done.digest, commit, publishedAt: done.publishedAt };
          latest.set(artifact.repository, record);
          return record;
        }),
      );
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  };

  /** Runs after every earlier publish of the same Git repo. */
  const serialised = <T>(repoName: string, task: () => Promise<T>): Promise<T> => {
    const run = (queues.get(repoName) ?? Promise.resolve()).then(task, task);
    queues.set(repoName, run.catch(() => undefined));
    return run;
  };

  return {
    async publishAll() {
      await mkdir(workDir, { recursive: true });
      const byRepo = new Map<string, OciArtifactPlan[]>();
      for (const artifact of oci.artifacts) byRepo.set(artifact.sourceRepo, [...(byRepo.get(artifact.sourceRepo) ?? []), artifact]);
      const chart = oci.chart && oci.chartPackage ? publisher.publishChart(oci.chartPackage, oci.chart.pushPath) : undefined;
      // Awaited together: a chart push failing after the artifacts did must not be left unhandled.
      const [published] = await Promise.all([
        Promise.all([...byRepo].map(([repoName, artifacts]) => serialised(repoName, () => publish(repoName, repoOf(repoName).headSha, artifacts)))),
        chart,
      ]);
      return published.flat();
    },
    publishCommit(event) {
      return serialised(event.repo, async () => {
        const candidates = oci.artifacts.filter((a) => a.sourceRepo === event.repo);
        if (candidates.length === 0) return [];
        await mkdir(workDir, { recursive: true });
        const changed = await changedPaths(repoOf(event.repo).path, event.parentSha, event.sha);
        const artifacts = candidates.filter((a) => changed.some((path) => touches(a.dir, path)));
        if (artifacts.length === 0) return [];
        const published = await publish(event.repo, event.sha, artifacts);
        return published.map((p) => ({ repo: p.repository, sha: event.sha, pushedAt: p.publishedAt, digest: p.digest }));
      });
    },
    published: () => latest,
  };
}
