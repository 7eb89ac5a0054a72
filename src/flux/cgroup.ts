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
  /** The v1 hierarchy with the `cpu` controller (often mounted as `cpu,cpuacct`). */
  v1Cpu?: string;
}

/** Finds where memory and CPU cgroups can be made on this machine. */
export function detectCgroupRoots(mountsText: string): CgroupRoots {
  const roots: CgroupRoots = {};
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, fsType, options] = line.split(' ');
    if (!mountPoint || !fsType) continue;
    if (fsType === 'cgroup2' && existsSync(join(mountPoint, 'cgroup.controllers'))) roots.v2 ??= mountPoint;
    if (fsType === 'cgroup' && options?.split(',').includes('memory')) roots.v1Memory ??= mountPoint;
    if (fsType === 'cgroup' && options?.split(',').includes('cpu')) roots.v1Cpu ??= mountPoint;
  }
  return roots;
}

/** Parses `oom_kill N` from memory.events (v2) or memory.oom_control (v1). */
export function parseOomKills(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

async function v2Has(root: string, controller: 'memory' | 'cpu'): Promise<boolean> {
  const controllers = await readFile(join(root, 'cgroup.controllers'), 'utf8').catch(() => '');
  return controllers.split(/\s+/).includes(controller);
}

/**
 * Makes `<root>/fluxbench/<group>/<name>` in the unified hierarchy with `controller` enabled
 * for it; undefined when that fails. Memory and CPU share this one folder on v2.
 */
async function makeV2Cgroup(root: string, group: string, name: string, controller: 'memory' | 'cpu'): Promise<string | undefined> {
  const parent = join(root, 'fluxbench');
  const runGroup = join(parent, group);
  const path = join(runGroup, name);
  try {
    await mkdir(path, { recursive: true });
    for (const dir of [root, parent, runGroup]) {
      await writeFile(join(dir, 'cgroup.subtree_control'), `+${controller}`).catch(() => undefined);
    }
    return path;
  } catch {
    return undefined;
  }
}

/**
 * Makes `<root>/fluxbench/<group>/<name>` for one controller (`memory` or `cpu`): in the unified
 * hierarchy when it offers the controller, else in the v1 hierarchy of that controller;
 * undefined when neither can be made here (no such controller, not root).
 */
async function makeCgroup(group: string, name: string, controller: 'memory' | 'cpu'): Promise<{ path: string; version: 1 | 2 } | undefined> {
  const roots = detectCgroupRoots(await readFile('/proc/mounts', 'utf8'));
  if (roots.v2 && (await v2Has(roots.v2, controller))) {
    const path = await makeV2Cgroup(roots.v2, group, name, controller);
    if (path) return { path, version: 2 };
  }
  const v1Root = controller === 'memory' ? roots.v1Memory : roots.v1Cpu;
  if (!v1Root) return undefined;
  const path = join(v1Root, 'fluxbench', group, name);
  try {
    await mkdir(path, { recursive: true });
    return { path, version: 1 };
  } catch {
    return undefined;
  }
}

/** Creates `<root>/fluxbench/<group>/<name>`; undefined when no memory cgroup can be made here. */
export async function createMemoryCgroup(group: string, name: string): Promise<MemoryCgroup | undefined> {
  const made = await makeCgroup(group, name, 'memory');
  if (!made) return undefined;
  return made.version === 2 ? v2Cgroup(made.path) : v1Cgroup(made.path);
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

/**
 * A CPU cgroup for one supervised process: a CFS quota caps it at a number of cores, so a
 * CPU-starved controller is really throttled by the kernel. cgroup v2 (`cpu.max`, the same
 * folder as the memory cgroup) where the unified hierarchy has the cpu controller, else v1
 * (`cpu.cfs_period_us` and `cpu.cfs_quota_us` under the `cpu` hierarchy).
 */
export interface CpuCgroup {
  readonly path: string;
  readonly version: 1 | 2;
  addProcess(pid: number): Promise<void>;
  /** Caps the cgroup at `cores` CPUs (0.5 = half of one); undefined lifts the cap. */
  setLimit(cores: number | undefined): Promise<void>;
  /** The cap in force, in cores, read back from the kernel; undefined when there is none. */
  limit(): Promise<number | undefined>;
  remove(): Promise<void>;
}

/** The CFS period a quota is a share of, µs: the kernel's default. */
export const cpuPeriodUs = 100_000;
/** The kernel refuses a quota under 1 ms per period, so caps below 0.01 cores round up to it. */
const minCpuQuotaUs = 1_000;

/** Quota per period, µs, for `cores` CPUs. Throws for a cap that is not a positive number. */
export function cpuQuotaUs(cores: number, periodUs = cpuPeriodUs): number {
  if (!Number.isFinite(cores) || cores <= 0) throw new Error(`CPU limit ${cores}: must be a positive number of cores`);
  return Math.max(minCpuQuotaUs, Math.round(cores * periodUs));
}

/** Cores of a v2 `cpu.max` ("50000 100000"; "max 100000" = no cap). */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === 'max') return undefined;
  return Number(quota) / Number(period ?? cpuPeriodUs);
}

/**
 * Creates `<root>/fluxbench/<group>/<name>` with the cpu controller, without a cap yet; undefined
 * when no CPU cgroup can be made here (no cpu controller, not root). The folder stays on disk
 * until remove() (or the run registry's reaper) takes it away.
 */
export async function createCpuCgroup(group: string, name: string): Promise<CpuCgroup | undefined> {
  const made = await makeCgroup(group, name, 'cpu');
  if (!made) return undefined;
  return made.version === 2 ? v2CpuCgroup(made.path) : v1CpuCgroup(made.path);
}

function v2CpuCgroup(path: string): CpuCgroup {
  return {
    path,
    version: 2,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    setLimit: (cores) => writeFile(join(path, 'cpu.max'), `${cores === undefined ? 'max' : cpuQuotaUs(cores)} ${cpuPeriodUs}`),
    limit: async () => parseCpuMax(await readFile(join(path, 'cpu.max'), 'utf8')),
    remove: () => removeCgroupDir(path),
  };
}

function v1CpuCgroup(path: string): CpuCgroup {
  return {
    path,
    version: 1,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    setLimit: async (cores) => {
      if (cores === undefined) return writeFile(join(path, 'cpu.cfs_quota_us'), '-1');
      await writeFile(join(path, 'cpu.cfs_period_us'), String(cpuPeriodUs));
      await writeFile(join(path, 'cpu.cfs_quota_us'), String(cpuQuotaUs(cores)));
    },
    limit: async () => {
      const quota = Number(await readFile(join(path, 'cpu.cfs_quota_us'), 'utf8'));
      const period = Number(await readFile(join(path, 'cpu.cfs_period_us'), 'utf8'));
      return quota < 0 ? undefined : quota / period;
    },
    remove: () => removeCgroupDir(path),
  };
}

/** A cgroup folder can be removed once empty; parents of a run are removed when they empty too. */
async function removeCgroupDir(path: string): Promise<void> {
  await rmdir(path).catch(() => undefined);
  await rmdir(join(path, '..')).catch(() => undefined);
}
