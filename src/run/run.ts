import { reapOrphanedRuns } from '../lifecycle/index.ts';
import { providerCapabilities } from '../providers/index.ts';
import { enabledControllers, type Scenario } from '../scenario/index.ts';
import { ensureToolchain, formatProgress, type Toolchain } from '../toolchain/index.ts';
import { formatDuration } from '../util/units.ts';
import { openRun, type PhaseName, type RunContext, type RunOptions } from './context.ts';
import { controllerPins } from './controllers.ts';
import { kubectlFor } from './kubectl.ts';
import { applyPhase } from './phases/apply.ts';
import { crdsPhase } from './phases/crds.ts';
import { generatePhase } from './phases/generate.ts';
import { sourcePhase } from './phases/source.ts';
import { measurePhase } from './phases/measure.ts';
import { startRunMeasurements } from './phases/measurements.ts';
import { fluxPhase, provisionPhase } from './phases/provision.ts';
import { spokesPhase } from './phases/spokes.ts';
import { reportPhase, type RunResult } from './phases/report.ts';
import { settlePhase } from './phases/settle.ts';
import { verdictPhase } from './phases/verdict.ts';

/**
 * One run of a scenario, phase by phase: github (the source host), provision, flux, generate,
 * crds (only with workload.crds), apply, settle, measure, verdict, then teardown and the reports.
 *
 * Starts: the toolchain build when a binary is missing (minutes, once), the fake GitHub on
 * 127.0.0.1, the provider's cluster and the Flux controllers, the measurements and the timeline.
 * Every one of them is stopped (or, on a borrowed cluster, the workload removed) however the run
 * ends: success, failure, Ctrl-C/SIGTERM (exit code 130) or the run's time bound (exit code 4);
 * a detached watchdog reaps them if this process is SIGKILLed.
 * Leaves on disk: <reportsDir>/<runId>/ with run.json, samples.ndjson (written as samples are
 * taken), summary.json, report.md, report.html, junit.xml, the cluster's and controllers' files.
 * Throws: FluxbenchError when the toolchain cannot be built (before anything is started); every
 * later failure is recorded in the result (exit code 3) rather than thrown.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const toolchain = await ensureRunToolchain(scenario, log);
  for (const action of await reapOrphanedRuns(toolchain.cacheRoot)) log(`cleanup of an earlier run: ${action}`);

  const { ctx, close } = openRun(scenario, options, toolchain);
  let runError: unknown;
  try {
    await runPhases(ctx);
  } catch (err) {
    runError = err;
  } finally {
    await close();
  }
  return reportPhase(ctx, runError);
}

/**
 * Builds (or finds in the cache) what a run of `scenario` needs: the Kubernetes and Flux
 * versions it names, its pinned controllers, the controllers it enables (binaries only where the
 * provider runs them as host processes). Progress goes to `log`.
 *
 * @throws UsageError for a version the module proxy does not serve; FluxbenchError when a build fails.
 */
export async function ensureRunToolchain(scenario: Scenario, log: (line: string) => void): Promise<Toolchain> {
  return ensureToolchain({
    versions: { flux: scenario.toolchain.flux, kubernetes: scenario.toolchain.kubernetes, controllers: controllerPins(scenario) },
    controllers: enabledControllers(scenario.controllers),
    // Only providers that run the controllers as host processes need their binaries.
    controllerBinaries: providerCapabilities(scenario.provider.type).hostControllers,
    progress: (e) => log(formatProgress(e)),
  });
}

/** The phases in order; each registers the stop of what it starts on the run's teardown stack. */
async function runPhases(ctx: RunContext): Promise<void> {
  const { host, github } = await phase(ctx, 'github', () => sourcePhase(ctx));
  const provisioned = await phase(ctx, 'provision', () => provisionPhase(ctx, host.url));
  const { cluster } = provisioned;
  const { flux, gitBaseUrl, readyMs } = await phase(ctx, 'flux', () => fluxPhase(ctx, cluster, host.url));
  ctx.log(`cluster ready in ${formatDuration(provisioned.readyMs)}, Flux ready in ${formatDuration(provisioned.readyMs + readyMs)}`);
  if (gitBaseUrl) ctx.log(`the source host at ${host.url} is reachable from the cluster's pods at ${gitBaseUrl}`);
  // No phase sample without a fleet.
  const fleet = ctx.scenario.fleet ? await phase(ctx, 'spokes', () => spokesPhase(ctx)) : undefined;
  const workload = await phase(ctx, 'generate', () => generatePhase(ctx, host, gitBaseUrl));
  const kubectl = kubectlFor(ctx.toolchain.binaries.kubectl!, cluster.kubeconfigPath);
  // Established before the apply, which time to Ready counts from; no phase sample without CRDs.
  if (workload.crds.length > 0) await phase(ctx, 'crds', () => crdsPhase(ctx, { workload, kubectl }));
  await phase(ctx, 'apply', () => applyPhase(ctx, { cluster, flux, github, workload, kubectl, ...(fleet ? { fleet } : {}) }));
  const { measurements, kubeConfig } = await startRunMeasurements(ctx, cluster, flux, fleet);
  await phase(ctx, 'settle', () => settlePhase(ctx, measurements, workload));
  await phase(ctx, 'measure', () => measurePhase(ctx, { cluster, flux, github, host, workload, kubectl, measurements, ...(fleet ? { fleet } : {}) }));
  await phase(ctx, 'verdict', () => verdictPhase(ctx, kubeConfig, workload));
}

/** Writes the phase sample, runs it, and stops the run there if it was interrupted meanwhile. */
async function phase<T>(ctx: RunContext, name: PhaseName, body: () => Promise<T>): Promise<T> {
  ctx.enter(name);
  let result: T;
  try {
    result = await body();
  } catch (err) {
    // Work cut short by the stop (an aborted publish) is the stop, not a failure of its own.
    ctx.checkInterrupted();
    throw err;
  }
  ctx.checkInterrupted();
  return result;
}
