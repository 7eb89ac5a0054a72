import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A cross-process lock: mkdir is atomic, and the owner's pid inside lets a later process take
 * over a lock whose owner died (a killed build must not block the next one forever).
 */
export async function withDirLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  onWait?: (ownerPid: number) => void,
): Promise<T> {
  let warned = false;
  for (;;) {
    try {
      await mkdir(lockDir, { recursive: false });
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => ''), 10);
      if (Number.isFinite(owner) && !alive(owner)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!warned && Number.isFinite(owner)) onWait?.(owner);
      warned = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
