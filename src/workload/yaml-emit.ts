/**
 * A small YAML emitter for the plain data manifests are made of (objects, arrays, strings,
 * numbers, booleans). It is several times faster than a general YAML library, which matters
 * when a workload renders tens of thousands of manifests. Strings that are not obviously
 * plain are written as JSON strings, which YAML reads as double-quoted scalars.
 */

const plainString = /^[A-Za-z./][A-Za-z0-9_./-]*$/;
const reserved = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

function scalar(value: unknown): string {
  if (typeof value === 'string') return plainString.test(value) && !reserved.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`yaml: cannot write number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  throw new Error(`yaml: cannot write ${typeof value}`);
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function emitMap(map: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const head = `${indent}${scalar(key)}:`;
    if (typeof value !== 'object' || value === null) out.push(`${head} ${scalar(value)}\n`);
    else if (isEmpty(value)) out.push(`${head} ${Array.isArray(value) ? '[]' : '{}'}\n`);
    else if (Array.isArray(value)) {
      out.push(`${head}\n`);
      emitList(value, indent, out);
    } else {
      out.push(`${head}\n`);
      emitMap(value as Record<string, unknown>, `${indent}  `, out);
    }
  }
}

function emitList(list: readonly unknown[], indent: string, out: string[]): void {
  for (const item of list) {
    if (typeof item !== 'object' || item === null) out.push(`${indent}- ${scalar(item)}\n`);
    else if (isEmpty(item)) out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}\n`);
    else if (Array.isArray(item)) {
      out.push(`${indent}-\n`);
      emitList(item, `${indent}  `, out);
    } else {
      // The first key shares the dash's line; the rest align under it.
      const inner: string[] = [];
      emitMap(item as Record<string, unknown>, `${indent}  `, inner);
      inner[0] = `${indent}- ${inner[0]!.slice(indent.length + 2)}`;
      out.push(...inner);
    }
  }
}

/** One YAML document for a mapping (no leading `---`). */
export function emitYaml(document: Record<string, unknown>): string {
  const out: string[] = [];
  emitMap(document, '', out);
  return out.join('');
}
