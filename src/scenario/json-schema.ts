/** The scenario file's JSON Schema, for editors (yaml-language-server) and other tools. */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export const scenarioSchemaId = 'https://fluxbench.io/schemas/scenario-v1alpha1.json';

export function scenarioJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what a file may contain (defaults optional, numbers allowed for durations).
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: scenarioSchemaId, title: 'fluxbench scenario' };
}

/** The committed scenarios/schema.json text: stable key order, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
