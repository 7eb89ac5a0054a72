/**
 * What the lag percentiles cannot show: commits pushed during the run and not applied by its end.
 * They leave no `lag` sample, so an outage or a freeze would look healthy through the percentiles
 * of the commits that did arrive. Read from the `pending` samples the lag tracker writes
 * (src/metrics/lag-pending.ts): each interval, and once when it stops at the end of the run.
 */
import { z } from 'zod';
import { type PendingObject, pendingTotals, readPendingSample } from '../metrics/lag-pending.ts';
import type { Sample } from '../metrics/sample.ts';

export const lagPendingSchema = z.object({
  /**
   * (commit, object) pairs pushed and not applied by the end. Pairs rather than commits: they are
   * the unit of `lag.applied.count` (applied + pending = every pair a push concerned), and one
   * commit stuck on 500 Kustomizations is a bigger outage than one stuck on one.
   */
  pairs: z.number(),
  /** Distinct commits among them, and the objects they are pending on. */
  commits: z.number(),
  objects: z.number(),
  /** Seconds from the push of the oldest of them to the end; 0 when none. */
  oldestSeconds: z.number(),
  /** Pairs left out because their object can never be Ready, as the run's ground truth says (`ready`/`expected`). */
  excludedPairs: z.number(),
  /** False when the run was cut short before the tracker stopped: the last interval's figures, never-Ready objects included. */
  atEnd: z.boolean(),
});
export type LagPending = z.infer<typeof lagPendingSchema>;

const pendingObjectSchema = z.object({ object: z.string(), repo: z.string(), commits: z.number(), oldestCommit: z.string(), oldestPushedAt: z.number() });
const neverReadySchema = z.array(z.object({ object: z.string() }));

function lastOf(samples: readonly Sample[], wanted: (s: Sample) => boolean): Sample | undefined {
  for (let i = samples.length - 1; i >= 0; i -= 1) if (wanted(samples[i]!)) return samples[i];
  return undefined;
}

/** The objects the last `ready`/`expected` sample says can never be Ready (`<Kind>/<namespace>/<name>`). */
function neverReadyObjects(readySamples: readonly Sample[]): Set<string> {
  const expected = lastOf(readySamples, (s) => s.kind === 'ready' && s.name === 'expected');
  const parsed = neverReadySchema.safeParse(expected?.detail?.neverReady ?? []);
  return new Set(parsed.success ? parsed.data.map((n) => n.object) : []);
}

/**
 * The commits pending at the end of the run, from the `pending` samples (sorted by time) and
 * the `ready` ones: the final sample's objects minus those that can never be Ready (an injected
 * cycle or broken root never applies a commit, which the run knows and the reader need not be
 * told again); without a final sample, the last interval's totals as they are. Undefined without
 * a pending sample (the lag sampler off, or a run recorded before these samples existed).
 */
export function lagPendingAtEnd(pendingSamples: readonly Sample[], readySamples: readonly Sample[]): LagPending | undefined {
  const pending = pendingSamples.filter((s) => readPendingSample(s) !== undefined);
  const final = lastOf(pending, (s) => s.detail?.final === true);
  const objects = final ? z.array(pendingObjectSchema).safeParse(final.detail?.pending) : undefined;
  if (final && objects?.success) {
    const never = neverReadyObjects(readySamples);
    const kept: PendingObject[] = objects.data.filter((o) => !never.has(o.object));
    const totals = pendingTotals(kept);
    return {
      pairs: totals.pairs,
      commits: totals.commits,
      objects: totals.objects,
      oldestSeconds: totals.oldestPushedAt === undefined ? 0 : Math.max(0, final.ts - totals.oldestPushedAt) / 1000,
      excludedPairs: objects.data.reduce((n, o) => n + o.commits, 0) - totals.pairs,
      atEnd: true,
    };
  }
  const last = final ?? pending.at(-1);
  const read = last ? readPendingSample(last) : undefined;
  if (!last || !read) return undefined;
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  return { pairs: read.pairs, commits: count(last.detail?.commits), objects: count(last.detail?.objects), oldestSeconds: read.oldestSeconds, excludedPairs: 0, atEnd: last === final };
}

/** The lag table's row label for them, e.g. `pending: not applied by the end (2 commits, 40 objects; Max: the oldest)`. */
export function lagPendingLabel(pending: LagPending): string {
  const notes = [
    ...(pending.pairs > 0 ? [`${pending.commits} commit${pending.commits === 1 ? '' : 's'}, ${pending.objects} object${pending.objects === 1 ? '' : 's'}; Max: the oldest`] : []),
    ...(pending.excludedPairs > 0 ? [`${pending.excludedPairs} on objects never Ready left out`] : []),
    ...(pending.atEnd ? [] : ['at the last interval']),
  ];
  return `pending: not applied by the end${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}
