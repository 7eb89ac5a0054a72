/**
 * The runner's phases as the sample stream marks them: one `phase` sample, named after the
 * phase, when the runner enters it (github, provision, ..., settle, measure, verdict, teardown).
 * A phase lasts until the next phase sample.
 */
import type { Sample } from '../metrics/sample.ts';

/** When one phase ran, in epoch ms; both ends inclusive. */
export interface PhaseWindow {
  startTs: number;
  endTs: number;
}

/**
 * The window of phase `name`: from its phase sample to the next phase sample, or to `lastTs`
 * (the run's last sample) when the stream ends inside it, as an interrupted run's may.
 * `phaseSamples` must be time-ordered; undefined when the phase never started.
 */
export function phaseWindow(phaseSamples: readonly Sample[], name: string, lastTs: number | undefined): PhaseWindow | undefined {
  const index = phaseSamples.findIndex((s) => s.kind === 'phase' && s.name === name);
  if (index < 0) return undefined;
  const startTs = phaseSamples[index]!.ts;
  const next = phaseSamples.slice(index + 1).find((s) => s.kind === 'phase' && s.name !== name);
  return { startTs, endTs: Math.max(startTs, next?.ts ?? lastTs ?? startTs) };
}

/** The points inside a window (ends included), in their order. */
export function withinWindow<T extends { ts: number }>(points: readonly T[], window: PhaseWindow): T[] {
  return points.filter((p) => p.ts >= window.startTs && p.ts <= window.endTs);
}
