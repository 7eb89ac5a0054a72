/** The one list of source kinds; `workload.source` names one (Git by default). */
import { UsageError } from '../util/exit-codes.ts';
import { gitSource } from './git/index.ts';
import { ociSource } from './oci/index.ts';
import type { SourceKindDefinition } from './types.ts';

export const sourceKinds = [gitSource, ociSource] as const satisfies readonly SourceKindDefinition[];

/** The definition of `name`; throws UsageError naming the allowed kinds for an unknown one. */
export function sourceKind(name = 'git'): SourceKindDefinition {
  const found = sourceKinds.find((k) => k.name === name);
  if (!found) throw new UsageError(`unknown source kind "${name}" (allowed: ${sourceKinds.map((k) => k.name).join(', ')})`);
  return found;
}
