/**
 * Field constructors the generator's option schemas share: bounded counts, Kubernetes names,
 * Flux durations and byte sizes, each refusing a bad value with a message naming what is allowed.
 */
import { z } from 'zod';
import { kubernetesNameSchema } from '../util/field-schemas.ts';
import { parseDuration, parseQuantity } from '../util/units.ts';

/**
 * Every count has an upper bound, so a typo (an extra zero, or three) is refused at validate
 * instead of filling the disk or memory hours into a run. Each bound is what a 24 GiB machine
 * can conceivably hold, with its reason beside it; sizes within the bounds that the provider
 * still cannot hold are caught by the feasibility checks (src/scenario/feasibility.ts).
 */
export const bounded = (min: number, max: number, why: string) =>
  z
    .number()
    .int({ error: 'expected a whole number' })
    .min(min, { error: min === 0 ? 'must be 0 or more' : `must be at least ${min}` })
    .max(max, { error: `must be at most ${max.toLocaleString('en-US')}: ${why}` });
export const count = (max: number, why: string) => bounded(0, max, why);
export const atLeastOne = (max: number, why: string) => bounded(1, max, why);

/** A Kubernetes object name segment: lowercase letters, digits and "-". */
export const dnsName = () =>
  z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: 'expected lowercase letters, digits and "-" (not at the start or end)' })
    .max(40, { error: 'must be at most 40 characters' });

/** A Kubernetes object name (a DNS subdomain), at most 253 characters as the API server allows. */
export const objectName = () => kubernetesNameSchema.max(253, { error: 'must be at most 253 characters' });

/** A Go duration Flux understands ("1m", "30s", "1h30m"); numbers mean seconds. */
export const fluxDuration = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      const ms = parseDuration(value);
      if (ms <= 0) throw new Error('must be longer than 0s');
      return typeof value === 'number' ? `${value}s` : value.trim();
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });

/** A size as bytes or a quantity ("64Ki", "200Mi"), parsed to a byte count. */
export const byteSize = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      const bytes = parseQuantity(value);
      if (bytes < 0) throw new Error(`size ${value} must not be negative`);
      return bytes;
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });
