import { defaultCycleLimits } from './cycles.ts';
import type { CycleSearchLimits } from './cycles.ts';

export interface DiagnoseOptions {
  /** An object not Ready and not failing outright is stuck after this many of its intervals. */
  staleIntervals: number;
  /** How long a newer source revision, or an unhandled reconcile request, may wait before it counts. */
  graceMs: number;
  /** Interval assumed for objects that declare none. */
  defaultIntervalMs: number;
  /** Latest events kept per object in a chain. */
  eventsPerObject: number;
  cycleLimits: CycleSearchLimits;
}

export const defaultDiagnoseOptions: DiagnoseOptions = {
  staleIntervals: 3,
  graceMs: 120_000,
  defaultIntervalMs: 600_000,
  eventsPerObject: 3,
  cycleLimits: defaultCycleLimits,
};
