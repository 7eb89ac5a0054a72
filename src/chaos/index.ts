export { runTimeline, targetOf, type TimelineRun } from './executor.ts';
export type { ChaosTargets } from './targets.ts';
