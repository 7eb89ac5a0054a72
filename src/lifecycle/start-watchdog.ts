import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunRegistry } from './registry.ts';

/**
 * Starts the detached watchdog for this run (see watchdog.ts). While the runner lives, the
 * watchdog is a shell loop polling two things cheaply (the record file, the runner's pid), so
 * it costs the run nothing measurable; only when the runner died without removing its record
 * does it start Node to reap what the record names.
 */
export function startWatchdog(registry: RunRegistry): void {
  const script = fileURLToPath(new URL('./watchdog.ts', import.meta.url));
  const loop =
    'while [ -f "$1" ] && kill -0 "$2" 2>/dev/null; do sleep 0.5; done; ' +
    '[ -f "$1" ] && exec "$3" --import tsx "$4" "$1" "$2"; exit 0';
  const child = spawn('/bin/sh', ['-c', loop, 'fluxbench-watchdog', registry.path, String(process.pid), process.execPath, script], {
    detached: true,
    stdio: 'ignore',
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  child.unref();
}
