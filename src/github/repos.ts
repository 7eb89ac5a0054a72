import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../util/exit-codes.ts';
import { isValidOwner, isValidRepoName, ownerRule, repoRule } from './names.ts';
import { initBareRepo } from './git.ts';

export interface RepoInfo {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  pushedAt?: string;
}

const metadataFile = 'fluxbench-repo.json';

/** A stable numeric id from the full name, so ids survive restarts of `github serve`. */
export function repoId(fullName: string): number {
  return createHash('sha256').update(fullName).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * Bare repositories under `<root>/<owner>/<repo>.git`, with their visibility kept in a small
 * JSON file inside the bare directory (git ignores it). Repos that appear on disk without one
 * are public.
 */
export class RepoStore {
  private readonly cache = new Map<string, RepoInfo>();

  constructor(readonly root: string) {}

  path(owner: string, repo: string): string {
    if (!isValidOwner(owner)) throw new UsageError(`invalid owner "${owner}": ${ownerRule}`);
    if (!isValidRepoName(repo)) throw new UsageError(`invalid repository name "${repo}": ${repoRule}`);
    return join(this.root, owner, `${repo}.git`);
  }

  async create(owner: string, repo: string, options: { private?: boolean; defaultBranch?: string } = {}): Promise<RepoInfo> {
    const dir = this.path(owner, repo);
    const fullName = `${owner}/${repo}`;
    if (await exists(dir)) throw new UsageError(`repository ${fullName} already exists at ${dir}`);
    await mkdir(join(this.root, owner), { recursive: true });
    const defaultBranch = options.defaultBranch ?? 'main';
    await initBareRepo(dir, defaultBranch);
    const info: RepoInfo = { owner, name: repo, fullName, id: repoId(fullName), private: options.private ?? false, defaultBranch, createdAt: new Date().toISOString() };
    await writeFile(join(dir, metadataFile), JSON.stringify({ private: info.private, defaultBranch, createdAt: info.createdAt }));
    this.cache.set(fullName, info);
    return info;
  }

  /** The repository, or undefined when it does not exist. Names must be pre-validated. */
  async get(owner: string, repo: string): Promise<RepoInfo | undefined> {
    const fullName = `${owner}/${repo}`;
    const cached = this.cache.get(fullName);
    if (cached) return cached;
    const dir = this.path(owner, repo);
    if (!(await exists(join(dir, 'HEAD')))) return undefined;
    let meta: { private?: boolean; defaultBranch?: string; createdAt?: string } = {};
    try {
      meta = JSON.parse(await readFile(join(dir, metadataFile), 'utf8')) as typeof meta;
    } catch {
      // Created outside the fake GitHub: public, default branch main.
    }
    const info: RepoInfo = {
      owner,
      name: repo,
      fullName,
      id: repoId(fullName),
      private: meta.private === true,
      defaultBranch: meta.defaultBranch ?? 'main',
      createdAt: meta.createdAt ?? new Date().toISOString(),
    };
    this.cache.set(fullName, info);
    return info;
  }

  markPushed(info: RepoInfo): void {
    info.pushedAt = new Date().toISOString();
  }

  setVisibility(info: RepoInfo, isPrivate: boolean): void {
    info.private = isPrivate;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
