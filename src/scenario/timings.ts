/** The scenario's time settings in ms, parsed once for the runner. */
import { parseDuration } from '../util/units.ts';
import type { Scenario } from './object-schema.ts';

export interface ScenarioTimings {
  /** Length of the measure phase. */
  durationMs: number;
  samplingIntervalMs: number;
  /** How long to wait for every object to be Ready before measuring. */
  settleTimeoutMs: number;
}

export function scenarioTimings(scenario: Pick<Scenario, 'duration' | 'sampling' | 'settle'>): ScenarioTimings {
  return {
    durationMs: parseDuration(scenario.duration),
    samplingIntervalMs: parseDuration(scenario.sampling.interval),
    settleTimeoutMs: parseDuration(scenario.settle.timeout),
  };
}
