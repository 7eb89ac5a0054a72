import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';

/** How a run ended, as the runner records it in run.json ('running' until it ends). */
export const runStatusSchema = z.enum(['running', 'passed', 'failed', 'error', 'interrupted', 'timeout']);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** A planned timeline action as the report keeps it: offsets in ms from the start of the measure phase. */
export const timelineEntrySchema = z.object({
  atMs: z.number().nonnegative(),
  endMs: z.number().nonnegative().optional(),
  label: z.string(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/**
 * One planned timeline action in run.json. Accepts what src/scenario's planTimeline returns
 * (`{atMs, endMs?, label, action: {...}}`) and the short form `{at, action, endsAt?}` (ms),
 * and keeps only the offsets and a label.
 */
export const plannedActionSchema = z.union([
  z
    .looseObject({
      atMs: z.number().nonnegative(),
      endMs: z.number().nonnegative().optional(),
      label: z.string().optional(),
      action: z.unknown().optional(),
    })
    .transform((entry): TimelineEntry => {
      const action = entry.action as { action?: unknown } | string | undefined;
      const name = typeof action === 'string' ? action : String(action?.action ?? 'action');
      return withEnd({ atMs: entry.atMs, label: entry.label ?? name }, entry.endMs);
    }),
  z
    .looseObject({ at: z.number().nonnegative(), action: z.string().min(1), endsAt: z.number().nonnegative().optional() })
    .transform((entry): TimelineEntry => withEnd({ atMs: entry.at, label: entry.action }, entry.endsAt)),
], { error: 'expected a planned action: {atMs, endMs?, label} as planTimeline returns, or {at, action, endsAt?} (ms)' });
export type PlannedAction = z.input<typeof plannedActionSchema>;

function withEnd(entry: TimelineEntry, endMs: number | undefined): TimelineEntry {
  return endMs === undefined ? entry : { ...entry, endMs };
}

const isoTimestamp = z.iso.datetime({ offset: true });

/**
 * run.json: written by the runner when a run starts and rewritten when it ends, so that a
 * report can be rebuilt from the run directory alone (with samples.ndjson).
 */
export const runMetaSchema = z.object({
  runId: z.string().min(1),
  scenarioName: z.string().min(1),
  scenarioPath: z.string(),
  startedAt: isoTimestamp,
  endedAt: isoTimestamp.optional(),
  status: runStatusSchema,
  exitCode: z.number().int().optional(),
  provider: z.string().min(1),
  versions: z.object({ flux: z.string(), kubernetes: z.string(), controllers: z.record(z.string(), z.string()).optional() }),
  thresholds: z.array(z.string()),
  regression: z.record(z.string(), z.string()).optional(),
  timeline: z.array(plannedActionSchema).optional(),
  error: z.string().optional(),
  /** Free-form; the report shows it when it is a string or carries `markdown`/`text`. */
  diagnosis: z.unknown().optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;
/** What the runner writes (timeline entries in either accepted form). */
export type RunMetaInput = z.input<typeof runMetaSchema>;

/** Validates run.json content; the error names the file and each bad field. */
export function parseRunMeta(input: unknown, source = 'run.json'): RunMeta {
  const parsed = runMetaSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${source}: invalid run metadata:\n${formatZodIssues(parsed.error.issues, { prefix: '  ' }).join('\n')}`);
}

/** Reads and validates a run.json file. */
export function readRunMeta(path: string): RunMeta {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read run metadata: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return parseRunMeta(json, path);
}


