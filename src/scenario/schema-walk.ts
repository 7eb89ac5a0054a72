/**
 * Finds the schema that governs a path in the data, to tell the user which keys or values
 * are allowed where a zod issue was raised. Discriminated unions pick the option the data
 * selects (the `action` or `fault` it names).
 */
import type { z } from 'zod';

type AnySchema = z.ZodType;
interface LooseDef {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  values?: unknown[];
}

const wrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

function defOf(schema: AnySchema): LooseDef {
  return (schema as unknown as { def: LooseDef }).def;
}

function unwrap(schema: AnySchema, data: unknown): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (wrapperTypes.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'union' && def.discriminator && def.options) {
      const chosen = chooseOption(def.options, def.discriminator, data);
      if (!chosen) return current;
      current = chosen;
    } else return current;
  }
}

function chooseOption(options: AnySchema[], discriminator: string, data: unknown): AnySchema | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const wanted = (data as Record<string, unknown>)[discriminator];
  return options.find((option) => literalValues(unwrap(option, data), discriminator).includes(wanted));
}

/** Values a discriminator may take in one option (nested unions contribute all of theirs). */
function literalValues(schema: AnySchema, discriminator: string): unknown[] {
  const def = defOf(schema);
  if (def.type === 'object' && def.shape?.[discriminator]) return defOf(def.shape[discriminator]).values ?? [];
  if (def.type === 'union' && def.options) return def.options.flatMap((option) => literalValues(option, discriminator));
  return [];
}

/** The schema at `path`, given the data it was parsed from; undefined when the path leaves the schema. */
export function schemaAt(root: AnySchema, path: readonly PropertyKey[], data: unknown): AnySchema | undefined {
  let schema: AnySchema | undefined = unwrap(root, data);
  let value = data;
  for (const segment of path) {
    if (!schema) return undefined;
    const def = defOf(schema);
    let next: AnySchema | undefined;
    if (def.type === 'object') next = def.shape?.[String(segment)];
    else if (def.type === 'array') next = def.element;
    else if (def.type === 'record') next = def.valueType;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    schema = next ? unwrap(next, value) : undefined;
  }
  return schema;
}

/** Keys an object schema at `path` accepts (for "unknown field" messages). */
export function allowedKeysAt(root: AnySchema, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  const schema = schemaAt(root, path, data);
  if (!schema) return undefined;
  const def = defOf(schema);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}
