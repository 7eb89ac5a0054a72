/** The few plain git calls the generator needs besides fast-import. */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FluxbenchError } from '../util/exit-codes.ts';
import { fullRepackArgs, storageConfigText } from '../util/git-storage.ts';

const execFileAsync = promisify(execFile);

export async function git(args: readonly string[], options: { gitDir?: string; cwd?: string } = {}): Promise<string> {
  const env = { ...process.env, ...(options.gitDir ? { GIT_DIR: options.gitDir } : {}) };
  try {
    const { stdout } = await execFileAsync('git', [...args], { cwd: options.cwd ?? options.gitDir, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new FluxbenchError(`git ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/**
 * Creates an empty bare repo whose HEAD points at main (what the fake GitHub serves), stored as
 * GitHub stores repositories: imports and pushes of any size stay packed (src/util/git-storage.ts).
 */
export async function initBareRepo(gitDir: string): Promise<void> {
  await git(['init', '--quiet', '--bare', '--initial-branch=main', gitDir], { cwd: '/' });
  await appendFile(join(gitDir, 'config'), storageConfigText());
}

/**
 * Repacks a written repository into one pack with a reachability bitmap (`git repack -a -d -b`),
 * as GitHub stores a repository after its gc: clones then copy packed objects instead of
 * compressing them, and full clones walk the bitmap instead of the history.
 * @throws FluxbenchError when git fails.
 */
export async function packRepository(gitDir: string): Promise<void> {
  await git(fullRepackArgs, { gitDir });
}

/** SHA of a ref, or undefined when it does not exist yet. */
export async function resolveRef(gitDir: string, ref = 'refs/heads/main'): Promise<string | undefined> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { gitDir })).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Bytes on disk under a directory (files only). */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
