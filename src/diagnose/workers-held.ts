import { formatDuration } from '../util/units.ts';
import type { FluxNode } from './node.ts';
import { displayId } from './render-chain.ts';
import type { WorkersHeld } from './schema.ts';

/**
 * Each controller's default `--concurrent`, as Flux installs it: how many reconciles of one kind
 * run at once (controller-runtime gives each reconciler of a controller workers of its own, so
 * source-controller runs 2 GitRepositories and 2 HelmCharts at once). Diagnose reads the cluster, not the controllers' flags, so these are what it compares
 * with; a controller started with more workers has more room.
 */
export const defaultConcurrent: Readonly<Record<string, number>> = {
  'kustomize-controller': 4,
  'helm-controller': 4,
  'source-controller': 2,
};

const controllerOf: Readonly<Record<string, string>> = {
  Kustomization: 'kustomize-controller',
  HelmRelease: 'helm-controller',
  GitRepository: 'source-controller',
  OCIRepository: 'source-controller',
  HelmRepository: 'source-controller',
  HelmChart: 'source-controller',
  Bucket: 'source-controller',
};

/** A reconcile in progress (Ready=Unknown, Progressing) for longer than this holds a worker, not a moment of it. */
export const longReconcileMs = 30_000;

/**
 * Reconciles that hold a controller's worker right now, grouped by kind (each kind has its own workers): objects
 * Ready=Unknown (Progressing) for longer than longReconcileMs, typically health checks waiting
 * up to spec.timeout. While as many run as the controller has workers, every other object of
 * that controller waits, however healthy: the "everything is slow" behind a few broken apps.
 * Pure; sorted by controller, objects longest first.
 */
export function workersHeld(nodes: ReadonlyMap<string, FluxNode>, nowMs: number): WorkersHeld[] {
  const byKind = new Map<string, WorkersHeld['objects']>();
  for (const node of nodes.values()) {
    if (!controllerOf[node.kind] || node.suspended || node.ready !== 'Unknown' || node.readySinceMs === undefined) continue;
    const heldMs = nowMs - node.readySinceMs;
    if (heldMs <= longReconcileMs) continue;
    const list = byKind.get(node.kind) ?? [];
    list.push({ id: node.id, seconds: Math.round(heldMs / 1000), ...(node.readyMessage ? { message: node.readyMessage } : {}) });
    byKind.set(node.kind, list);
  }
  return [...byKind]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([kind, objects]) => {
      objects.sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? -1 : 1));
      const controller = controllerOf[kind]!;
      const workers = defaultConcurrent[controller] ?? 1;
      return { controller, kind, objects, defaultConcurrent: workers, explanation: explainHeld(controller, kind, objects, workers) };
    });
}

function explainHeld(controller: string, kind: string, objects: WorkersHeld['objects'], workers: number): string {
  const longest = objects[0] ? ` (the longest ${displayId(objects[0].id)}, ${formatDuration(objects[0].seconds * 1000)})` : '';
  const full = objects.length >= workers;
  return (
    `${objects.length} ${kind} reconcile${objects.length === 1 ? '' : 's'} of ${controller} in progress for over ${formatDuration(longReconcileMs)}${longest}; ` +
    `it runs ${workers} ${kind} reconciles at once by default (--concurrent). ` +
    (full
      ? `With all those workers held, every other ${kind} waits behind them: shorten spec.timeout of the objects that wait on health checks, fix what they wait for, or raise --concurrent`
      : 'While fewer than its workers, the others still get reconciled; if it runs with fewer workers than that, they do not')
  );
}
