/**
 * Controller samples per instance (one per controller, or per shard), and the naming of the
 * per-controller summary metrics that several measurements share.
 */
import type { Sample } from '../metrics/sample.ts';
import type { FlatMetrics, Placeholder } from './types.ts';
import { counterRates, type TimePoint } from './stats.ts';

/** `<controller>` in a metric pattern. */
export const controllerPlaceholder: Placeholder = {
  description: 'a controller (`source-controller`, `kustomize-controller`, ...) or one shard of it (`<controller>-shard<N>`)',
  free: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
};

/** The instance a controller sample belongs to: one per controller, or per shard when sharded. */
export function controllerInstance(labels: Record<string, string> | undefined): string | undefined {
  const controller = labels?.controller;
  if (!controller) return undefined;
  if (labels.shard === undefined || labels.shard === '') return controller;
  // The supervisor labels shards "shard1".."shardN" (its instance names), the catalogue "1".."N": both name "<controller>-shard<N>".
  return `${controller}-${labels.shard.startsWith('shard') ? labels.shard : `shard${labels.shard}`}`;
}

/** Who an instance is: its controller, and its shard label when it has one. */
export interface InstanceIdentity {
  instance: string;
  controller: string;
  shard?: string;
}

/** Every instance seen in controller samples, sorted by instance name. */
export function instanceIdentities(sorted: readonly Sample[]): InstanceIdentity[] {
  const identity = new Map<string, InstanceIdentity>();
  for (const s of sorted) {
    if (s.kind !== 'controller') continue;
    const instance = controllerInstance(s.labels);
    if (instance && !identity.has(instance)) {
      const controller = s.labels!.controller!;
      const shard = s.labels?.shard;
      identity.set(instance, shard ? { instance, controller, shard } : { instance, controller });
    }
  }
  return [...identity.values()].sort((a, b) => a.instance.localeCompare(b.instance));
}

/** Time-ordered points of one sample name per controller instance. */
export function controllerSeries(sorted: readonly Sample[], name: string): Map<string, TimePoint[]> {
  const out = new Map<string, TimePoint[]>();
  for (const s of sorted) {
    if (s.kind !== 'controller' || s.name !== name || typeof s.value !== 'number') continue;
    const instance = controllerInstance(s.labels);
    if (!instance) continue;
    let points = out.get(instance);
    if (!points) out.set(instance, (points = []));
    points.push({ ts: s.ts, value: s.value });
  }
  return out;
}

/** CPU cores per instance: streamed cpu_cores, else the rate of cpu_seconds_total. */
export function cpuSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const cores = controllerSeries(sorted, 'cpu_cores');
  for (const [instance, points] of controllerSeries(sorted, 'cpu_seconds_total')) {
    if (!cores.has(instance)) cores.set(instance, counterRates(points));
  }
  return cores;
}

/**
 * Workqueue depth per instance. A sample without a `queue` label is already the sum over
 * queues; when only per-queue samples exist they are summed per scrape.
 */
export function queueSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const totals = new Map<string, TimePoint[]>();
  const perQueue = new Map<string, Map<number, number>>();
  for (const s of sorted) {
    if (s.kind !== 'controller' || s.name !== 'workqueue_depth' || typeof s.value !== 'number') continue;
    const instance = controllerInstance(s.labels);
    if (!instance) continue;
    if (s.labels?.queue === undefined) {
      let points = totals.get(instance);
      if (!points) totals.set(instance, (points = []));
      points.push({ ts: s.ts, value: s.value });
    } else {
      let byTs = perQueue.get(instance);
      if (!byTs) perQueue.set(instance, (byTs = new Map()));
      byTs.set(s.ts, (byTs.get(s.ts) ?? 0) + s.value);
    }
  }
  for (const [instance, byTs] of perQueue) {
    if (totals.has(instance)) continue;
    totals.set(
      instance,
      [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value })),
    );
  }
  return totals;
}

/** The largest defined value, or undefined when there is none. */
export function worstOf<T>(list: readonly T[], pick: (item: T) => number | undefined): number | undefined {
  const values = list.map(pick).filter((v): v is number => v !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

/** The sum of the defined values, or undefined when there is none. */
export function totalOf<T>(list: readonly T[], pick: (item: T) => number | undefined): number | undefined {
  const values = list.map(pick).filter((v): v is number => v !== undefined);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Per-controller summary metrics over instance stats. `<controller>` names the controller's
 * worst shard (max over its instances; `metricsOf` gets them all) and, with several instances,
 * each shard also appears under its own instance name `<controller>-shard<N>`.
 */
export function perControllerMetrics<T extends { controller: string; instance: string }>(
  instances: readonly T[],
  metricsOf: (name: string, list: readonly T[]) => FlatMetrics,
): FlatMetrics {
  const byController = new Map<string, T[]>();
  for (const c of instances) byController.set(c.controller, [...(byController.get(c.controller) ?? []), c]);
  const out: FlatMetrics = {};
  const put = (metrics: FlatMetrics) => {
    for (const [name, value] of Object.entries(metrics)) if (value !== undefined) out[name] = value;
  };
  for (const [controller, list] of byController) {
    put(metricsOf(controller, list));
    // A lone shard (labelled shard="0") is just the controller: no second name for a glob to match.
    // The unlabelled main instance beside its shards shares the controller's name: it must not
    // overwrite the worst-of-all figures just written under that name.
    if (list.length > 1) for (const c of list) if (c.instance !== controller) put(metricsOf(c.instance, [c]));
  }
  return out;
}
