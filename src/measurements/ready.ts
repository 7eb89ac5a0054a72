/**
 * ready: time-to-Ready, the headline number of the Flux maintainers' flux-benchmark. From the
 * apply of the root objects to the moment every object that can be Ready has been Ready, overall
 * and per kind, with the rate, the Ready-over-time curve, and the same again after each churn
 * burst and each spec change (flux.patch, flux-benchmark's upgrade runs). The lag measurement's
 * watches write a `ready` sample when an object is first seen and first Ready; the runner writes
 * which objects can be Ready (its ground truth leaves out cycles and broken roots). A run whose
 * objects never all get Ready says so in a verdict warning.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatDuration } from '../util/units.ts';
import { analyzeBursts, readyBurstSchema, type ReadyBurst } from './ready-bursts.ts';
import { analyzePatches, readyPatchSchema, type ReadyPatch } from './ready-patches.ts';
import { neverReadySchema, readyGroup, readyGroupSchema, readyTimeline, type ReadyGroup } from './ready-analysis.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

export const readyStatsSchema = z.object({
  /** Epoch ms of the apply of the root objects (the `apply` phase sample). */
  appliedAt: z.number(),
  /** 'expected': the objects the run applied, minus those its ground truth says never get Ready; 'seen': every watched object. */
  basis: z.enum(['expected', 'seen']),
  all: readyGroupSchema,
  /** Per Kubernetes kind (Kustomization, GitRepository, ...). */
  byKind: z.record(z.string(), readyGroupSchema),
  /** Objects that can never be Ready (cycles, broken roots and what waits on them): not waited for. */
  neverReady: z.array(neverReadySchema),
  /** Ready again after each churn burst, in time order. */
  bursts: z.array(readyBurstSchema),
  /** Ready again at their new spec after each flux.patch, in time order (absent in summaries written before there was flux.patch). */
  patches: z.array(readyPatchSchema).optional(),
});
export type ReadyStats = z.infer<typeof readyStatsSchema>;

export interface ReadyAnalysis {
  /** Absent when the stream has no apply phase or no object readiness. */
  ready?: ReadyStats;
}

/** Flux kinds as metric name segments: lower-cased, as `flux get` and the Kubernetes resource names spell them. */
export const READY_KINDS = ['gitrepository', 'ocirepository', 'bucket', 'helmrepository', 'helmchart', 'kustomization', 'helmrelease'] as const;
const placeholders = { kind: { description: 'a Flux kind, lower-cased', values: READY_KINDS } };

const catalogue: MetricEntry[] = [
  {
    pattern: 'ready.all_after',
    unit: 'seconds',
    aggregation: 'max',
    description: 'Seconds from the apply of the root objects until every object that can be Ready had been Ready; absent when one never was (see ready.not_ready)',
  },
  { pattern: 'ready.rate', unit: 'per_second', aggregation: 'avg', description: 'Objects Ready per second: those Ready over the seconds from the apply until the last of them was' },
  { pattern: 'ready.not_ready', unit: 'count', aggregation: 'count', description: 'Objects that can be Ready but never were after the apply (0 when all were)' },
  { pattern: 'ready.<kind>.all_after', unit: 'seconds', aggregation: 'max', description: 'ready.all_after for the objects of one kind', placeholders },
  { pattern: 'ready.<kind>.rate', unit: 'per_second', aggregation: 'avg', description: 'ready.rate for the objects of one kind', placeholders },
  { pattern: 'ready.<kind>.not_ready', unit: 'count', aggregation: 'count', description: 'ready.not_ready for the objects of one kind', placeholders },
  {
    pattern: 'ready.churn.all_after',
    unit: 'seconds',
    aggregation: 'max',
    description: "The slowest churn burst: seconds from its last push until every object that applied one of its commits was Ready at its newest commit; absent when one never was",
  },
  {
    pattern: 'ready.churn.not_ready',
    unit: 'count',
    aggregation: 'max',
    description: 'Most objects one churn burst left not Ready at its newest commit by the end of the run',
  },
  {
    pattern: 'ready.patch.all_after',
    unit: 'seconds',
    aggregation: 'max',
    description: 'The slowest flux.patch: seconds from the patch until every object whose spec it changed was Ready at its new generation; absent when one never was',
  },
  {
    pattern: 'ready.patch.not_ready',
    unit: 'count',
    aggregation: 'max',
    description: 'Most objects one flux.patch changed that were not Ready at their new generation by the end of the run',
  },
];

