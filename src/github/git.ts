import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { storageConfigCommands } from '../util/git-storage.ts';
import { gitEnv } from './git-processes.ts';

export { sanitizeGitProtocol } from './git-processes.ts';

const execFileAsync = promisify(execFile);

export const zeroSha = '0000000000000000000000000000000000000000';

export async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { env: gitEnv(), maxBuffer: 64 * 1024 * 1024, ...(cwd ? { cwd } : {}) });
  return stdout;
}

/** A bare repository stored as GitHub stores them (see src/util/git-storage.ts). */
export async function initBareRepo(dir: string, defaultBranch = 'main'): Promise<void> {
  await git(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, dir]);
  for (const command of storageConfigCommands()) await git(['--git-dir', dir, ...command]);
}

/** Every ref → sha in a bare repo. */
export async function listRefs(repoDir: string): Promise<Map<string, string>> {
  const out = await git(['--git-dir', repoDir, 'for-each-ref', '--format=%(objectname) %(refname)']);
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs;
}

export interface RefUpdate {
  ref: string;
  before: string;
  after: string;
}

/** What changed between two ref snapshots. */
export function diffRefs(before: Map<string, string>, after: Map<string, string>): RefUpdate[] {
  const updates: RefUpdate[] = [];
  for (const [ref, sha] of after) {
    const old = before.get(ref) ?? zeroSha;
    if (old !== sha) updates.push({ ref, before: old, after: sha });
  }
  for (const [ref, sha] of before) if (!after.has(ref)) updates.push({ ref, before: sha, after: zeroSha });
  return updates.sort((a, b) => a.ref.localeCompare(b.ref));
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  message: string;
  added: string[];
  removed: string[];
  modified: string[];
}

const commitFormat = '%x1e%H%x1f%T%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1f';

function parseCommits(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split('\x1e').slice(1)) {
    const f = record.split('\x1f');
    const files = { added: [] as string[], removed: [] as string[], modified: [] as string[] };
    for (const line of (f[10] ?? '').split('\n')) {
      const [status, first, second] = line.split('\t');
      if (!status || !first) continue;
      if (status === 'A') files.added.push(first);
      else if (status === 'D') files.removed.push(first);
      else if (status.startsWith('R') && second) {
        files.removed.push(first);
        files.added.push(second);
      } else files.modified.push(first);
    }
    commits.push({
      sha: f[0]!,
      tree: f[1]!,
      parents: f[2] ? f[2].split(' ') : [],
      authorName: f[3]!,
      authorEmail: f[4]!,
      authorDate: f[5]!,
      committerName: f[6]!,
      committerEmail: f[7]!,
      committerDate: f[8]!,
      message: (f[9] ?? '').replace(/\n+$/, ''),
      ...files,
    });
  }
  return commits;
}

/** The commits a push brought (oldest first, at most `limit`, like GitHub's payload). */
export async function commitsOfPush(repoDir: string, update: RefUpdate, limit = 20): Promise<CommitInfo[]> {
  if (update.after === zeroSha) return [];
  const range = update.before === zeroSha ? [update.after] : [update.after, `^${update.before}`];
  const out = await git(['--git-dir', repoDir, 'log', '-n', String(limit), '--reverse', `--format=${commitFormat}`, '--name-status', ...range, '--']);
  return parseCommits(out);
}

/** One commit by ref or sha; undefined when it does not resolve. Callers validate `ref`. */
export async function readCommit(repoDir: string, ref: string): Promise<CommitInfo | undefined> {
  try {
    const sha = (await git(['--git-dir', repoDir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const out = await git(['--git-dir', repoDir, 'show', '-s', `--format=${commitFormat}`, sha, '--']);
    return parseCommits(out)[0];
  } catch {
    return undefined;
  }
}
