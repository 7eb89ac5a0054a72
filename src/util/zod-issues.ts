/** Field paths as users read them: `timeline[2].action`, `regression["lag.applied.p95"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && !/^[A-Za-z_][\w-]*$/.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text || '(root)';
}

/** The parts of a zod issue a message needs. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Set on enum and literal issues: what the field allows. */
  readonly values?: readonly unknown[];
}

/**
 * The one formatter of schema errors outside scenario files (which carry line and column):
 * `<prefix><field>: <message> (allowed: …)`, one line per issue. `root` names where the value
 * came from ("workload", "faults[2]") and is prepended to each field path.
 */
export function formatZodIssues(issues: readonly IssueLike[], options: { root?: string; prefix?: string } = {}): string[] {
  return issues.map((issue) => {
    const path = issue.path.filter((segment) => typeof segment !== 'symbol');
    const inner = path.length > 0 ? formatPath(path) : '';
    const field = options.root ? (inner === '' ? options.root : `${options.root}${inner.startsWith('[') ? '' : '.'}${inner}`) : inner || '(root)';
    const allowed = Array.isArray(issue.values) && issue.values.length > 0 ? ` (allowed: ${issue.values.map(String).join(', ')})` : '';
    return `${options.prefix ?? ''}${field}: ${issue.message}${allowed}`;
  });
}
