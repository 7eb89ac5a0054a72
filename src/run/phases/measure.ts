import { runTimeline } from '../../chaos/index.ts';
import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFleet } from '../../fleet/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import type { StartedFakeGitHub } from '../../github/index.ts';
import type { MeasurementsHandle } from '../../metrics/index.ts';
import type { StartedSourceHost } from '../../sources/index.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';
import type { Kubectl } from '../kubectl.ts';

/**
 * The measure phase: the scenario's timeline (churn, faults) runs for `duration` while the
 * measurements sample; every pushed commit is announced by the source host (a push webhook, or
 * published as OCI artifacts) and what it published is handed to the lag tracker. The timeline
 * is stopped (its effects ended) at the end or at teardown.
 */
export async function measurePhase(
  ctx: RunContext,
  parts: { cluster: StartedCluster; flux: StartedFlux; github: StartedFakeGitHub; host: StartedSourceHost; workload: GeneratedWorkload; kubectl: Kubectl; measurements: MeasurementsHandle; fleet?: StartedFleet },
): Promise<void> {
  const { github, measurements } = parts;
  const timeline = runTimeline(
    ctx.planned,
    {
      cluster: parts.cluster,
      flux: parts.flux,
      github,
      // registry.fault and registry.ratelimit act on it; validation refused them when the source kind runs none.
      ...(parts.host.targets.registry ? { registry: parts.host.targets.registry } : {}),
      workload: parts.workload,
      ...(parts.fleet ? { fleet: parts.fleet } : {}),
      kubectl: parts.kubectl,
      sink: ctx.sink,
      onCommit: async (event) => {
        // Git: the commit itself; OCI: each artifact published from it, with its digest.
        for (const push of await parts.host.announce(event)) measurements.recordPush(push);
      },
    },
    Date.now(),
  );
  ctx.teardown.defer('timeline', () => timeline.stop());
  await ctx.wait(ctx.timings.durationMs);
  await timeline.stop();
}
