import { runTimeline } from '../../chaos/index.ts';
import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import type { StartedFakeGitHub } from '../../github/index.ts';
import type { MeasurementsHandle } from '../../metrics/index.ts';
import type { StartedSourceHost } from '../../sources/index.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';
import type { Kubectl } from '../kubectl.ts';

/**
 * The measure phase: the scenario's timeline (churn, faults) runs for `duration` while the
 * measurements sample; every pushed commit is handed to the lag tracker and announced as a
 * push webhook. The timeline is stopped (its effects ended) at the end or at teardown.
 */
export async function measurePhase(
  ctx: RunContext,
  parts: { cluster: StartedCluster; flux: StartedFlux; github: StartedFakeGitHub; host: StartedSourceHost; workload: GeneratedWorkload; kubectl: Kubectl; measurements: MeasurementsHandle },
): Promise<void> {
  const { github, measurements } = parts;
  const timeline = runTimeline(
    ctx.planned,
    {
      cluster: parts.cluster,
      flux: parts.flux,
      github,
      workload: parts.workload,
      kubectl: parts.kubectl,
      sink: ctx.sink,
      onCommit: async (event) => {
        measurements.recordPush({ repo: event.repo, sha: event.sha, pushedAt: event.pushedAt });
        await parts.host.announce(event);
      },
    },
    Date.now(),
  );
  ctx.teardown.defer('timeline', () => timeline.stop());
  await ctx.wait(ctx.timings.durationMs);
  await timeline.stop();
}
