/**
 * RAM-backed temp dirs for host-process controllers (`controllers.<c>.tmpfs`): what an emptyDir
 * with `medium: Memory` is to a pod. One folder per run under /dev/shm, one subfolder per
 * controller instance, all removed when Flux stops (and by the reaper after a killed run).
 */
import { mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { FluxbenchError } from '../util/exit-codes.ts';

/** Where RAM-backed folders are made: Linux's tmpfs for shared memory. */
export const defaultRamRoot = '/dev/shm';

/** statfs f_type of the filesystems that keep their files in memory (linux/magic.h). */
const ramFilesystems = new Set([0x01021994 /* tmpfs */, 0x858458f6 /* ramfs */]);

/** The run's folder of RAM-backed temp dirs (not created). */
export function ramTempRunDir(runId: string, root = defaultRamRoot): string {
  return join(root, `fluxbench-${runId}`);
}

/**
 * Makes `<root>/fluxbench-<runId>/<id>` (mode 0700) for one controller instance and returns its
 * path. Throws FluxbenchError when `root` is missing or not RAM-backed: a temp dir on disk
 * would silently measure something else than the scenario asks for.
 */
export async function makeRamTempDir(runId: string, id: string, root = defaultRamRoot): Promise<string> {
  const stats = await statfs(root).catch(() => undefined);
  if (!stats) throw new FluxbenchError(`controllers.*.tmpfs needs ${root} (a RAM-backed tmpfs), which this machine does not have`);
  if (!ramFilesystems.has(stats.type)) {
    throw new FluxbenchError(`controllers.*.tmpfs needs ${root} on a RAM-backed filesystem (tmpfs); here it is not (statfs type 0x${stats.type.toString(16)})`);
  }
  const runDir = ramTempRunDir(runId, root);
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  const dir = join(runDir, id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Removes the run's RAM-backed temp dirs (what is in them is held in memory until then). */
export async function removeRamTempDirs(runId: string, root = defaultRamRoot): Promise<void> {
  await rm(ramTempRunDir(runId, root), { recursive: true, force: true });
}
