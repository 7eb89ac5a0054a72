import type { SampleSink } from '../metrics/sample.ts';
import type { Clock } from '../serving/clock.ts';
import { parseFaultWith } from '../serving/fault-spec.ts';
import { FaultController, type FaultBinding } from '../serving/faults.ts';
import { registryFaultSpecSchema, type RegistryFaultSpec, type RegistryFaultSpecInput } from './options.ts';

/** Parses a registry fault from scenario/admin input. @throws UsageError naming the field under `where`. */
export function parseRegistryFaultSpec(input: unknown, where = 'fault'): RegistryFaultSpec {
  return parseFaultWith(registryFaultSpecSchema, input, where);
}

/** `route` or `route@repository`, as the fault's samples name what it hits. */
export function registryFaultTarget(spec: RegistryFaultSpec): string {
  return spec.match.repository === '*' ? spec.match.route : `${spec.match.route}@${spec.match.repository}`;
}

const binding: FaultBinding<RegistryFaultSpec> = { parse: parseRegistryFaultSpec, subject: (spec) => spec.match.repository, target: registryFaultTarget };

export type RegistryFaults = FaultController<RegistryFaultSpec, RegistryFaultSpecInput>;

/**
 * The registry gateway's faults: the shared fault machinery matching route names and
 * repositories. Its `fault` samples carry `host: registry` (the fake GitHub's carry no host),
 * and its ids (`rf1`, `rf2`, ...) never equal the fake GitHub's in a shared sample stream.
 */
export function createRegistryFaults(clock: Clock, sink?: SampleSink, random?: () => number): RegistryFaults {
  return new FaultController(binding, clock, sink, { labels: { host: 'registry' }, idPrefix: 'rf', ...(random ? { random } : {}) });
}