/** The analysis: undefined stats without an apply or objects. */
function analyzeReady(readySamples: readonly Sample[], phaseSamples: readonly Sample[], lagSamples: readonly Sample[], faultSamples: readonly Sample[], patchSamples: readonly Sample[]): ReadyStats | undefined {
  const timeline = readyTimeline(readySamples, phaseSamples);
  if (!timeline) return undefined;
  const kinds = [...new Set(timeline.entries.map((e) => e.kind))].sort();
  const all = readyGroup(timeline.entries, timeline.appliedAt);
  const span = all.curve.at(-1)?.[0] ?? 0;
  return {
    appliedAt: timeline.appliedAt,
    basis: timeline.basis,
    all,
    byKind: Object.fromEntries(kinds.map((kind) => [kind, readyGroup(timeline.entries.filter((e) => e.kind === kind), timeline.appliedAt, span)])),
    neverReady: timeline.neverReady,
    bursts: analyzeBursts(lagSamples, faultSamples),
    patches: analyzePatches(patchSamples),
  };
}

function summarizeReady({ ready }: ReadyAnalysis): FlatMetrics {
  if (!ready) return {};
  const out: FlatMetrics = { 'ready.all_after': ready.all.allAfter, 'ready.rate': ready.all.rate, 'ready.not_ready': ready.all.total - ready.all.ready };
  for (const [kind, group] of Object.entries(ready.byKind)) {
    const segment = kind.toLowerCase();
    // Kinds outside the catalogue's list still show in the report, but have no summary metric.
    if (!(READY_KINDS as readonly string[]).includes(segment)) continue;
    out[`ready.${segment}.all_after`] = group.allAfter;
    out[`ready.${segment}.rate`] = group.rate;
    out[`ready.${segment}.not_ready`] = group.total - group.ready;
  }
  if (ready.bursts.length > 0) {
    const settled = ready.bursts.every((b) => b.allAfter !== undefined);
    out['ready.churn.all_after'] = settled ? Math.max(...ready.bursts.map((b) => b.allAfter!)) : undefined;
    out['ready.churn.not_ready'] = Math.max(...ready.bursts.map((b) => b.touched - b.readyAgain));
  }
  // Patches that changed nothing (the same values again) have nothing to time.
  const patches = (ready.patches ?? []).filter((p) => p.changed > 0);
  if (patches.length > 0) {
    const settled = patches.every((p) => p.allAfter !== undefined);
    out['ready.patch.all_after'] = settled ? Math.max(...patches.map((p) => p.allAfter!)) : undefined;
    out['ready.patch.not_ready'] = Math.max(...patches.map((p) => p.changed - p.readyAgain));
  }
  return out;
}

const seconds = (value: number | undefined) => (value === undefined ? '—' : formatDuration(value * 1000));
const rate = (value: number | undefined) => (value === undefined ? '—' : String(Math.round(value * 100) / 100));
/** `a, b, c (+4 more)` of the first `shown` names. */
function names(list: readonly string[], total: number, shown = 5): string {
  const more = total - Math.min(shown, list.length);
  return `${list.slice(0, shown).join(', ')}${more > 0 ? ` (+${more} more)` : ''}`;
}

/**
 * The verdict's line when some object that can be Ready never was: how many, of which kinds,
 * which ones (the slowest there are), and what that does to the metrics.
 */
export function notReadyWarning(stats: ReadyStats | undefined): string | undefined {
  if (!stats || stats.all.ready === stats.all.total) return undefined;
  const missing = stats.all.total - stats.all.ready;
  const byKind = Object.entries(stats.byKind)
    .filter(([, g]) => g.ready < g.total)
    .map(([kind, g]) => `${kind} ${g.total - g.ready}`)
    .join(', ');
  const fastest = stats.all.slowest[0];
  const reached = fastest ? `; the slowest that did: ${fastest.object} after ${seconds(fastest.seconds)}` : '';
  return `${missing} of ${stats.all.total} objects that can be Ready were never Ready after the apply (${byKind}): ${names(stats.all.notReady, missing)}${reached}. ready.all_after is absent, not_ready: ${missing}`;
}

function groupRow(label: string, g: ReadyGroup): string[] {
  return [
    label,
    String(g.total),
    String(g.ready),
    seconds(g.after50),
    seconds(g.after90),
    seconds(g.allAfter),
    rate(g.rate),
    g.slowest.map((s) => `${s.object} (${seconds(s.seconds)})`).slice(0, 3).join(', ') || '—',
    g.ready < g.total ? names(g.notReady, g.total - g.ready, 3) : '—',
  ];
}

