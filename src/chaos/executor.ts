import { actionDefinition } from './registry.ts';
import { ChaosRunState } from './state.ts';
import type { PlannedAction, Undo } from './action.ts';
import type { ChaosTargets } from './targets.ts';

export interface TimelineRun {
  /** Actions that started, failed or were skipped, in order, for the report. */
  readonly log: Array<{ at: number; label: string; outcome: 'started' | 'ended' | 'failed'; error?: string }>;
  /** Cancels what has not started and ends every effect still active (resumes paused components first). */
  stop(): Promise<void>;
}

function faultSample(targets: ChaosTargets, name: 'start' | 'end', planned: PlannedAction, detail: Record<string, unknown> = {}): void {
  targets.sink.write({
    ts: Date.now(),
    kind: 'fault',
    name,
    labels: { fault: planned.label, target: targetOf(planned.action) },
    detail: { action: planned.action.action, index: planned.index, ...detail },
  });
}

/**
 * Runs a planned timeline against a live run: each action at its offset from `startedAt` (ms
 * since the epoch), each effect with a duration ended at its end time, every start and end
 * recorded as a `fault` sample so reports draw it as a band. An action that throws is logged
 * and recorded as a `failed` fault sample; the rest of the timeline goes on. Starts timers only;
 * the caller must call stop() to end every effect still active.
 */
export function runTimeline(planned: readonly PlannedAction[], targets: ChaosTargets, startedAt: number): TimelineRun {
  const log: TimelineRun['log'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const active = new Map<number, Undo>();
  const state = new ChaosRunState();
  let stopped = false;

  const end = async (p: PlannedAction): Promise<void> => {
    const undo = active.get(p.index);
    if (!undo) return;
    active.delete(p.index);
    try {
      await undo();
      faultSample(targets, 'end', p);
      log.push({ at: Date.now(), label: p.label, outcome: 'ended' });
    } catch (err) {
      log.push({ at: Date.now(), label: p.label, outcome: 'failed', error: (err as Error).message });
    }
  };

  const schedule = (delayMs: number, fn: () => Promise<void>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) void fn();
    }, Math.max(0, delayMs));
    timers.add(timer);
  };

  for (const p of planned) {
    const definition = actionDefinition(p.action.action);
    schedule(startedAt + p.atMs - Date.now(), async () => {
      try {
        const undo = await definition.start(p.action, p, targets, state);
        faultSample(targets, 'start', p, p.endMs !== undefined ? { endsInMs: p.endMs - p.atMs } : {});
        log.push({ at: Date.now(), label: p.label, outcome: 'started' });
        if (undo) {
          active.set(p.index, undo);
          if (p.endMs !== undefined) schedule(startedAt + p.endMs - Date.now(), () => end(p));
        } else if (!definition.detached) {
          faultSample(targets, 'end', p);
        }
      } catch (err) {
        log.push({ at: Date.now(), label: p.label, outcome: 'failed', error: (err as Error).message });
        targets.sink.write({ ts: Date.now(), kind: 'fault', name: 'failed', labels: { fault: p.label, target: targetOf(p.action) }, detail: { error: (err as Error).message } });
      }
    });
  }

  return {
    log,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const endsFirst = (index: number): number => {
        const p = planned.find((x) => x.index === index);
        return p && actionDefinition(p.action.action).endsFirst ? 0 : 1;
      };
      const pending = [...active.keys()].sort((a, b) => endsFirst(a) - endsFirst(b));
      for (const index of pending) {
        const p = planned.find((x) => x.index === index);
        if (p) await end(p);
      }
      await state.stop();
    },
  };
}

/** What an action acts on, for the `target` label of its fault samples. */
export function targetOf(action: PlannedAction['action']): string {
  return actionDefinition(action.action).target(action);
}
