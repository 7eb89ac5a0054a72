/**
 * The run's watchdog, started detached (its own session) by the runner, like the reaper
 * container testcontainers starts: it polls the runner's pid and, once the runner is gone
 * without having removed its record (SIGKILL, OOM, a crash), stops everything the record names.
 *
 * argv: <record path> <owner pid>
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive, reapRun } from './reap.ts';
import type { RunRecord } from './registry.ts';

const [recordPath, ownerPidText] = process.argv.slice(2);
const ownerPid = Number(ownerPidText);
if (!recordPath || !Number.isFinite(ownerPid)) process.exit(2);

for (;;) {
  if (!existsSync(recordPath)) process.exit(0); // clean end of run
  if (!processAlive(ownerPid)) break;
  await sleep(250);
}
try {
  const record = JSON.parse(readFileSync(recordPath, 'utf8')) as RunRecord;
  await reapRun(record);
} finally {
  rmSync(recordPath, { force: true });
}
