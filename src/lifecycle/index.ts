export { RunRegistry, readRunRecords, runsDir, type RunRecord } from './registry.ts';
export { reapRun, reapOrphanedRuns, processAlive } from './reap.ts';
export { startWatchdog } from './start-watchdog.ts';
export { onTermination } from './signals.ts';
