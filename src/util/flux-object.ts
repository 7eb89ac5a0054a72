/**
 * Reading raw Flux objects (the API's JSON) without trusting their shape: the one place the
 * measurements and diagnose pull records, strings, conditions, intervals and revisions out of
 * `spec` and `status` (fluxcd/pkg runtime/conditions is the model).
 */
import { parseDuration } from './units.ts';

export type RawRecord = Record<string, unknown>;

/** The value as a record; an empty one for anything else, so field access never throws. */
export function asRecord(value: unknown): RawRecord {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as RawRecord) : {};
}

/** A non-empty string, else undefined. */
export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An RFC 3339 time as ms since the epoch; undefined when absent or unparseable. */
export function timeMs(value: unknown): number | undefined {
  const text = asText(value);
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** One condition of `status.conditions`, its status normalised to True, False or Unknown. */
export interface FluxCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  /** lastTransitionTime in ms since the epoch. */
  lastTransitionMs?: number;
}

/** The condition of `type` in an object's status (the last one, if the list repeats it). */
export function conditionOf(status: unknown, type: string): FluxCondition | undefined {
  let found: FluxCondition | undefined;
  for (const entry of asList(asRecord(status).conditions)) {
    const c = asRecord(entry);
    if (c.type !== type) continue;
    const reason = asText(c.reason);
    const message = asText(c.message);
    const since = timeMs(c.lastTransitionTime);
    found = {
      type,
      status: c.status === 'True' || c.status === 'False' ? c.status : 'Unknown',
      ...(reason !== undefined ? { reason } : {}),
      ...(message !== undefined ? { message } : {}),
      ...(since !== undefined ? { lastTransitionMs: since } : {}),
    };
  }
  return found;
}

/** `spec.interval` in ms; undefined when unset or not a Go duration. */
export function intervalMsOf(spec: unknown): number | undefined {
  return durationMsOf(asRecord(spec).interval);
}

/** A Go duration field (`spec.timeout`) in ms; undefined when unset or not a duration. */
export function durationMsOf(value: unknown): number | undefined {
  const text = asText(value);
  if (!text) return undefined;
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** GitRepository spec.timeout when unset: source.toolkit.fluxcd.io/v1 defaults it to 60s. */
export const gitRepositoryDefaultTimeoutMs = 60_000;

/**
 * What a HelmRelease last released: helm.toolkit.fluxcd.io/v2 keeps releases in
 * `status.history`, newest first, and after a failed upgrade the applied chart is the newest one
 * that did deploy; older objects carry `status.lastAppliedRevision`.
 */
export function helmReleaseAppliedRevision(status: unknown): string | undefined {
  const s = asRecord(status);
  const lastGood = asList(s.history).map(asRecord).find((entry) => entry.status === 'deployed' || entry.status === 'superseded');
  return asText(lastGood?.chartVersion) ?? asText(s.lastAppliedRevision);
}

/** A reference (`dependsOn`, `sourceRef`, ...) with its namespace defaulted to the owner's. */
export interface ObjectRef {
  kind?: string;
  namespace: string;
  name: string;
}

export function refOf(value: unknown, ownerNamespace: string): ObjectRef | undefined {
  const ref = asRecord(value);
  const name = asText(ref.name);
  if (!name) return undefined;
  const kind = asText(ref.kind);
  return { ...(kind ? { kind } : {}), namespace: asText(ref.namespace) ?? ownerNamespace, name };
}
