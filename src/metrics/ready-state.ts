import type { FluxObjectSnapshot } from './flux-objects.ts';
import { HandledReconcileLog } from './reconcile-requests.ts';
import { ReconcileProgressLog } from './reconcile-progress.ts';
import type { Sample } from './sample.ts';
import { GenerationReadyLog } from './spec-patches.ts';

/** When an object was first seen, and first seen Ready=True, by the watches (epoch ms). */
export interface FirstReady {
  kind: string;
  namespace: string;
  name: string;
  seenAt: number;
  readyAt?: number;
}

/**
 * The names of the `ready` samples: `seen` the first time the watches show an object, `ready`
 * the first time they show it Ready=True, `removed` when an object that was never Ready is
 * deleted (so it is no longer waited for), `expected` the objects a run waits for (written by
 * the runner from the generator's ground truth, not by this class).
 */
export type ReadySampleName = 'seen' | 'ready' | 'removed' | 'expected';

/**
 * Pure first-Ready bookkeeping, fed the watched objects' snapshots with their timestamps. Each
 * object gets one `seen` and at most one `ready` sample, labelled `{kind, namespace, name}`, so
 * time-to-Ready can be computed from the sample stream alone. Only the first Ready counts:
 * going back to Ready=Unknown while reconciling again (what a busy controller does every
 * interval) does not take it back. Deleting an object that was Ready keeps its record (a chaos
 * `object.delete` is not a slower apply); deleting one that never was forgets it (`removed`).
 *
 * The same feed also gives the `reconcile`/`handled` samples (HandledReconcileLog), the
 * `reconcile`/`progressing` spans (ReconcileProgressLog) and the `patch`/`ready` samples
 * (GenerationReadyLog): every update the watches see passes through here once, so none needs a
 * watch of its own.
 */
export class ReadinessLog {
  private readonly objects = new Map<string, FirstReady>();
  private readonly handled = new HandledReconcileLog();
  private readonly progress = new ReconcileProgressLog();
  private readonly generations = new GenerationReadyLog();

  observe(snapshot: FluxObjectSnapshot, ts: number): Sample[] {
    const samples: Sample[] = [];
    let entry = this.objects.get(snapshot.key);
    if (!entry) {
      entry = { kind: snapshot.kind, namespace: snapshot.namespace, name: snapshot.name, seenAt: ts };
      this.objects.set(snapshot.key, entry);
      samples.push(readySample('seen', entry, ts));
    }
    if (entry.readyAt === undefined && snapshot.ready?.status === 'True') {
      entry.readyAt = ts;
      samples.push(readySample('ready', entry, ts));
    }
    samples.push(...this.handled.observe(snapshot, ts), ...this.progress.observe(snapshot, ts), ...this.generations.observe(snapshot, ts));
    return samples;
  }

  remove(key: string, ts: number): Sample[] {
    this.handled.forget(key);
    this.generations.forget(key);
    const ended = this.progress.forget(key, ts);
    const entry = this.objects.get(key);
    if (!entry || entry.readyAt !== undefined) return ended;
    this.objects.delete(key);
    return [...ended, readySample('removed', entry, ts)];
  }

  /** Every object seen so far, by `<Kind>/<namespace>/<name>`. */
  entries(): ReadonlyMap<string, FirstReady> {
    return this.objects;
  }
}

/** An object a run does not wait for, and why (the generator's ground truth: a cycle, a broken root, ...). */
export interface NeverReady {
  object: string;
  cause: string;
  blockedBy?: string;
}

/**
 * The `ready`/`expected` sample: the objects (`<Kind>/<namespace>/<name>`) that can become
 * Ready, valued at their count, and those that never can, in `detail`. Time-to-Ready waits for
 * exactly the first list; without this sample it waits for every object the watches saw.
 */
export function expectedReadySample(ts: number, objects: readonly string[], neverReady: readonly NeverReady[]): Sample {
  return { ts, kind: 'ready', name: 'expected', value: objects.length, detail: { objects: [...objects], neverReady: neverReady.map((n) => ({ ...n })) } };
}

function readySample(name: ReadySampleName, entry: FirstReady, ts: number): Sample {
  return { ts, kind: 'ready', name, labels: { kind: entry.kind, namespace: entry.namespace, name: entry.name } };
}
