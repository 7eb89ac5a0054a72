import { KubeConfig } from '@kubernetes/client-node';
import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFleet, StartedSpoke } from '../../fleet/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import { startMeasurements } from '../../measurements/index.ts';
import { fluxResources, helmControllerKinds, type MeasurementsHandle, type SpokeTarget } from '../../metrics/index.ts';
import { providerDefinition } from '../../providers/index.ts';
import { parseDuration } from '../../util/units.ts';
import type { RunContext } from '../context.ts';

/** A spoke as the fleet sampler sees it: read through, since a spoke deleted and created again has a new address and kubeconfig. */
function spokeTarget(spoke: StartedSpoke): SpokeTarget {
  return {
    name: spoke.name,
    get apiServerUrl() {
      return spoke.apiServerUrl;
    },
    get kubeconfig() {
      return spoke.kubeconfig;
    },
    componentPids: () => spoke.componentPids(),
  };
}

/**
 * Starts every measurement the scenario needs against the cluster and its controllers, streaming
 * samples from now on; stopped at teardown. Throws FluxbenchError when one cannot start (the
 * ones already started are stopped first).
 */
export async function startRunMeasurements(ctx: RunContext, cluster: StartedCluster, flux: StartedFlux, fleet?: StartedFleet): Promise<{ measurements: MeasurementsHandle; kubeConfig: KubeConfig }> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
  const { scenario } = ctx;
  // Watch and list only the kinds whose controller runs and the source kind the workload uses.
  const sourceKind = scenario.workload.source === 'oci' ? 'OCIRepository' : 'GitRepository';
  const helm = scenario.controllers.helm.enabled;
  const resources = fluxResources.filter(
    (r) => (!helmControllerKinds.has(r.kind) || helm) && (r.kind === sourceKind || !['GitRepository', 'OCIRepository'].includes(r.kind)),
  );
  const measurements = await startMeasurements(
    {
      kubeConfig,
      sink: ctx.sink,
      controllers: flux.controllers.map((c) => ({
        controller: c.controller,
        ...(c.shard ? { shard: c.shard } : {}),
        metricsUrl: c.metricsUrl,
        pid: () => c.process.pid,
      })),
      ...(cluster.etcdMetricsUrl ? { etcdMetricsUrl: cluster.etcdMetricsUrl } : {}),
      // Only where the control plane is processes of this machine: elsewhere there is nothing to read.
      ...(providerDefinition(scenario.provider.type).capabilities.hostControlPlane ? { componentPids: () => cluster.componentPids() } : {}),
      interval: ctx.timings.samplingIntervalMs,
      log: ctx.log,
      ...(fleet ? { spokes: fleet.spokes.map(spokeTarget) } : {}),
    },
    {
      controllers: true,
      proc: true,
      lag: {
        resources,
        stalls: {
          dependencyNotReadyAfterMs: parseDuration(scenario.stalls.dependencyNotReadyAfter),
          staleRevisionAfterMs: parseDuration(scenario.stalls.staleRevisionAfter),
          attemptedNeAppliedAfterMs: parseDuration(scenario.stalls.attemptedNeAppliedAfter),
          sourceFailingAfterMs: parseDuration(scenario.stalls.sourceFailingAfter),
        },
      },
      api: { resources },
    },
  );
  ctx.teardown.defer('measurements', () => measurements.stop());
  return { measurements, kubeConfig };
}
