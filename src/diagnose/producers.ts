import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { objectId } from './state.ts';

/** What one Flux object applies: its rendered manifests (from the repo), before the cluster has seen them. */
export interface AppliedManifests {
  /** The Kustomization/HelmRelease id, `Kind/namespace/name`. */
  producer: string;
  /** Namespace for manifests that name none (the Kustomization's targetNamespace, or its own). */
  defaultNamespace: string;
  objects: { kind: string; metadata: { name: string; namespace?: string } }[];
}

/** ConfigMap/Secret id → the Flux object whose manifests create it, as `FluxState.producerHints`. */
export function producerHintsFromManifests(entries: readonly AppliedManifests[]): Record<string, string> {
  const hints: Record<string, string> = {};
  for (const entry of entries) {
    for (const object of entry.objects) {
      if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') continue;
      hints[objectId(object.kind, object.metadata.namespace ?? entry.defaultNamespace, object.metadata.name)] = entry.producer;
    }
  }
  return hints;
}

const idPattern = /^(ConfigMap|Secret)\/[a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*$/;
const producerPattern = /^(Kustomization|HelmRelease)\/[a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*$/;
const hintsSchema = z.record(
  z.string().regex(idPattern, { error: 'keys must be ConfigMap/<namespace>/<name> or Secret/<namespace>/<name>' }),
  z.string().regex(producerPattern, { error: 'values must be Kustomization/<namespace>/<name> or HelmRelease/<namespace>/<name>' }),
);

/** Reads a `--producers` file: a JSON object mapping `ConfigMap/ns/name` to `Kustomization/ns/name` or `HelmRelease/ns/name`. */
export function loadProducerHints(path: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--producers ${path}: cannot read JSON: ${(err as Error).message}`);
  }
  const result = hintsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`--producers ${path}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
