/**
 * reconcile: how long Flux takes to handle a reconcile request. The flux.reconcile action
 * annotates objects as `flux reconcile` does and writes a `reconcile`/`requested` sample (the
 * objects, the annotation's value, the moment it was taken); the lag measurement's watches write
 * a `reconcile`/`handled` sample whenever an object's `status.lastHandledReconcileAt` changes.
 * Pairing the two gives each object's time to handle, from the sample stream alone.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { timeMs } from '../util/flux-object.ts';
import { formatDuration } from '../util/units.ts';
import { groupBy } from './collections.ts';
import { distribution, distributionSchema } from './stats.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

/** One object asked to reconcile, and when the watches first saw it handled (epoch ms), if they did. */
export interface PairedRequest {
  /** `<Kind>/<namespace>/<name>` */
  object: string;
  /** The annotation's value. */
  requestedAt: string;
  /** Epoch ms of the request. */
  at: number;
  /** The label of the action that asked. */
  action: string;
  handledAt?: number;
}

const requestRowSchema = z.object({
  action: z.string(),
  requestedAt: z.string(),
  at: z.number(),
  objects: z.number(),
  /** Seconds to handle, over this request's objects that were handled. */
  handled: distributionSchema.optional(),
  /** Objects never seen handled, sorted. */
  unhandled: z.array(z.string()),
  /** The three slowest handled objects. */
  slowest: z.array(z.object({ object: z.string(), seconds: z.number() })),
});

export const reconcileStatsSchema = z.object({
  /** Objects asked to reconcile: one per object per request. */
  requested: z.number(),
  /** Seconds from each request to the first sight of the object having handled it. */
  handled: distributionSchema.optional(),
  unhandled: z.number(),
  /** Per request (one run of a flux.reconcile action), in time order. */
  requests: z.array(requestRowSchema),
});
export type ReconcileStats = z.infer<typeof reconcileStatsSchema>;

export interface ReconcileAnalysis {
  /** Absent when the run made no reconcile request. */
  reconcile?: ReconcileStats;
}

const catalogue: MetricEntry[] = [
  { pattern: 'reconcile.requested', unit: 'count', aggregation: 'count', description: 'Objects flux.reconcile asked to reconcile, one per object per request' },
  ...([
    ['p50', 'Median'],
    ['p95', '95th-percentile'],
    ['max', 'Longest'],
  ] as const).map(
    ([aggregation, which]): MetricEntry => ({
      pattern: `reconcile.handled.${aggregation}`,
      unit: 'seconds',
      aggregation,
      description: `${which} time in seconds from a flux.reconcile request until the watches saw the object's status.lastHandledReconcileAt at the requested value (or a later request's)`,
    }),
  ),
  { pattern: 'reconcile.unhandled', unit: 'count', aggregation: 'count', description: 'Objects of flux.reconcile requests never seen handled by the end of the run (0 when all were)' },
];

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Every requested object with the moment it was handled: the first `handled` sample of the
 * object, at or after the request, whose value is the requested one, or a later request's value
 * (the controller handled both in one reconcile; `flux reconcile` would have returned too).
 * `samples` are oldest first; other kinds and malformed samples are skipped. Pure.
 */
export function pairReconcileRequests(samples: readonly Sample[]): PairedRequest[] {
  const seen = new Map<string, Array<{ ts: number; value: string; valueMs: number | undefined }>>();
  const requests: PairedRequest[] = [];
  for (const s of samples) {
    const requestedAt = s.kind === 'reconcile' ? text(s.detail?.requestedAt) : undefined;
    if (requestedAt === undefined) continue;
    if (s.name === 'handled') {
      const object = text(s.labels?.object);
      if (object === undefined) continue;
      const list = seen.get(object) ?? [];
      seen.set(object, list);
      list.push({ ts: s.ts, value: requestedAt, valueMs: timeMs(requestedAt) });
    } else if (s.name === 'requested' && Array.isArray(s.detail?.objects)) {
      const objects = s.detail.objects.map(text).filter((o): o is string => o !== undefined);
      for (const object of objects) requests.push({ object, requestedAt, at: s.ts, action: s.labels?.action ?? 'flux.reconcile' });
    }
  }
  for (const request of requests) {
    const requestedMs = timeMs(request.requestedAt);
    const handled = seen
      .get(request.object)
      ?.find((o) => o.ts >= request.at && (o.value === request.requestedAt || (requestedMs !== undefined && o.valueMs !== undefined && o.valueMs > requestedMs)));
    if (handled) request.handledAt = handled.ts;
  }
  return requests;
}

