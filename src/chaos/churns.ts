/**
 * What churn.start and churn.stop share: the running churns of a timeline run (by repository),
 * repository globs, and which churn a churn.stop ends, both at run time and while planning.
 */
import type { ChurnHandle } from '../workload/index.ts';
import { globToRegExp } from '../util/glob.ts';
import { isPlanned, type PlannedAction, type PlannedActionOf, type TimelineAction } from './action.ts';
import type { ChaosRunState } from './state.ts';

type ChurnStart = Extract<TimelineAction, { action: 'churn.start' }>;

/** An omitted glob means every repository. */
export function matchRepo(glob: string | undefined, fullName: string): boolean {
  return !glob || globToRegExp(glob).test(fullName);
}

/** An omitted repo means every repo, so it overlaps everything. */
export function reposOverlap(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Whether a churn.stop on `stopRepo` ends a churn.start on `startRepo`. */
export function stops(stopRepo: string | undefined, startRepo: string | undefined): boolean {
  return stopRepo === undefined || stopRepo === startRepo;
}

/**
 * The churn.starts still running after `earlier` (planned actions in firing order): a start
 * that overlaps a running churn is not counted (it is reported as a problem), a stop ends
 * every churn it names.
 */
export function runningChurnStarts(earlier: readonly PlannedAction[]): Array<PlannedActionOf<ChurnStart>> {
  const running: Array<PlannedActionOf<ChurnStart>> = [];
  for (const planned of earlier) {
    if (isPlanned(planned, 'churn.start')) {
      if (!running.some((other) => reposOverlap(other.action.repo, planned.action.repo))) running.push(planned);
    } else if (isPlanned(planned, 'churn.stop')) {
      const repo = planned.action.repo;
      for (const other of running.filter((start) => stops(repo, start.action.repo))) running.splice(running.indexOf(other), 1);
    }
  }
  return running;
}

/** The churns this run has started, by repository full name; all are stopped when the run stops. */
export function runningChurns(state: ChaosRunState): Map<string, ChurnHandle> {
  return state.slot('churn', () => {
    const churns = new Map<string, ChurnHandle>();
    state.onStop(async () => {
      await Promise.all([...churns.values()].map((churn) => churn.stop()));
      churns.clear();
    });
    return churns;
  });
}
