/** objects: how many Flux objects exist and are Ready, per kind, sampled each interval by the lag measurement. */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { assignDefined } from './collections.ts';
import { defineMeasurement } from './types.ts';

export const objectsStatsSchema = z.object({
  /** The last counts summed over kinds. */
  readyLast: z.number().optional(),
  totalLast: z.number().optional(),
  byKind: z.record(z.string(), z.object({ ready: z.number().optional(), total: z.number().optional() })),
});
export type ObjectsStats = z.infer<typeof objectsStatsSchema>;

function analyzeObjects(sorted: readonly Sample[]): ObjectsStats {
  const byKind: ObjectsStats['byKind'] = {};
  for (const s of sorted) {
    if (s.kind !== 'objects' || typeof s.value !== 'number') continue;
    if (s.name !== 'ready' && s.name !== 'total') continue;
    const kind = s.labels?.kind ?? 'all';
    (byKind[kind] ??= {})[s.name] = s.value;
  }
  const kinds = Object.values(byKind);
  const sum = (field: 'ready' | 'total') => (kinds.some((k) => k[field] !== undefined) ? kinds.reduce((acc, k) => acc + (k[field] ?? 0), 0) : undefined);
  const out: ObjectsStats = { byKind };
  assignDefined(out, { readyLast: sum('ready'), totalLast: sum('total') });
  return out;
}

export const objectsMeasurement = defineMeasurement({
  name: 'objects',
  description: 'sampled each interval by the lag measurement: Ready and total objects per kind',
  catalogue: [
    { pattern: 'objects.ready.last', unit: 'count', aggregation: 'last', description: 'Objects Ready at the last readiness sample, summed over kinds' },
    { pattern: 'objects.total.last', unit: 'count', aggregation: 'last', description: 'Objects at the last readiness sample, summed over kinds' },
  ],
  analyze: (input) => ({ objects: analyzeObjects(input.of('objects')) }),
  summarize: ({ objects }: { objects: ObjectsStats }) => ({ 'objects.ready.last': objects.readyLast, 'objects.total.last': objects.totalLast }),
});
