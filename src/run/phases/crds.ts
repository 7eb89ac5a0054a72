import { providerCapabilities } from '../../providers/index.ts';
import { formatDuration } from '../../util/units.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';
import type { Kubectl } from '../kubectl.ts';

/** How long kubectl waits for the CRDs to be Established: a second per CRD, at least two minutes. */
export function crdEstablishTimeoutSeconds(count: number): number {
  return Math.max(120, count);
}

/**
 * The workload's dummy CRDs (`workload.crds`), applied server-side and waited for until every
 * one is Established, before the root objects: the run's `crds` phase, between generate and
 * apply, so time to Ready (from the apply) does not include them, as flux-benchmark installs its
 * CRDs before its Flux objects. On a borrowed cluster their deletion is registered on the
 * teardown stack, so it runs after the workload's removal (registered later by the apply phase).
 * Nothing to do without CRDs. Throws kubectl's error when the apply fails or the wait times out.
 */
export async function crdsPhase(
  ctx: Pick<RunContext, 'scenario' | 'teardown' | 'log'>,
  parts: { workload: Pick<GeneratedWorkload, 'crds'>; kubectl: Kubectl },
): Promise<void> {
  const { crds } = parts.workload;
  if (crds.length === 0) return;
  const { kubectl } = parts;
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds });
  const started = performance.now();
  if (!providerCapabilities(ctx.scenario.provider.type).ownsCluster) {
    // Registered before the apply, so CRDs half applied by a failed apply are removed too.
    ctx.teardown.defer('removing the dummy CRDs', async () => {
      await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=120s'], list);
    });
  }
  await kubectl(['apply', '--server-side', '-f', '-'], list);
  await kubectl(['wait', '--for=condition=Established', `--timeout=${crdEstablishTimeoutSeconds(crds.length)}s`, '-f', '-'], list);
  ctx.log(`${crds.length} dummy CRDs applied and Established in ${formatDuration(performance.now() - started)}`);
}