function readyTable(stats: ReadyStats | undefined): ReportTable {
  if (!stats) return { header: [], rows: [] };
  const kinds = Object.entries(stats.byKind).sort((a, b) => a[0].localeCompare(b[0]));
  // The ground truth's cycles and broken roots: listed, never waited for.
  const neverReady = stats.neverReady.map((n) => `${n.object} (${n.cause})`);
  const excluded = neverReady.length > 0 ? [['never Ready by design', '0', '—', '—', '—', '—', '—', '—', names(neverReady, neverReady.length, 3)]] : [];
  return {
    header: ['Objects', 'Can be Ready', 'Ready', 'Half Ready after', '90% Ready after', 'All Ready after', 'Rate (objects/s)', 'Slowest', 'Never Ready'],
    rows: [groupRow('all', stats.all), ...kinds.map(([kind, g]) => groupRow(kind, g)), ...excluded],
    numeric: [1, 2, 3, 4, 5, 6],
  };
}

/** The curve as a table: Ready n/N per kind at every other step of the curves (ten rows) from the apply to the last first-Ready. */
function curveTable(stats: ReadyStats | undefined): ReportTable {
  if (!stats || !stats.all.curve.at(-1)?.[0]) return { header: [], rows: [] };
  const kinds = Object.entries(stats.byKind).sort((a, b) => a[0].localeCompare(b[0]));
  const groups: Array<[string, ReadyGroup]> = [['all', stats.all], ...kinds];
  const rows = stats.all.curve
    .filter((_, step) => step > 0 && step % 2 === 0)
    .map(([at], row) => [`+${formatDuration(at * 1000)}`, ...groups.map(([, g]) => `${g.curve[(row + 1) * 2]?.[1] ?? g.ready}/${g.total}`)]);
  return { header: ['After the apply', ...groups.map(([label]) => label)], rows, numeric: groups.map((_, i) => i + 1) };
}

function burstTable(bursts: readonly ReadyBurst[], appliedAt: number): ReportTable {
  return {
    header: ['Burst', 'Started', 'Commits', 'Pushed over', 'Objects touched', 'Ready again', 'All Ready after the last push', 'Slowest', 'Not Ready again'],
    rows: bursts.map((b) => [
      b.label,
      `+${formatDuration(Math.max(0, b.startedAt - appliedAt))} after the apply`,
      String(b.commits),
      formatDuration(b.lastPushAt - b.firstPushAt),
      String(b.touched),
      String(b.readyAgain),
      seconds(b.allAfter),
      b.slowest.map((s) => `${s.object} (${seconds(s.seconds)})`).join(', ') || '—',
      b.notReady.length > 0 ? names(b.notReady, b.touched - b.readyAgain, 3) : '—',
    ]),
    numeric: [2, 4, 5, 6],
  };
}

function patchTable(patches: readonly ReadyPatch[], appliedAt: number): ReportTable {
  return {
    header: ['Patch', 'At', 'Objects changed', 'Unchanged', 'Changed again first', 'Ready again', 'All Ready after the patch', 'Slowest', 'Not Ready again'],
    rows: patches.map((p) => [
      p.label,
      `+${formatDuration(Math.max(0, p.patchedAt - appliedAt))} after the apply`,
      String(p.changed),
      String(p.unchanged),
      String(p.superseded),
      String(p.readyAgain),
      seconds(p.allAfter),
      p.slowest.map((s) => `${s.object} (${seconds(s.seconds)})`).join(', ') || '—',
      p.notReady.length > 0 ? names(p.notReady, p.changed - p.readyAgain, 3) : '—',
    ]),
    numeric: [2, 3, 4, 5, 6],
  };
}

export const readyMeasurement = defineMeasurement({
  name: 'ready',
  description: "sampled by the lag measurement's watches: each object's first sight and first Ready after the apply; the runner's list of what can be Ready",
  catalogue,
  analyze: (input): ReadyAnalysis => {
    const stats = analyzeReady(input.of('ready'), input.of('phase'), input.of('lag'), input.of('fault'), input.of('patch'));
    return stats ? { ready: stats } : {};
  },
  summarize: summarizeReady,
  warnings: ({ ready }: ReadyAnalysis) => {
    const warning = notReadyWarning(ready);
    return warning ? [warning] : [];
  },
  report: [
    {
      id: 'time-to-ready',
      title: 'Time to Ready (from the apply of the root objects)',
      empty: 'No readiness samples (no apply phase, or the lag measurement was off).',
      table: (summary) => readyTable(summary.ready),
    },
    { id: 'ready-curve', title: 'Ready over time', empty: '', optional: true, table: (summary) => curveTable(summary.ready) },
    {
      id: 'ready-bursts',
      title: 'Ready again after churn bursts',
      empty: '',
      optional: true,
      table: (summary) => burstTable(summary.ready?.bursts ?? [], summary.ready?.appliedAt ?? 0),
    },
    {
      id: 'ready-patches',
      title: 'Ready again after spec changes (flux.patch)',
      empty: '',
      optional: true,
      table: (summary) => patchTable(summary.ready?.patches ?? [], summary.ready?.appliedAt ?? 0),
    },
  ],
});
