/** faults: the chaos timeline's fault bands (its executor writes start/end/failed samples); no summary metric. */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { defineMeasurement } from './types.ts';

export const faultBandSchema = z.object({
  fault: z.string(),
  target: z.string(),
  start: z.number(),
  /** Missing when the run ended before the fault did. */
  end: z.number().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  /** Set when the fault could not be injected (a `failed` fault sample). */
  error: z.string().optional(),
});
export type FaultBand = z.infer<typeof faultBandSchema>;

/**
 * Turns fault start/end samples into bands (a `host` label, set by the registry's fault samples,
 * prefixes the fault: "registry outage"). An end closes the open start with the same fault,
 * target and id (detail.id or detail.index, when the producer sets one), else the earliest open
 * start of that fault and target. A `failed` sample marks a fault that could not be injected.
 */
export function pairFaults(sorted: readonly Sample[]): FaultBand[] {
  const bands: FaultBand[] = [];
  const open = new Map<string, { band: FaultBand; id: string | undefined }[]>();
  for (const s of sorted) {
    if (s.kind !== 'fault') continue;
    // A source host's own fault samples name the host (`registry`); the fake GitHub's predate
    // the label. The host is part of the fault's name so an outage of one never closes the other's.
    const fault = s.labels?.host ? `${s.labels.host} ${s.labels.fault ?? 'unknown'}` : (s.labels?.fault ?? 'unknown');
    const target = s.labels?.target ?? '';
    const key = `${fault}\u0000${target}`;
    const id = faultId(s.detail);
    const queue = open.get(key) ?? [];
    open.set(key, queue);
    if (s.name === 'start') {
      const band: FaultBand = { fault, target, start: s.ts };
      if (s.detail && Object.keys(s.detail).length > 0) band.detail = s.detail;
      bands.push(band);
      queue.push({ band, id });
      continue;
    }
    if (s.name !== 'end' && s.name !== 'failed') continue;
    let index = id === undefined ? -1 : queue.findIndex((entry) => entry.id === id);
    if (index < 0 && queue.length > 0) index = 0;
    const closed = index >= 0 ? queue.splice(index, 1)[0]!.band : undefined;
    if (s.name === 'end') {
      if (closed) closed.end = s.ts;
      continue;
    }
    const error = typeof s.detail?.error === 'string' ? s.detail.error : 'injection failed';
    if (closed) {
      closed.end = s.ts;
      closed.error = error;
    } else {
      bands.push({ fault, target, start: s.ts, end: s.ts, error });
    }
  }
  return bands;
}

function faultId(detail: Record<string, unknown> | undefined): string | undefined {
  const id = detail?.id ?? detail?.index;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export const faultsMeasurement = defineMeasurement({
  name: 'faults',
  description: 'the chaos timeline writes a start, end or failed sample per injected fault',
  catalogue: [],
  analyze: (input) => ({ faults: pairFaults(input.of('fault')) }),
});
