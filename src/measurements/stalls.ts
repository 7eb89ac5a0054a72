/**
 * stalls: objects stuck for longer than their threshold (stale revision, DependencyNotReady,
 * attempted ≠ applied, failing source), sampled each interval by the lag measurement's watches.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { medianGap } from './stats.ts';
import { defineMeasurement } from './types.ts';

/** Used for stalled.count when the samples do not reveal the sampling interval. */
export const DEFAULT_SAMPLING_INTERVAL_MS = 10_000;

export const stallStatsSchema = z.object({
  object: z.string(),
  reason: z.string(),
  maxSeconds: z.number(),
  firstTs: z.number(),
  lastTs: z.number(),
  /** True when the object was still stuck in the last sampling round of the run. */
  atEnd: z.boolean(),
});
export type StallStats = z.infer<typeof stallStatsSchema>;

export interface StallsAnalysis {
  stalls: StallStats[];
  /** Objects still stuck in the last sampling round, sorted. */
  stalledAtEnd: string[];
}

/**
 * Stalls per (object, reason), and the objects still stuck at the end. Stall samples are only
 * emitted while an object is stuck, once per sampling round; the last round is the latest
 * stall/objects sampling time, and a stall counts as "at the end" when it was seen within half a
 * sampling interval of it (jitter tolerant, yet never matching the round before).
 */
function analyzeStalls(stallSamples: readonly Sample[], objectSamples: readonly Sample[]): StallsAnalysis {
  const roundTimes = [...objectSamples, ...stallSamples].map((s) => s.ts);
  const interval = medianGap(objectSamples.map((s) => s.ts)) ?? medianGap(stallSamples.map((s) => s.ts)) ?? DEFAULT_SAMPLING_INTERVAL_MS;
  const lastRound = roundTimes.reduce<number | undefined>((max, ts) => (max === undefined || ts > max ? ts : max), undefined);
  const byKey = new Map<string, StallStats>();
  for (const s of stallSamples) {
    const object = s.labels?.object ?? 'unknown';
    const key = `${object}\u0000${s.name}`;
    const seconds = typeof s.value === 'number' ? s.value : 0;
    const atEnd = lastRound !== undefined && s.ts >= lastRound - interval / 2;
    const existing = byKey.get(key);
    if (existing) {
      existing.maxSeconds = Math.max(existing.maxSeconds, seconds);
      existing.lastTs = s.ts;
      existing.atEnd ||= atEnd;
    } else {
      byKey.set(key, { object, reason: s.name, maxSeconds: seconds, firstTs: s.ts, lastTs: s.ts, atEnd });
    }
  }
  const stalls = [...byKey.values()].sort((a, b) => a.object.localeCompare(b.object) || a.reason.localeCompare(b.reason));
  const stalledAtEnd = [...new Set(stalls.filter((s) => s.atEnd).map((s) => s.object))].sort();
  return { stalls, stalledAtEnd };
}

export const stallsMeasurement = defineMeasurement({
  name: 'stalls',
  description: 'sampled each interval by the lag measurement: a stall sample per object stuck longer than its threshold',
  catalogue: [
    {
      pattern: 'stalled.count',
      unit: 'count',
      aggregation: 'last',
      description: 'Distinct objects with a stall sample in the last sampling round (within half an interval of it)',
    },
  ],
  analyze: (input) => analyzeStalls(input.of('stall'), input.of('objects')),
  summarize: (analysis: StallsAnalysis) => ({ 'stalled.count': analysis.stalledAtEnd.length }),
});
