import { z } from 'zod';
import type { StartedCluster } from '../cluster/index.ts';
import { startPodFlux } from '../flux/index.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import { rewriteGitBaseUrl } from './kind/cluster.ts';
import type { ProviderFlux, ProviderStartOptions } from './types.ts';

/**
 * Flux as pods (kind, k3s): the fake GitHub's port is made reachable from the pods first, then
 * Flux is installed from the rendered manifests of the published images.
 */
export async function startFluxAsPods(cluster: StartedCluster, options: ProviderStartOptions): Promise<ProviderFlux> {
  if (!options.githubUrl) throw new FluxbenchError(`provider ${cluster.provider} needs the fake GitHub's URL to expose it to pods`);
  if (!cluster.exposeToPods) throw new FluxbenchError(`provider ${cluster.provider} cannot expose the fake GitHub to its pods`);
  const address = await cluster.exposeToPods(Number(new URL(options.githubUrl).port));
  const flux = await startPodFlux({
    toolchain: options.toolchain,
    cluster,
    controllers: options.controllers,
    runDir: options.runDir,
    sink: options.sink,
    ...(options.settings.fluxImageRepository ? { imageRepository: options.settings.fluxImageRepository } : {}),
  });
  return { flux, gitBaseUrl: rewriteGitBaseUrl(options.githubUrl, address.host, address.port) };
}

/** `provider.fluxImageRepository`, read by every provider that runs Flux as pods. */
export const fluxImageRepositorySetting = {
  fluxImageRepository: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/, 'an image repository such as ghcr.io/fluxcd or registry.example.com/mirror/fluxcd')
    .optional()
    .meta({ description: 'Where kind and k3s pull the Flux controller images from (default ghcr.io/fluxcd); images are <repository>/<controller>:<release>.' }),
};
