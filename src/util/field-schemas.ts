/**
 * Schemas for the scalar fields scenario files share: durations, quantities, versions and
 * names. Durations and quantities are checked with the parsers of `src/util/units.ts`, so a
 * value the runner will later parse can never pass validation and fail at run time.
 */
import { z } from 'zod';
import { parseDuration, parseQuantity } from './units.ts';

const durationHint = 'expected a duration such as "30s", "1m30s" or "250ms" (a bare number means seconds)';
const quantityHint = 'expected a quantity such as "512Mi", "1Gi" or "64Ki" (a bare number means bytes)';

/** Mirrors parseDuration's grammar so editors using scenarios/schema.json flag typos too. */
const durationPattern = '^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h))+)$';
const quantityPattern = '^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|k|K|M|G|T)?$';

function parses(parse: (text: string) => number): (text: string) => boolean {
  return (text) => {
    try {
      parse(text);
      return true;
    } catch {
      return false;
    }
  };
}

/** A Go-style duration string; a bare non-negative number is seconds and becomes "<n>s". */
export const durationSchema = z
  .union(
    [
      z
        .number()
        .nonnegative({ error: 'a duration must not be negative' })
        // It becomes "<n>s": 1e21 or 5e-324 would print in exponent form, which no duration parser reads.
        .refine((value) => /^\d+(\.\d+)?$/.test(String(value)), { error: 'a number of seconds must be plain, e.g. 90 or 1.5 (no exponent)' }),
      z.string().refine(parses(parseDuration), { error: durationHint }).meta({ pattern: durationPattern }),
    ],
    { error: durationHint },
  )
  .transform((value) => (typeof value === 'number' ? `${value}s` : value.trim()))
  .meta({ examples: ['30s', '1m30s', '250ms'] });

/** A duration that must be longer than zero (periods, intervals, timeouts). */
export const positiveDurationSchema = durationSchema.refine((value) => parseDuration(value) > 0, {
  error: 'must be longer than 0s',
  // An unparsable duration was already reported; only check the ones that parsed.
  when: (payload) => payload.issues.length === 0,
});

/**
 * A Kubernetes quantity ("512Mi") or a bare number of bytes, parsed to a number of bytes: what
 * the supervisor, churn and the fake GitHub take (durations, by contrast, stay strings because
 * the schemas downstream parse them again and a bare number there means seconds).
 */
export const quantitySchema = z
  .union(
    [
      z.number().nonnegative({ error: 'a quantity must not be negative' }),
      z.string().refine(parses(parseQuantity), { error: quantityHint }).meta({ pattern: quantityPattern }),
    ],
    { error: quantityHint },
  )
  .transform((value) => parseQuantity(value))
  .meta({ examples: ['512Mi', '1Gi'] });

/** A released version as published ("2.9.5", "v1.34.4", "2.9.0-rc.1"). */
export const versionSchema = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { error: 'expected a version such as "2.9.5" or "v1.34.4"' });

/** DNS-label-like names: what reports, run ids and Kubernetes objects can all carry. */
export const nameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, {
    error: 'expected lowercase letters, digits and "-" (not at the start or end), e.g. "monorepo-memory"',
  })
  .max(63, { error: 'must be at most 63 characters' });

/** A Kubernetes object name as most kinds take it (a DNS subdomain: lowercase letters, digits, "-" and "."). */
export const kubernetesNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, { error: 'expected a Kubernetes object name (lowercase letters, digits, "-" and ".")' });

export const positiveIntSchema = z
  .number()
  .int({ error: 'expected a whole number' })
  .min(1, { error: 'must be at least 1' });

export const nonNegativeIntSchema = z
  .number()
  .int({ error: 'expected a whole number' })
  .min(0, { error: 'must be 0 or more' });

/** Converts a validated duration field to milliseconds. */
export function durationMs(value: string | number): number {
  return parseDuration(value);
}

/** Converts a validated quantity field to a number (bytes for memory). */
export function quantityValue(value: string | number): number {
  return parseQuantity(value);
}
