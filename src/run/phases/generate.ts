import type { StartedSourceHost } from '../../sources/index.ts';
import { formatDuration } from '../../util/units.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';

/**
 * The synthetic sources written into the host and the Flux objects that point at them. Flux
 * fetches from where it reaches the host (`fluxBaseUrl`); the harness itself stays on loopback.
 */
export async function generatePhase(ctx: RunContext, host: StartedSourceHost, fluxBaseUrl: string | undefined): Promise<GeneratedWorkload> {
  const workload = await host.generate(fluxBaseUrl ?? host.url);
  ctx.log(`generated ${workload.repos.length} repos, ${workload.fluxObjects.length} Flux objects in ${formatDuration(workload.durationMs)}`);
  return workload;
}
