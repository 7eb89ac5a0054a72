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
