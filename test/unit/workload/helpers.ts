import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { testKubectl } from '../../support/kubectl.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fluxbench-${prefix}-`));
}

/**
 * kubectl with kustomize: FLUXBENCH_KUBECTL, else the toolchain's (built by `fluxbench setup`),
 * else the first on PATH; undefined when absent.
 */
export function findKubectl(): string | undefined {
  const candidates = [
    process.env.FLUXBENCH_KUBECTL,
    testKubectl(),
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'kubectl')),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Checks a bare repo's main out into a fresh directory. */
export function checkout(bareRepo: string, into: string): string {
  git(['clone', '--quiet', bareRepo, into]);
  return into;
}

/** Every file under dir (relative paths), .git excluded. */
export function listFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, root));
    else out.push(relative(root, path));
  }
  return out.sort();
}
