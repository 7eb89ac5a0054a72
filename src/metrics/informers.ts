import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, makeInformer } from '@kubernetes/client-node';
import { type FluxResource, resourcePath } from './flux-objects.ts';

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
 * A list+watch of one Flux resource across all namespaces. The client's informer re-watches
 * from the last resourceVersion when a watch ends and re-lists on 410 Gone, but gives up on any
 * other error (CRD not installed yet, API server restarting): restart it after a capped backoff.
 */
export function watchResource(kubeConfig: KubeConfig, resource: FluxResource, handlers: ResourceWatchHandlers): ResourceWatch {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const informer = makeInformer<KubernetesObject>(kubeConfig, resourcePath(resource), () =>
    api.listClusterCustomObject({ group: resource.group, version: resource.version, plural: resource.plural }).then((list: unknown) => {
      handlers.listed?.();
      return list as KubernetesListObject<KubernetesObject>;
    }),
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
