import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { type FluxResource, resourcePath } from './flux-objects.ts';
import { LineWatch } from './watch-lines.ts';

export interface ResourceWatchHandlers {
  upsert(obj: KubernetesObject): void;
  remove(obj: KubernetesObject): void;
  error(err: unknown): void;
  /** A full list arrived (its items are delivered right after, in the same turn). */
  listed?(): void;
}

export interface ResourceWatch {
  stop(): Promise<void>;
}

/**
 * The handlers read what toSnapshot does; `metadata.managedFields` (1.1 KB an object in the
 * 500-app per-app OCI run) would be kept by the informer's cache for every object, for nothing
 * but the garbage collector to walk.
 */
function withoutManagedFields<T>(object: T): T {
  const metadata = (object as KubernetesObject | undefined)?.metadata;
  if (metadata?.managedFields !== undefined) delete metadata.managedFields;
  return object;
}

/**
 * A list+watch of one Flux resource across all namespaces. The client's informer (ListWatch)
 * re-watches from the last resourceVersion when a watch ends and re-lists on 410 Gone, but gives
 * up on any other error (CRD not installed yet, API server restarting): restart it after a capped
 * backoff. Its events come through LineWatch (watch-lines.ts), its list through the client's API;
 * both without managedFields.
 */
export function watchResource(kubeConfig: KubeConfig, resource: FluxResource, handlers: ResourceWatchHandlers): ResourceWatch {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const informer = new ListWatch<KubernetesObject>(
    resourcePath(resource),
    new LineWatch(kubeConfig, withoutManagedFields),
    () =>
      api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural }).then((answer: unknown) => {
        handlers.listed?.();
        const list = answer as KubernetesListObject<KubernetesObject>;
        for (const item of list.items ?? []) withoutManagedFields(item);
        return list;
      }),
    false,
  );
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = 500;
  let lastErrorAt = 0;
  informer.on('add', handlers.upsert);
  informer.on('update', handlers.upsert);
  informer.on('delete', handlers.remove);
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    handlers.error(err);
    // A watch that ran fine for a while before failing starts the backoff afresh.
    if (Date.now() - lastErrorAt > 30_000) backoffMs = 500;
    lastErrorAt = Date.now();
    retryTimer = setTimeout(() => {
      if (!stopped) starting = informer.start().catch(handlers.error);
    }, backoffMs);
    retryTimer.unref();
    backoffMs = Math.min(backoffMs * 2, 10_000);
  });
  let starting: Promise<void> = informer.start().catch(handlers.error);
  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await informer.stop();
      // The client checks "stopped" only before listing: a start in flight still opens its watch,
      // which only a second stop, once that watch exists, can abort.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([starting, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
