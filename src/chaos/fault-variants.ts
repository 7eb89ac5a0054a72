/**
 * The fault set every simulated host takes on the timeline (github.fault, registry.fault): one
 * variant per `fault` kind with its own fields, the one mapping from an action to the host's
 * fault spec (`duration` becomes the spec's `for`), and how the fault is put in force and ended.
 * Each action adds only its own common fields (the action literal and what requests it matches).
 */
import { z } from 'zod';
import type { Undo } from './action.ts';
import { durationSchema, positiveDurationSchema, quantitySchema } from '../util/field-schemas.ts';
import { faultStatusField, ratioField } from './fields.ts';

type FaultStatus = z.output<typeof faultStatusField>;

/** The discriminated union over `fault` of a fault action whose other fields are `common`. */
export function faultActionSchema<Common extends z.ZodRawShape>(common: Common) {
  return z.discriminatedUnion('fault', [
    z.strictObject({
      ...common,
      fault: z.literal('latency'),
      delay: positiveDurationSchema.meta({ description: 'Added to every response.' }),
      jitter: durationSchema.optional().meta({ description: 'Random extra delay up to this much.' }),
    }),
    z.strictObject({
      ...common,
      fault: z.literal('errors'),
      status: faultStatusField.default(503),
      rate: ratioField.default(1).meta({ description: 'Fraction of requests that fail.' }),
    }),
    z.strictObject({
      ...common,
      fault: z.literal('reset'),
      rate: ratioField.default(1).meta({ description: 'Fraction of connections reset.' }),
    }),
    z.strictObject({ ...common, fault: z.literal('outage'), status: faultStatusField.default(503) }),
    z.strictObject({
      ...common,
      fault: z.literal('bandwidth'),
      bytesPerSecond: quantitySchema.meta({ description: 'Throughput cap, e.g. "64Ki".' }),
    }),
  ]);
}

/** The fields of a parsed fault action the mapping reads. */
export type FaultActionFields = { duration?: string | undefined } & (
  | { fault: 'latency'; delay: string; jitter?: string | undefined }
  | { fault: 'errors'; status: FaultStatus; rate: number }
  | { fault: 'reset'; rate: number }
  | { fault: 'outage'; status: FaultStatus }
  | { fault: 'bandwidth'; bytesPerSecond: string | number }
);

/**
 * The host's fault spec for an action, with the host's own `match`. An omitted `jitter` stays
 * omitted: the hosts default it to 0.
 */
export function toFaultSpec<Match>(action: FaultActionFields, match: Match) {
  const common = { match, ...(action.duration !== undefined ? { for: action.duration } : {}) };
  switch (action.fault) {
    case 'latency':
      return { type: 'latency' as const, ...common, fixed: action.delay, ...(action.jitter !== undefined ? { jitter: action.jitter } : {}) };
    case 'errors':
      return { type: 'error' as const, ...common, rate: action.rate, status: action.status };
    case 'reset':
      return { type: 'reset' as const, ...common, rate: action.rate };
    case 'outage':
      return { type: 'outage' as const, ...common, status: action.status };
    case 'bandwidth':
      return { type: 'bandwidth' as const, ...common, bytesPerSecond: action.bytesPerSecond };
  }
}

/** The part of a simulated host's admin controls a fault action uses. */
export interface HostFaultAdmin<Spec> {
  /** Puts the fault in force; returns it with the id that removes it. */
  addFault(spec: Spec): { id: string };
  /** Ends the fault; false when it had already ended. */
  removeFault(id: string): boolean;
}

/**
 * Puts `spec` in force through the host's `admin` and returns the undo that removes it. The
 * spec's `for` is dropped: the timeline ends the fault itself at the planned end (the run's
 * clock, an `end` sample under the action's label), and early when the run stops; a timer of
 * the host's own would race it.
 * @throws UsageError (from the host) when the spec is invalid.
 */
export function startHostFault<Spec extends { for?: unknown }>(admin: HostFaultAdmin<Spec>, spec: Spec): Undo {
  const { for: _ownEnd, ...untimed } = spec;
  // Still a Spec: `for` is optional in every host's spec.
  const fault = admin.addFault(untimed as Spec);
  return async () => {
    admin.removeFault(fault.id);
  };
}
