import type { SampleSink } from '../metrics/sample.ts';
import type { Clock } from '../serving/clock.ts';
import { parseFaultWith } from '../serving/fault-spec.ts';
import { FaultController as HostFaults, type ActiveFault as HostActiveFault, type FaultBinding } from '../serving/faults.ts';
import { faultSpecSchema, type FaultSpec, type FaultSpecInput } from './options.ts';

export type { FaultDecision } from '../serving/faults.ts';
export type ActiveFault = HostActiveFault<FaultSpec>;

/** Parses a fault from scenario/admin input, naming the field on failure. */
export function parseFaultSpec(input: unknown, where = 'fault'): FaultSpec {
  return parseFaultWith(faultSpecSchema, input, where);
}

export function faultTarget(spec: FaultSpec): string {
  return spec.match.repo === '*' ? spec.match.route : `${spec.match.route}@${spec.match.repo}`;
}

const githubFaults: FaultBinding<FaultSpec> = { parse: parseFaultSpec, subject: (spec) => spec.match.repo, target: faultTarget };

/**
 * The fake GitHub's faults: src/serving/faults.ts matching route names and `owner/repo`. Every
 * change is written as a `fault` sample (start when added, end when removed or expired).
 */
export class FaultController extends HostFaults<FaultSpec, FaultSpecInput> {
  constructor(clock: Clock, sink?: SampleSink, random: () => number = Math.random) {
    super(githubFaults, clock, sink, { random });
  }
}
