import { z } from 'zod';
import { parseDuration, parseQuantity } from '../util/units.ts';

/**
 * A Go-style duration ("90s", "1h") or a number of seconds, validated and normalized to a
 * string ("90s" stays "90s", 90 becomes "90s"). It stays a string so parsing is idempotent: a
 * scenario schema's parsed output can be handed to a host's start function, which parses it
 * again. Read it with durationMs().
 */
export const durationField = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      parseDuration(value);
      return typeof value === 'number' ? `${value}s` : value.trim();
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });

/** Milliseconds of a duration the schema has validated. */
export function durationMs(value: string): number {
  return parseDuration(value);
}

/** A positive byte count as a number or Kubernetes quantity ("512Mi"), parsed to bytes. */
export const quantityField = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      const parsed = parseQuantity(value);
      if (parsed <= 0) throw new Error(`quantity "${value}" must be positive`);
      return parsed;
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });
