import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A memory cgroup for one supervised process, so a configured limit is enforced by the kernel
 * and an OOM kill is the real thing. Supports cgroup v2 (unified) and v1 (memory controller).
 */
export interface MemoryCgroup {
  readonly path: string;
  readonly version: 1 | 2;
  addProcess(pid: number): Promise<void>;
  setLimit(bytes: number): Promise<void>;
  /** Kernel OOM kills inside this cgroup so far. */
  oomKills(): Promise<number>;
  remove(): Promise<void>;
}

export interface CgroupRoots {
  v2?: string;
  v1Memory?: string;
}

/** Finds where memory cgroups can be made on this machine. */
export function detectCgroupRoots(mountsText: string): CgroupRoots {
  const roots: CgroupRoots = {};
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, fsType, options] = line.split(' ');
    if (!mountPoint || !fsType) continue;
    if (fsType === 'cgroup2' && existsSync(join(mountPoint, 'cgroup.controllers'))) roots.v2 ??= mountPoint;
    if (fsType === 'cgroup' && options?.split(',').includes('memory')) roots.v1Memory ??= mountPoint;
  }
  return roots;
}

/** Parses `oom_kill N` from memory.events (v2) or memory.oom_control (v1). */
export function parseOomKills(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

async function v2HasMemory(root: string): Promise<boolean> {
  const controllers = await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => '');
  return controllers.split(/\s+/).includes('memory');
}

/** Creates `<root>/fluxbench/<group>/<name>`; undefined when no memory cgroup can be made here. */
export async function createMemoryCgroup(group: string, name: string): Promise<MemoryCgroup | undefined> {
  const roots = detectCgroupRoots(await readFile('/proc/mounts', 'utf8'));
  if (roots.v2 && (await v2HasMemory(roots.v2))) {
    const parent = join(roots.v2, 'fluxbench');
    const runGroup = join(parent, group);
    const path = join(runGroup, name);
    try {
      await mkdir(path, { recursive: true });
      for (const dir of [roots.v2, parent, runGroup]) {
        await writeFile(join(dir, 'cgroup.subtree_control'), '+memory').catch(() => undefined);
      }
      return v2Cgroup(path);
    } catch {
      // fall through to v1
    }
  }
  if (roots.v1Memory) {
    const path = join(roots.v1Memory, 'fluxbench', group, name);
    try {
      await mkdir(path, { recursive: true });
      return v1Cgroup(path);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function v2Cgroup(path: string): MemoryCgroup {
  return {
    path,
    version: 2,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    setLimit: async (bytes) => {
      await writeFile(join(path, 'memory.max'), String(bytes));
      await writeFile(join(path, 'memory.swap.max'), '0').catch(() => undefined);
    },
    oomKills: async () => parseOomKills(await readFile(join(path, 'memory.events'), 'utf8').catch(() => '')),
    remove: () => removeCgroupDir(path),
  };
}

function v1Cgroup(path: string): MemoryCgroup {
  return {
    path,
    version: 1,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    setLimit: async (bytes) => {
      await writeFile(join(path, 'memory.limit_in_bytes'), String(bytes));
      await writeFile(join(path, 'memory.memsw.limit_in_bytes'), String(bytes)).catch(() => undefined);
    },
    oomKills: async () => parseOomKills(await readFile(join(path, 'memory.oom_control'), 'utf8').catch(() => '')),
    remove: () => removeCgroupDir(path),
  };
}

/** A cgroup folder can be removed once empty; parents of a run are removed when they empty too. */
async function removeCgroupDir(path: string): Promise<void> {
  await rmdir(path).catch(() => undefined);
  await rmdir(join(path, '..')).catch(() => undefined);
}
