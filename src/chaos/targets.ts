import type { StartedCluster } from '../cluster/index.ts';
import type { StartedFleet } from '../fleet/index.ts';
import type { StartedFlux } from '../flux/index.ts';
import type { StartedFakeGitHub } from '../github/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { StartedRegistry } from '../registry/types.ts';
import type { CommitEvent, GeneratedWorkload } from '../workload/index.ts';

/** Everything the timeline can act on during a run. */
export interface ChaosTargets {
  cluster: StartedCluster;
  flux: StartedFlux;
  github: StartedFakeGitHub;
  /** The OCI registry, when the scenario's source kind runs one (actions with `server: 'registry'`). */
  registry?: StartedRegistry;
  workload: GeneratedWorkload;
  /** The spoke clusters of a fleet run (spoke.* actions); absent without a fleet. */
  fleet?: StartedFleet;
  /** Runs kubectl against the run's cluster; resolves with stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  sink: SampleSink;
  /** Called with every commit churn pushes (lag tracking, webhooks). */
  onCommit(event: CommitEvent): void | Promise<void>;
}
