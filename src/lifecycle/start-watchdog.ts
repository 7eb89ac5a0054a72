import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunRegistry } from './registry.ts';

/** Starts the detached watchdog for this run (see watchdog.ts); it exits on its own. */
export function startWatchdog(registry: RunRegistry): void {
  const script = fileURLToPath(new URL('./watchdog.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, registry.path, String(process.pid)], {
    detached: true,
    stdio: 'ignore',
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  child.unref();
}
