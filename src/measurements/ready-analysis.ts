/**
 * Time-to-Ready from the sample stream: from the `apply` phase sample (the root objects applied)
 * to the first Ready of every object that can be Ready (`ready` samples, written by the lag
 * measurement's watches), overall and per kind. Pure; the shapes are summary.json's.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import type { TimePoint } from './stats.ts';

const objectSecondsSchema = z.object({ object: z.string(), seconds: z.number() });
export type ObjectSeconds = z.infer<typeof objectSecondsSchema>;

/** How many of a set of objects got Ready after the apply, and when. */
export const readyGroupSchema = z.object({
  /** Objects that can be Ready. */
  total: z.number(),
  /** Of those, how many were Ready at least once after the apply. */
  ready: z.number(),
  /** Seconds from the apply until half of them had been Ready. */
  after50: z.number().optional(),
  /** Seconds from the apply until 90% of them had been Ready. */
  after90: z.number().optional(),
  /** Seconds from the apply until every one of them had been Ready; absent while one never was. */
  allAfter: z.number().optional(),
  /** Objects Ready per second: `ready` over the seconds from the apply to the last of them. */
  rate: z.number().optional(),
  /** The slowest objects that got Ready, slowest first (at most 5). */
  slowest: z.array(objectSecondsSchema),
  /** Objects never Ready, sorted (at most 20; `total - ready` is the count). */
  notReady: z.array(z.string()),
  /** [seconds since the apply, objects Ready by then] at 21 even steps from the apply to the last first-Ready of any kind: the Ready-over-time curve. */
  curve: z.array(z.tuple([z.number(), z.number()])),
});
export type ReadyGroup = z.infer<typeof readyGroupSchema>;

export const neverReadySchema = z.object({ object: z.string(), cause: z.string(), blockedBy: z.string().optional() });

/** One object's first Ready after the apply, as replayed from the `ready` samples. */
export interface ReadyEntry {
  object: string;
  /** Kubernetes kind (Kustomization). */
  kind: string;
  /** Epoch ms of its first Ready; undefined when it never was. */
  readyAt?: number;
}

/** What the analysis waits for, replayed from the stream. */
export interface ReadyTimeline {
  /** Epoch ms of the apply of the root objects. */
  appliedAt: number;
  /** The objects that can be Ready, each with its first Ready. */
  entries: ReadyEntry[];
  /** Objects that can never be Ready, per the run's ground truth; not waited for. */
  neverReady: Array<z.infer<typeof neverReadySchema>>;
  /** 'expected': the run's list of objects (the workload's, ground truth applied); 'seen': every watched object. */
  basis: 'expected' | 'seen';
}

/** `Kustomization/apps/app-1` → Kustomization. */
function kindOfKey(key: string): string {
  return key.split('/')[0] ?? 'unknown';
}

function expectedOf(sample: Sample): { objects: string[]; neverReady: ReadyTimeline['neverReady'] } | undefined {
  const objects = sample.detail?.objects;
  if (!Array.isArray(objects)) return undefined;
  const parsed = z.array(neverReadySchema).safeParse(sample.detail?.neverReady ?? []);
  return { objects: objects.filter((o): o is string => typeof o === 'string'), neverReady: parsed.success ? parsed.data : [] };
}

/**
 * Replays the `ready` samples (sorted by time) against the first `apply` phase sample: which
 * objects can be Ready (the run's `expected` list, else every object seen and not removed
 * before it was Ready) and when each was first Ready. Undefined without an apply or objects.
 */
export function readyTimeline(readySamples: readonly Sample[], phaseSamples: readonly Sample[]): ReadyTimeline | undefined {
  const apply = phaseSamples.find((s) => s.kind === 'phase' && s.name === 'apply');
  if (!apply) return undefined;
  const seen = new Map<string, { kind: string; readyAt?: number }>();
  let expected: ReturnType<typeof expectedOf>;
  for (const s of readySamples) {
    if (s.kind !== 'ready') continue;
    if (s.name === 'expected') {
      expected = expectedOf(s) ?? expected;
      continue;
    }
    const { kind, namespace, name } = s.labels ?? {};
    if (!kind || namespace === undefined || !name) continue;
    const key = `${kind}/${namespace}/${name}`;
    const entry = seen.get(key) ?? { kind };
    if (s.name === 'seen' || s.name === 'ready') seen.set(key, entry);
    if (s.name === 'ready') entry.readyAt ??= s.ts;
    else if (s.name === 'removed' && entry.readyAt === undefined) seen.delete(key);
  }
  const keys = expected ? expected.objects : [...seen.keys()];
  if (keys.length === 0) return undefined;
  const entries = keys.map((object): ReadyEntry => {
    const entry = seen.get(object);
    const out: ReadyEntry = { object, kind: entry?.kind ?? kindOfKey(object) };
    if (entry?.readyAt !== undefined) out.readyAt = entry.readyAt;
    return out;
  });
  return { appliedAt: apply.ts, entries, neverReady: expected?.neverReady ?? [], basis: expected ? 'expected' : 'seen' };
}

