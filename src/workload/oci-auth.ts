/**
 * The registry Secret joins an OCI workload's root objects in memory only: generation writes
 * root.yaml and workload.json to disk, and a run's registry password must not land there.
 */
import type { GeneratedWorkload } from './generate.ts';
import { toYaml } from './manifests.ts';
import { registryAuthSecret } from './oci-objects.ts';

/**
 * The workload with the dockerconfigjson Secret its OCIRepositories name (`flux.auth: basic`)
 * added to the root objects right after the Namespaces, and rootYaml rendered again. A Git
 * workload, or one without `secretRef`s, is returned unchanged.
 */
export function withRegistryAuth(workload: GeneratedWorkload, namespace: string, auth: { username: string; password: string }): GeneratedWorkload {
  if (!workload.oci) return workload;
  const namesSecret = workload.rootObjects.some((o) => o.kind === 'OCIRepository' && (o.spec as { secretRef?: unknown } | undefined)?.secretRef !== undefined);
  if (!namesSecret) return workload;
  const secret = registryAuthSecret(namespace, workload.oci.host, auth);
  const namespaces = workload.rootObjects.filter((o) => o.kind === 'Namespace');
  const rest = workload.rootObjects.filter((o) => o.kind !== 'Namespace' && !(o.kind === 'Secret' && o.metadata.name === secret.metadata.name));
  const rootObjects = [...namespaces, secret, ...rest];
  return { ...workload, rootObjects, rootYaml: toYaml(rootObjects) };
}
