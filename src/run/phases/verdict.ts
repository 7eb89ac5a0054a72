import type { KubeConfig } from '@kubernetes/client-node';
import { collectFluxState, diagnose, renderDiagnosisMarkdown, renderDiagnosisText } from '../../diagnose/index.ts';
import { parseDuration } from '../../util/units.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';

/**
 * Diagnoses the cluster while it still exists (stuck objects, cycles, root causes) into the run
 * record; thresholds are judged later from the samples. A failed diagnosis is recorded, not thrown.
 */
export async function verdictPhase(ctx: RunContext, kubeConfig: KubeConfig, workload: GeneratedWorkload): Promise<void> {
  try {
    // The generator knows who creates the ConfigMaps HelmReleases need: without it a cycle through one is invisible.
    const producerHints = workload.configMapProducers;
    // The run's own stall threshold says when an object at an older revision is frozen, so the
    // report's diagnosis and its stall samples agree on which objects those are.
    const graceMs = parseDuration(ctx.scenario.stalls.staleRevisionAfter);
    const diagnosis = diagnose(await collectFluxState(kubeConfig, producerHints ? { producerHints } : {}), new Date(), { graceMs });
    ctx.meta.diagnosis = { markdown: renderDiagnosisMarkdown(diagnosis), text: renderDiagnosisText(diagnosis), json: diagnosis };
  } catch (err) {
    ctx.meta.diagnosis = { text: `diagnosis failed: ${(err as Error).message}` };
  }
}