const secondsOf = (request: PairedRequest): number | undefined => (request.handledAt === undefined ? undefined : (request.handledAt - request.at) / 1000);

/** The stats of a run's requests; undefined when it made none. */
export function analyzeReconcile(samples: readonly Sample[]): ReconcileStats | undefined {
  const paired = pairReconcileRequests(samples);
  if (paired.length === 0) return undefined;
  const handledSeconds = (list: readonly PairedRequest[]) => list.map(secondsOf).filter((s): s is number => s !== undefined);
  const groups = groupBy(paired, (r) => `${r.at}\u0000${r.requestedAt}\u0000${r.action}`);
  const requests = [...groups.values()].map((group) => {
    const first = group[0]!;
    const handled = distribution(handledSeconds(group));
    const slowest = group
      .filter((r) => r.handledAt !== undefined)
      .map((r) => ({ object: r.object, seconds: secondsOf(r)! }))
      .sort((a, b) => b.seconds - a.seconds || a.object.localeCompare(b.object))
      .slice(0, 3);
    const unhandled = group.filter((r) => r.handledAt === undefined).map((r) => r.object).sort();
    return { action: first.action, requestedAt: first.requestedAt, at: first.at, objects: group.length, ...(handled ? { handled } : {}), unhandled, slowest };
  });
  const handled = distribution(handledSeconds(paired));
  return { requested: paired.length, ...(handled ? { handled } : {}), unhandled: paired.filter((r) => r.handledAt === undefined).length, requests };
}

function summarizeReconcile({ reconcile }: ReconcileAnalysis): FlatMetrics {
  if (!reconcile) return {};
  return {
    'reconcile.requested': reconcile.requested,
    'reconcile.handled.p50': reconcile.handled?.p50,
    'reconcile.handled.p95': reconcile.handled?.p95,
    'reconcile.handled.max': reconcile.handled?.max,
    'reconcile.unhandled': reconcile.unhandled,
  };
}

/** `a, b, c (+4 more)` */
function names(list: readonly string[], shown = 3): string {
  return `${list.slice(0, shown).join(', ')}${list.length > shown ? ` (+${list.length - shown} more)` : ''}`;
}

const seconds = (value: number | undefined) => (value === undefined ? '—' : formatDuration(value * 1000));

/** The verdict's line when some request was never seen handled. */
export function unhandledWarning(stats: ReconcileStats | undefined): string | undefined {
  if (!stats || stats.unhandled === 0) return undefined;
  const objects = stats.requests.flatMap((r) => r.unhandled);
  return `${stats.unhandled} of ${stats.requested} objects asked to reconcile (flux.reconcile) never showed the request handled by the end of the run: ${names(objects, 5)}. reconcile.unhandled: ${stats.unhandled}`;
}

function requestsTable(stats: ReconcileStats | undefined): ReportTable {
  if (!stats) return { header: [], rows: [] };
  return {
    header: ['Request', 'Requested at', 'Objects', 'Handled', 'p50', 'p95', 'Max', 'Slowest', 'Not handled'],
    rows: stats.requests.map((r) => [
      r.action,
      r.requestedAt,
      String(r.objects),
      String(r.handled?.count ?? 0),
      seconds(r.handled?.p50),
      seconds(r.handled?.p95),
      seconds(r.handled?.max),
      r.slowest.map((s) => `${s.object} (${seconds(s.seconds)})`).join(', ') || '—',
      r.unhandled.length > 0 ? names(r.unhandled) : '—',
    ]),
    numeric: [2, 3, 4, 5, 6],
  };
}

export const reconcileMeasurement = defineMeasurement({
  name: 'reconcile',
  description: "the flux.reconcile action's requests, paired with the lag measurement's watches seeing each object's status.lastHandledReconcileAt reach them",
  catalogue,
  analyze: (input): ReconcileAnalysis => {
    const stats = analyzeReconcile(input.of('reconcile'));
    return stats ? { reconcile: stats } : {};
  },
  summarize: summarizeReconcile,
  warnings: ({ reconcile }: ReconcileAnalysis) => {
    const warning = unhandledWarning(reconcile);
    return warning ? [warning] : [];
  },
  report: {
    id: 'reconcile-requests',
    title: 'Time to handle reconcile requests (flux.reconcile)',
    empty: '',
    optional: true,
    table: (summary) => requestsTable(summary.reconcile),
  },
});
