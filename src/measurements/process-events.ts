/**
 * process-events: starts, exits, restarts, OOM kills and memory limits of the controller
 * processes, as the supervisor (or the pod watch) writes them; the restart and OOM counts.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { controllerInstance, controllerPlaceholder, instanceIdentities } from './controller-series.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry } from './types.ts';

export const processEventSchema = z.object({
  ts: z.number(),
  controller: z.string(),
  /** `<controller>` or `<controller>-shard<N>`, as in the controller table. */
  instance: z.string().optional(),
  event: z.string(),
  pid: z.number().optional(),
  code: z.number().nullable().optional(),
  signal: z.string().nullable().optional(),
  cause: z.string().optional(),
  restarts: z.number().optional(),
  /** The sample's value: restarts so far for `restart`, bytes for `memory_limit`. */
  value: z.number().optional(),
});
export type ProcessEvent = z.infer<typeof processEventSchema>;

export interface ProcessEventsAnalysis {
  processEvents: ProcessEvent[];
  /** Every controller seen (in controller samples or events) has an entry, 0 when none. */
  restartsByController: Record<string, number>;
  oomsByController: Record<string, number>;
  /** The same per instance (a shard's restarts are its own, not the controller's total). */
  restartsByInstance: Record<string, number>;
  oomsByInstance: Record<string, number>;
}

const placeholders = { controller: controllerPlaceholder };
const catalogue: MetricEntry[] = [
  { pattern: 'restarts.<controller>.count', unit: 'count', aggregation: 'count', description: 'Supervisor restarts of the controller, all shards (0 when none)', placeholders },
  { pattern: 'restarts.count', unit: 'count', aggregation: 'count', description: 'Restarts of every controller together' },
  { pattern: 'oom.<controller>.count', unit: 'count', aggregation: 'count', description: 'OOM kills of the controller, all shards (0 when none)', placeholders },
];

function processEvents(sorted: readonly Sample[]): ProcessEvent[] {
  const out: ProcessEvent[] = [];
  for (const s of sorted) {
    if (s.kind !== 'process') continue;
    const controller = s.labels?.controller ?? 'unknown';
    const d = s.detail ?? {};
    const event: ProcessEvent = { ts: s.ts, controller, event: s.name };
    const instance = controllerInstance(s.labels);
    if (instance && instance !== controller) event.instance = instance;
    if (typeof d.pid === 'number') event.pid = d.pid;
    if (typeof d.code === 'number' || d.code === null) event.code = d.code;
    if (typeof d.signal === 'string' || d.signal === null) event.signal = d.signal;
    // exit/oom_killed carry `cause`; a restart names the exit that led to it as `previousCause`.
    if (typeof d.cause === 'string') event.cause = d.cause;
    else if (typeof d.previousCause === 'string') event.cause = d.previousCause;
    if (typeof s.value === 'number') event.value = s.value;
    if (typeof d.restarts === 'number') event.restarts = d.restarts;
    out.push(event);
  }
  return out;
}

function analyzeProcessEvents(processSamples: readonly Sample[], controllerSamples: readonly Sample[]): ProcessEventsAnalysis {
  const events = processEvents(processSamples);
  const restartsByController: Record<string, number> = {};
  const oomsByController: Record<string, number> = {};
  const controllers = instanceIdentities(controllerSamples).map((c) => c.controller);
  for (const name of new Set([...controllers, ...events.map((e) => e.controller)])) {
    restartsByController[name] = 0;
    oomsByController[name] = 0;
  }
  const restartsByInstance: Record<string, number> = {};
  const oomsByInstance: Record<string, number> = {};
  const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const event of events) {
    const instance = event.instance ?? event.controller;
    if (event.event === 'restart') {
      bump(restartsByController, event.controller);
      bump(restartsByInstance, instance);
    }
    if (event.event === 'oom_killed') {
      bump(oomsByController, event.controller);
      bump(oomsByInstance, instance);
    }
  }
  return { processEvents: events, restartsByController, oomsByController, restartsByInstance, oomsByInstance };
}

export const processEventsMeasurement = defineMeasurement({
  name: 'process-events',
  description: 'the supervisor (or the pod watch) writes start, exit, restart, oom_killed and memory_limit events',
  catalogue,
  analyze: (input) => analyzeProcessEvents(input.of('process'), input.of('controller')),
  summarize: (analysis: ProcessEventsAnalysis) => {
    const out: FlatMetrics = {};
    let restarts = 0;
    for (const [controller, count] of Object.entries(analysis.restartsByController)) {
      out[`restarts.${controller}.count`] = count;
      restarts += count;
    }
    for (const [controller, count] of Object.entries(analysis.oomsByController)) out[`oom.${controller}.count`] = count;
    out['restarts.count'] = restarts;
    return out;
  },
});
