/**
 * Turns zod issues into messages a scenario author can act on: which field, what is wrong,
 * and what is allowed there (enum values, action names, known keys).
 */
import type { z } from 'zod';
import { allowedKeysAt } from './schema-walk.ts';
import { distance as editDistance } from 'fastest-levenshtein';

export interface FieldIssue {
  /** Path of the field in the scenario (for unknown keys and bad record keys: including the key). */
  path: PropertyKey[];
  /** The problem is the key itself, not its value (unknown or invalid key). */
  atKey: boolean;
  /** The field is absent, so positions point at its nearest existing parent. */
  missing: boolean;
  message: string;
  allowed?: string[];
}

type Issue = z.core.$ZodIssue;

export function describeIssues(issues: readonly Issue[], data: unknown, root: z.ZodType): FieldIssue[] {
  return issues.flatMap((issue) => describeIssue(issue, data, root));
}

function describeIssue(issue: Issue, data: unknown, root: z.ZodType): FieldIssue[] {
  const path = [...issue.path];
  const value = valueAt(data, path);
  const missing = value === undefined && !isRoot(path, data);
  const plain = { path, atKey: false, missing };
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(root, path, data);
      return issue.keys.map((key) => {
        const hint = allowed ? suggestion(key, allowed) : undefined;
        return {
          path: [...path, key],
          atKey: true,
          missing: false,
          message: `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
          ...(allowed ? { allowed } : {}),
        };
      });
    }
    case 'invalid_key':
      return [{ path, atKey: true, missing: false, message: `invalid key "${String(path.at(-1))}": ${issue.issues.map((inner) => inner.message).join('; ')}` }];
    case 'invalid_value':
      return [{ ...plain, message: missing ? 'missing required field' : `${show(value)} is not allowed`, allowed: issue.values.map(String) }];
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        return [{ ...plain, message: missing ? 'missing required field' : `unknown ${issue.discriminator} ${show(value)}`, allowed: options }];
      }
      return [{ ...plain, message: missing ? 'missing required field' : issue.message }];
    case 'invalid_type':
      if (missing) return [{ ...plain, message: 'missing required field' }];
      return [{ ...plain, message: issue.message.startsWith('Invalid input') ? `expected ${article(issue.expected)}, got ${typeName(value)}` : issue.message }];
    case 'too_small':
    case 'too_big':
      return [{ ...plain, message: issue.message.startsWith('Too ') ? sizeMessage(issue) : issue.message }];
    case 'custom': {
      const allowed = (issue.params as { allowed?: unknown } | undefined)?.allowed;
      return [{ ...plain, missing: false, message: issue.message, ...(Array.isArray(allowed) ? { allowed: allowed.map(String) } : {}) }];
    }
    default:
      return [{ ...plain, message: issue.message }];
  }
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const inclusive = issue.inclusive !== false;
  const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  switch (issue.origin) {
    case 'string':
      return small && Number(bound) === 1 ? 'must not be empty' : `length must be ${op} ${String(bound)}`;
    case 'array':
      return small && Number(bound) === 1 ? 'must have at least one item' : `number of items must be ${op} ${String(bound)}`;
    default:
      return `must be ${op} ${String(bound)}`;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function isRoot(path: readonly PropertyKey[], data: unknown): boolean {
  return path.length === 0 && data !== undefined;
}

/** A value as the message quotes it: escaped (one line), and cut when long. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
  return JSON.stringify(value) ?? String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The allowed key the user most likely meant: same letters ignoring case, or at most 2 edits away. */
function suggestion(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = allowed.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}
