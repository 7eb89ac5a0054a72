/** What the timeline actions' tests share: a chaos context, parsing actions, and the errors of a scenario with a timeline. */
import { expect } from 'vitest';
import { timelineActionSchema, type ChaosContext, type TimelineAction } from '../../../../src/chaos/index.ts';
import { parseScenario, ScenarioError } from '../../../../src/scenario/index.ts';

/** A minute of measure phase with source- and kustomize-controller. */
export const context: ChaosContext = { durationMs: 60_000, controllers: ['source-controller', 'kustomize-controller'], shards: {} };

/** Each input parsed as a timeline action (throws on a bad one). */
export const parse = (...inputs: Record<string, unknown>[]): TimelineAction[] => inputs.map((input) => timelineActionSchema.parse(input));

/** The error lines parseScenario throws for a scenario with this timeline (YAML flow mappings, one a line). */
export function problems(...actions: string[]): string[] {
  try {
    parseScenario(`name: tiny\nworkload: {}\ntimeline:\n${actions.map((a) => `  - ${a}\n`).join('')}`, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the scenario to be rejected');
}
