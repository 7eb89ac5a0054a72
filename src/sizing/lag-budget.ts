/**
 * The lag budget of sizing, and which lever moves the lag.
 *
 * lag.applied (push → applied) has two parts. The source's part, lag.artifact (push → artifact),
 * is mostly the wait for source-controller's next poll: up to one interval, or near zero with a
 * webhook (Receiver). The controllers' part, lag.controllers (artifact → applied), is the work
 * kustomize- and helm-controller do once the artifact exists, which their concurrency, shards,
 * CPU and memory decide. More memory or concurrency cannot shorten a poll, so by default sizing
 * judges the controllers' part against the budget, and the source's part against one interval
 * plus the same budget (a source-controller too small to fetch within that shows there).
 * `targets.lag: total` judges push → applied against the budget, as sizing did before the split.
 */
import { formatDuration, parseDuration } from '../util/units.ts';
import type { LagJudged } from './spec.ts';

export interface LagBudget {
  /** The budget, as written ("60s"). */
  lagP95: string;
  /** Which lag it bounds. */
  lag: LagJudged;
}

/** The p95 of each part of the lag of one run, in seconds; absent when not measured. */
export interface LagParts {
  /** lag.artifact.p95: push → artifact. */
  sourceP95Seconds?: number | undefined;
  /** lag.controllers.p95: artifact → applied, per commit and object. */
  controllersP95Seconds?: number | undefined;
  /** lag.applied.p95: push → applied. */
  totalP95Seconds?: number | undefined;
}

/** The parts from a run's summary metrics. */
export function lagPartsOf(metrics: Readonly<Record<string, number>>): LagParts {
  return {
    sourceP95Seconds: metrics['lag.artifact.p95'],
    controllersP95Seconds: metrics['lag.controllers.p95'],
    totalP95Seconds: metrics['lag.applied.p95'],
  };
}

/** The bound of the source's part when the controllers' part is judged: one poll interval, then the budget. */
export function sourceBoundSeconds(interval: string, lagP95: string): number {
  return (parseDuration(interval) + parseDuration(lagP95)) / 1000;
}

const durationOf = (seconds: number) => (Number.isInteger(seconds) ? formatDuration(seconds * 1000) : `${seconds}s`);
const seconds = (value: number | undefined) => (value === undefined ? 'not measured' : formatDuration(value * 1000));

/** The thresholds of a target check, e.g. ["lag.controllers.p95 < 60s", "lag.artifact.p95 < 3m"] at interval 2m. */
export function lagThresholds(budget: LagBudget, interval: string): string[] {
  if (budget.lag === 'total') return [`lag.applied.p95 < ${budget.lagP95}`];
  return [`lag.controllers.p95 < ${budget.lagP95}`, `lag.artifact.p95 < ${durationOf(sourceBoundSeconds(interval, budget.lagP95))}`];
}

/** Whether a run's lag met the budget, as lagThresholds would judge it; a part not measured does not. */
export function lagMet(parts: LagParts, interval: string, budget: LagBudget): boolean {
  const limit = parseDuration(budget.lagP95) / 1000;
  if (budget.lag === 'total') return parts.totalP95Seconds !== undefined && parts.totalP95Seconds < limit;
  return (
    parts.controllersP95Seconds !== undefined &&
    parts.controllersP95Seconds < limit &&
    parts.sourceP95Seconds !== undefined &&
    parts.sourceP95Seconds < sourceBoundSeconds(interval, budget.lagP95)
  );
}

/** What the budget bounds, in words: "controllers' lag p95 < 60s" or "total lag p95 < 60s". */
export function describeLagBudget(budget: LagBudget): string {
  return `${budget.lag === 'total' ? 'total' : "controllers'"} lag p95 < ${budget.lagP95}`;
}

/** Why a run did not meet the budget, for a recommendation's notes. */
export function lagMissedNote(budget: LagBudget): string {
  return budget.lag === 'total'
    ? `no run kept lag.applied.p95 under ${budget.lagP95} without restarts`
    : `no run kept lag.controllers.p95 under ${budget.lagP95} (and lag.artifact.p95 under the interval + ${budget.lagP95}) without restarts`;
}

/** Both parts and the total, e.g. "source (push → artifact) 1m35s at interval 2m, controllers (artifact → applied) 7s, total (push → applied) 1m42s". */
export function lagPartsText(parts: LagParts, interval: string): string {
  return (
    `source (push → artifact) ${seconds(parts.sourceP95Seconds)} at interval ${interval}, ` +
    `controllers (artifact → applied) ${seconds(parts.controllersP95Seconds)}, total (push → applied) ${seconds(parts.totalP95Seconds)}`
  );
}

/**
 * The lever that moves the lag; undefined without both parts. A source's part beyond one interval
 * plus the budget means source-controller is not keeping up with its polls, whatever the
 * interval; a controllers' part over a budget that judges it points at the controllers; else the
 * larger part names the lever.
 */
export function lagLever(parts: LagParts, interval: string, budget: LagBudget): string | undefined {
  const { sourceP95Seconds: source, controllersP95Seconds: controllers } = parts;
  if (source === undefined || controllers === undefined) return undefined;
  if (source >= sourceBoundSeconds(interval, budget.lagP95)) {
    return `source-controller is behind its polls (the source's part exceeds the interval ${interval} + ${budget.lagP95}): raise its --concurrent, CPU or memory`;
  }
  const controllersOver = budget.lag === 'controllers' && controllers >= parseDuration(budget.lagP95) / 1000;
  if (source >= controllers && !controllersOver) {
    return `most of the lag is the source's, the wait for the next poll: shorten the interval (${interval}) or add webhooks (Receivers); controller concurrency or memory will not cut it`;
  }
  const why = controllersOver ? `the controllers' part (artifact → applied) is over ${budget.lagP95}` : "most of the lag is the controllers' (artifact → applied)";
  return `${why}: raise kustomize-controller --concurrent, shard it, or give it more CPU`;
}