const CURVE_STEPS = 20;

/** Seconds from the apply until `fraction` of `total` had been Ready; undefined when not reached. */
function reachedAfter(sortedSeconds: readonly number[], total: number, fraction: number): number | undefined {
  const needed = Math.max(1, Math.ceil(fraction * total));
  return needed <= sortedSeconds.length ? sortedSeconds[needed - 1] : undefined;
}

/** [seconds, Ready by then] at CURVE_STEPS + 1 even steps from 0 to `spanSeconds` (exact counts, not interpolated). */
function curveOf(sortedSeconds: readonly number[], spanSeconds: number): Array<[number, number]> {
  const curve: Array<[number, number]> = [];
  let count = 0;
  for (let i = 0; i <= CURVE_STEPS; i++) {
    const at = Math.round(((spanSeconds * i) / CURVE_STEPS) * 1000) / 1000;
    while (count < sortedSeconds.length && sortedSeconds[count]! <= at) count++;
    curve.push([at, count]);
  }
  return curve;
}

/**
 * The stats of one group of objects (all, or one kind); its curve spans `spanSeconds` (the last
 * first-Ready of the whole run, so every kind's curve has the same steps), its own last by default.
 */
export function readyGroup(entries: readonly ReadyEntry[], appliedAt: number, spanSeconds?: number): ReadyGroup {
  const times = entries
    .filter((e): e is ReadyEntry & { readyAt: number } => e.readyAt !== undefined)
    .map((e) => ({ object: e.object, seconds: Math.max(0, e.readyAt - appliedAt) / 1000 }))
    .sort((a, b) => a.seconds - b.seconds || a.object.localeCompare(b.object));
  const seconds = times.map((t) => t.seconds);
  const last = seconds.at(-1);
  const group: ReadyGroup = {
    total: entries.length,
    ready: times.length,
    slowest: times.slice(-5).reverse(),
    notReady: entries.filter((e) => e.readyAt === undefined).map((e) => e.object).sort().slice(0, 20),
    curve: curveOf(seconds, spanSeconds ?? last ?? 0),
  };
  const after50 = reachedAfter(seconds, entries.length, 0.5);
  const after90 = reachedAfter(seconds, entries.length, 0.9);
  if (after50 !== undefined) group.after50 = after50;
  if (after90 !== undefined) group.after90 = after90;
  if (entries.length > 0 && times.length === entries.length) group.allAfter = last!;
  if (last !== undefined && last > 0) group.rate = times.length / last;
  return group;
}

/**
 * Cumulative first-Ready counts over time, per kind and `all`, each starting at 0 at the apply:
 * the Ready-over-time curve report.html draws. Empty without an apply or objects.
 */
export function readyCurveSeries(readySamples: readonly Sample[], phaseSamples: readonly Sample[]): Map<string, TimePoint[]> {
  const timeline = readyTimeline(readySamples, phaseSamples);
  const out = new Map<string, TimePoint[]>();
  if (!timeline) return out;
  const add = (series: string, ts: number) => {
    let points = out.get(series);
    if (!points) out.set(series, (points = [{ ts: timeline.appliedAt, value: 0 }]));
    points.push({ ts, value: points.at(-1)!.value + 1 });
  };
  for (const kind of new Set(timeline.entries.map((e) => e.kind))) out.set(kind, [{ ts: timeline.appliedAt, value: 0 }]);
  out.set('all', [{ ts: timeline.appliedAt, value: 0 }]);
  const ready = timeline.entries.filter((e) => e.readyAt !== undefined).sort((a, b) => a.readyAt! - b.readyAt!);
  for (const e of ready) {
    const ts = Math.max(e.readyAt!, timeline.appliedAt);
    add(e.kind, ts);
    add('all', ts);
  }
  return out;
}
