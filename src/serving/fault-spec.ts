/**
 * The fault set any simulated host applies (latency, 5xx errors, connection resets, outages,
 * bandwidth caps), as one schema shape per host: only `match` differs (the fake GitHub matches
 * route and `owner/repo`, the registry route and repository).
 */
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { durationField, quantityField } from './fields.ts';

export const faultTypes = ['latency', 'error', 'reset', 'outage', 'bandwidth'] as const;
export type FaultType = (typeof faultTypes)[number];

/**
 * The discriminated union of fault specs with `match` as given (a strict object whose fields
 * all have defaults, so an omitted `match` matches everything).
 */
export function faultSpecSchemaFor<M extends z.ZodObject>(match: M) {
  const common = {
    match: match.prefault({} as z.input<M>),
    /** How long the fault lasts from when it is added; omitted = until removed. */
    for: durationField().optional(),
    /** Absolute end (ms since epoch); wins over `for`. */
    until: z.number().int().positive().optional(),
  };
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('latency'), ...common, fixed: durationField().default('0s'), jitter: durationField().default('0s') }).strict(),
    z
      .object({
        type: z.literal('error'),
        ...common,
        rate: z.number().min(0).max(1).default(1),
        status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
      })
      .strict(),
    z.object({ type: z.literal('reset'), ...common, rate: z.number().min(0).max(1).default(1) }).strict(),
    z
      .object({
        type: z.literal('outage'),
        ...common,
        status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
      })
      .strict(),
    z.object({ type: z.literal('bandwidth'), ...common, bytesPerSecond: quantityField() }).strict(),
  ]);
}

/** The part of `match` every host has: a glob over its route names. */
const routeMatchSchema = z.object({ route: z.string().min(1).default('*') }).strict();

/** What the fault machinery reads of any host's fault spec. */
export type BaseFaultSpec = z.output<ReturnType<typeof faultSpecSchemaFor<typeof routeMatchSchema>>>;

/**
 * Parses a fault spec with `schema`, naming the field on failure.
 * @throws UsageError `invalid fault: <where>.<field>: <message>` with the allowed types.
 */
export function parseFaultWith<S extends z.ZodType>(schema: S, input: unknown, where = 'fault'): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error.issues, { root: where });
    throw new UsageError(`invalid fault: ${issues.join('; ')} (type is one of ${faultTypes.join(', ')})`);
  }
  return parsed.data;
}
