import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTimeline, type TimelineRun } from '../chaos/index.ts';
import { collectFluxState, diagnose, renderDiagnosisMarkdown, renderDiagnosisText } from '../diagnose/index.ts';
import type { FluxControllersConfig } from '../flux/index.ts';
import { startFakeGitHub, type StartedFakeGitHub } from '../github/index.ts';
import { onTermination, reapOrphanedRuns, RunRegistry, startWatchdog } from '../lifecycle/index.ts';
import { fluxResources, startMeasurements, type MeasurementsHandle } from '../metrics/index.ts';
import { compareSummaries, defaultLimits, readSummary, renderComparison, writeReports, type RunMeta, type Summary } from '../report/index.ts';
import { ensureToolchain, formatProgress, type FluxControllerName } from '../toolchain/index.ts';
import { ExitCode, FluxbenchError } from '../util/exit-codes.ts';
import { NdjsonWriter, readNdjson } from '../util/ndjson.ts';
import { newRunId } from '../util/run-id.ts';
import { formatDuration, parseDuration } from '../util/units.ts';
import { expectedOutcome, generateWorkload, type GeneratedWorkload } from '../workload/index.ts';
import { quantityValue } from './field-schemas.ts';
import { githubAppAuth } from './github-app-auth.ts';
import { installReceivers } from './receivers.ts';
import { settledCount } from './settle.ts';
import { LiveStatus, teeSink } from './runner-live.ts';
import { startEnvironment, startExistingEnvironment, startPodEnvironment, type Environment } from './runner-env.ts';
import type { ExistingCluster } from '../cluster/index.ts';
import type { Scenario } from './schema.ts';
import { enabledControllers, planTimeline } from './timeline.ts';
import { scenarioTimings } from './timings.ts';
import type { Sample } from '../metrics/sample.ts';

export interface RunOptions {
  scenarioPath: string;
  /** Parent folder of run folders (default ./reports). */
  reportsDir?: string;
  /** A previous run's summary.json: the run also fails on regressions against it. */
  baseline?: string;
  /** Plain progress lines only, less often. */
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface RunResult {
  runId: string;
  runDir: string;
  exitCode: number;
  summary?: Summary;
}

/** Translates the scenario's controller section into what the Flux supervisor starts. */
export function fluxControllersFromScenario(controllers: Scenario['controllers']): FluxControllersConfig {
  const settings = (c: Scenario['controllers']['source']) => ({
    ...(c.concurrent !== undefined ? { concurrent: c.concurrent } : {}),
    ...(c.requeueDependency !== undefined ? { requeueDependency: String(c.requeueDependency) } : {}),
    ...(c.featureGates ? { featureGates: c.featureGates } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.memoryLimit !== undefined ? { memoryLimitBytes: quantityValue(c.memoryLimit) } : {}),
  });
  return {
    source: settings(controllers.source),
    // shards: 1 is one unsharded instance; N > 1 is the main instance plus N shard instances.
    kustomize: { ...settings(controllers.kustomize), shards: controllers.kustomize.shards > 1 ? controllers.kustomize.shards : 0 },
    helm: { ...settings(controllers.helm), enabled: controllers.helm.enabled },
    notification: { ...settings(controllers.notification), enabled: controllers.notification.enabled },
  };
}

/** The run id: the scenario name plus a time stamp, a valid DNS label (it names the cluster). */
export function scenarioRunId(name: string, now = new Date()): string {
  return `${name.slice(0, 30)}-${newRunId(now).replace(/^fb-/, '')}`;
}

class Interrupted extends Error {}
class TimedOut extends Error {}

/**
 * The hard bound of a run: settle and measure as the scenario says, plus a generous budget for
 * provisioning, generation and the verdict. A run past it is stopped and reported as a timeout.
 */
export function runTimeBoundMs(timings: { durationMs: number; settleTimeoutMs: number }, provisioningBudgetMs = 15 * 60_000): number {
  return timings.settleTimeoutMs + timings.durationMs + provisioningBudgetMs;
}

/**
 * One run: provision, load, measure, judge, report, tear down; every sample on disk as it is
 * taken, and every process and cluster stopped however the run ends.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  let log = options.log ?? ((line: string) => console.error(line));
  const timings = scenarioTimings(scenario);
  const controllers: FluxControllerName[] = enabledControllers(scenario.controllers);
  const toolchain = await ensureToolchain({
    versions: { flux: scenario.toolchain.flux, kubernetes: scenario.toolchain.kubernetes },
    controllers,
    // Only the local provider runs the controllers as host processes; kind and k3s run the
    // published images and existing brings its own, so they need the CRDs and kubectl only.
    controllerBinaries: scenario.provider.type === 'local',
    progress: (e) => log(formatProgress(e)),
  });
  for (const action of await reapOrphanedRuns(toolchain.cacheRoot)) log(`cleanup of an earlier run: ${action}`);

  const runId = scenarioRunId(scenario.name);
  const runDir = resolve(options.reportsDir ?? 'reports', runId);
  mkdirSync(runDir, { recursive: true });
  const registry = new RunRegistry(toolchain.cacheRoot, runId);
  startWatchdog(registry);
  const samplesFile = new NdjsonWriter<Sample>(join(runDir, 'samples.ndjson'));
  const live = new LiveStatus();
  const sink = teeSink(samplesFile, live);
  const planned = planTimeline(scenario);
  const meta: RunMeta = {
    runId,
    scenarioName: scenario.name,
    scenarioPath: resolve(options.scenarioPath),
    startedAt: new Date().toISOString(),
    status: 'running',
    provider: scenario.provider.type,
    versions: { flux: toolchain.flux.flux, kubernetes: toolchain.versions.kubernetes },
    thresholds: scenario.thresholds,
    regression: scenario.regression,
    timeline: planned.map((p) => ({ atMs: p.atMs, action: p.action.action, label: p.label, ...(p.endMs !== undefined ? { endMs: p.endMs } : {}) })),
  };
  const writeMeta = () => writeFileSync(join(runDir, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  writeMeta();
  log(`run ${runId}: ${runDir}`);

  let github: StartedFakeGitHub | undefined;
  let env: Environment | undefined;
  let measurements: MeasurementsHandle | undefined;
  let timeline: TimelineRun | undefined;
  let removeWorkload: (() => Promise<void>) | undefined;
  let interruptedBy: string | undefined;
  const interrupted = new AbortController();
  const release = onTermination(async (reason) => {
    interruptedBy = reason;
    log(`${reason}: stopping the run`);
    interrupted.abort();
  });
  const boundMs = runTimeBoundMs(timings);
  const hardBound = setTimeout(() => {
    interruptedBy = 'timeout';
    log(`the run exceeded its time bound of ${formatDuration(boundMs)}: stopping it`);
    interrupted.abort();
  }, boundMs);
  const startedAt = Date.now();
  // On a terminal the live line is redrawn in place; otherwise (CI logs) plain lines, less often with --quiet.
  const tty = Boolean(process.stderr.isTTY) && !options.quiet && !options.log;
  const liveTimer = setInterval(
    () => (tty ? process.stderr.write(`\r\x1b[K${live.line(Date.now() - startedAt)}`) : log(live.line(Date.now() - startedAt))),
    tty ? 1_000 : options.quiet ? 30_000 : Math.max(2_000, timings.samplingIntervalMs),
  );
  const logLine = log;
  log = (line: string) => logLine(tty ? `\r\x1b[K${line}` : line);
  const checkInterrupted = () => {
    if (interrupted.signal.aborted) throw interruptedBy === 'timeout' ? new TimedOut('timeout') : new Interrupted(interruptedBy);
  };
  const wait = async (ms: number) => {
    try {
      await sleep(ms, undefined, { signal: interrupted.signal });
    } catch {
      checkInterrupted();
    }
  };

  let runError: unknown;
  try {
    sink.write({ ts: Date.now(), kind: 'phase', name: 'github' });
    const appAuth = githubAppAuth(scenario);
    github = await startFakeGitHub(
      { ...scenario.github, ...(appAuth ? { app: appAuth.app } : {}), storageRoot: join(runDir, 'github') },
      { sink },
    );
    const fluxToken = github.tokens()[0] ?? github.issueToken({ name: 'flux', permission: 'read' });
    checkInterrupted();

    const provider = scenario.provider;
    const own = { toolchain, runId, runDir, nodes: provider.nodes, controllers: fluxControllersFromScenario(scenario.controllers), sink, registry };
    env =
      provider.type === 'existing'
        ? await startExistingEnvironment({
            toolchain,
            runDir,
            sink,
            ...(provider.kubeconfig ? { kubeconfig: provider.kubeconfig } : {}),
            ...(provider.context ? { context: provider.context } : {}),
          })
        : provider.type === 'kind' || provider.type === 'k3s'
          ? await startPodEnvironment({
              ...own,
              githubUrl: github.url,
              // The CLIs kind and the kind provider's Docker calls use, like the toolchain's FLUXBENCH_<NAME>_BINARY overrides.
              binaries: {
                ...(process.env.FLUXBENCH_KIND_BINARY ? { kind: process.env.FLUXBENCH_KIND_BINARY } : {}),
                ...(process.env.FLUXBENCH_DOCKER_BINARY ? { docker: process.env.FLUXBENCH_DOCKER_BINARY } : {}),
              },
              provider: {
                type: provider.type,
                ...(provider.kindConfig ? { kindConfig: provider.kindConfig } : {}),
                ...(provider.kindImage ? { kindImage: provider.kindImage } : {}),
                ...(provider.k3sImage ? { k3sImage: provider.k3sImage } : {}),
                ...(provider.fluxImageRepository ? { fluxImageRepository: provider.fluxImageRepository } : {}),
              },
            })
          : await startEnvironment(own);
    log(`cluster ready in ${formatDuration(env.timings.clusterReadyMs)}, Flux ready in ${formatDuration(env.timings.fluxReadyMs)}`);
    if (env.gitBaseUrl) log(`the fake GitHub at ${github.url} is reachable from the cluster's pods at ${env.gitBaseUrl}`);
    checkInterrupted();

    sink.write({ ts: Date.now(), kind: 'phase', name: 'generate' });
    const workload: GeneratedWorkload = await generateWorkload(scenario.workload, {
      storageRoot: github.storageRoot,
      // Flux clones from where it reaches the fake GitHub; the harness itself stays on loopback.
      gitBaseUrl: env.gitBaseUrl ?? github.url,
      token: fluxToken.token,
      ...(appAuth ? { gitSecretData: appAuth.secretData(env.gitBaseUrl ?? github.url) } : {}),
    });
    log(`generated ${workload.repos.length} repos, ${workload.fluxObjects.length} Flux objects in ${formatDuration(workload.durationMs)}`);
    checkInterrupted();

    const kubectlBin = toolchain.binaries.kubectl!;
    const kubeconfigPath = env.cluster.kubeconfigPath;
    const kubectl = async (args: string[], input?: string) =>
      (await execa(kubectlBin, args, { env: { ...process.env, KUBECONFIG: kubeconfigPath }, ...(input !== undefined ? { input } : {}) })).stdout;
    checkInterrupted();

    sink.write({ ts: Date.now(), kind: 'phase', name: 'apply' });
    if ('track' in env.cluster) {
      // On a cluster that is not the run's own, namespaces the run creates are tracked (and
      // deleted at the end); existing ones, flux-system among them, are only used.
      const existing = env.cluster as ExistingCluster;
      for (const ns of workload.rootObjects.filter((o) => o.kind === 'Namespace')) await existing.track(ns.metadata.name);
      const objects = workload.rootObjects.filter((o) => o.kind !== 'Namespace');
      await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      removeWorkload = async () => {
        // Deleting the root Kustomization makes Flux prune everything the workload created.
        await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=120s'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      };
    } else {
      await kubectl(['apply', '--server-side', '-f', '-'], workload.rootYaml);
    }
    if (scenario.controllers.notification.enabled && scenario.controllers.notification.receivers) {
      const hooks = await installReceivers({ kubectl, flux: env.flux, workload, namespace: env.flux.namespace });
      github.admin.setWebhooks(hooks);
      log(`webhooks: each repository's pushes are delivered to its own Flux Receiver (${hooks.length}, e.g. ${hooks[0]?.url})`);
    }
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    measurements = await startMeasurements(
      {
        kubeConfig,
        sink,
        controllers: env.flux.controllers.map((c) => ({
          controller: c.controller,
          ...(c.shard ? { shard: c.shard } : {}),
          metricsUrl: c.metricsUrl,
          pid: () => c.process.pid,
        })),
        ...(env.cluster.etcdMetricsUrl ? { etcdMetricsUrl: env.cluster.etcdMetricsUrl } : {}),
        interval: timings.samplingIntervalMs,
        log,
      },
      {
        controllers: true,
        proc: true,
        // Watch only the kinds whose controller runs: the HelmRelease CRD exists only with helm-controller.
        lag: {
          resources: fluxResources.filter((r) => r.kind !== 'HelmRelease' || scenario.controllers.helm.enabled),
          stalls: {
            dependencyNotReadyAfterMs: parseDuration(scenario.stalls.dependencyNotReadyAfter),
            staleRevisionAfterMs: parseDuration(scenario.stalls.staleRevisionAfter),
            attemptedNeAppliedAfterMs: parseDuration(scenario.stalls.attemptedNeAppliedAfter),
            sourceFailingAfterMs: parseDuration(scenario.stalls.sourceFailingAfter),
          },
        },
        // Same filter: listing HelmReleases without their CRD fails every interval.
        api: { resources: fluxResources.filter((r) => r.kind !== 'HelmRelease' || scenario.controllers.helm.enabled) },
      },
    );

    // Settle: wait until every object that can become Ready is Ready. Injected cycles and broken
    // roots never get there, so the generator's ground truth says how many to wait for; the
    // timeout only bounds the wait.
    sink.write({ ts: Date.now(), kind: 'phase', name: 'settle' });
    const settleDeadline = Date.now() + timings.settleTimeoutMs;
    const expectedReady = expectedOutcome(workload.graph).ready.length;
    const appliedKinds = ['Kustomization', 'HelmRelease'];
    const lagTracker = measurements.lag;
    while (Date.now() < settleDeadline) {
      const settled = lagTracker ? settledCount(lagTracker.snapshots().values(), appliedKinds) : live.readyOf(appliedKinds);
      if (settled >= expectedReady) break;
      await wait(1_000);
    }
    log(`settled: ${live.ready ?? 0}/${live.total ?? workload.fluxObjects.length} Ready (${expectedReady} can be)`);
    checkInterrupted();

    sink.write({ ts: Date.now(), kind: 'phase', name: 'measure' });
    const measureStart = Date.now();
    const activeGitHub = github;
    const activeMeasurements = measurements;
    timeline = runTimeline(
      planned,
      {
        cluster: env.cluster,
        flux: env.flux,
        github: activeGitHub,
        workload,
        kubectl,
        sink,
        onCommit: async (event) => {
          activeMeasurements.recordPush({ repo: event.repo, sha: event.sha, pushedAt: event.pushedAt });
          const [owner, repo] = event.repo.split('/');
          await activeGitHub.notifyPush(owner!, repo!, { ref: 'refs/heads/main', before: event.parentSha, after: event.sha });
        },
      },
      measureStart,
    );
    await wait(timings.durationMs);
    await timeline.stop();

    sink.write({ ts: Date.now(), kind: 'phase', name: 'verdict' });
    try {
      // The generator knows who creates the ConfigMaps HelmReleases need: without it a cycle through one is invisible.
      const producerHints = workload.configMapProducers;
      const diagnosis = diagnose(await collectFluxState(kubeConfig, producerHints ? { producerHints } : {}), new Date());
      meta.diagnosis = { markdown: renderDiagnosisMarkdown(diagnosis), text: renderDiagnosisText(diagnosis), json: diagnosis };
    } catch (err) {
      meta.diagnosis = { text: `diagnosis failed: ${(err as Error).message}` };
    }
  } catch (err) {
    runError = err;
  } finally {
    clearInterval(liveTimer);
    clearTimeout(hardBound);
    if (tty) process.stderr.write('\n');
    await timeline?.stop().catch(() => undefined);
    await measurements?.stop().catch(() => undefined);
    sink.write({ ts: Date.now(), kind: 'phase', name: 'teardown' });
    await removeWorkload?.().catch((err: unknown) => log(`teardown: removing the workload: ${(err as Error).message}`));
    await env?.stop().catch((err: unknown) => log(`teardown: ${(err as Error).message}`));
    await github?.stop().catch(() => undefined);
    samplesFile.close();
    registry.remove();
    release();
  }

  meta.endedAt = new Date().toISOString();
  if (runError instanceof Interrupted) meta.status = 'interrupted';
  else if (runError instanceof TimedOut) meta.status = 'timeout';
  else if (runError) {
    meta.status = 'error';
    meta.error = runError instanceof Error ? runError.message : String(runError);
  }
  const samples = readNdjson<Sample>(join(runDir, 'samples.ndjson'));
  // Thresholds decide passed/failed; the summary's verdict says which.
  const provisional = writeReports(runDir, samples, { ...meta, status: meta.status === 'running' ? 'passed' : meta.status });
  let summary = provisional.summary;
  if (meta.status === 'running') meta.status = summary.verdict === 'passed' ? 'passed' : 'failed';
  meta.exitCode = exitCodeOf(meta.status);
  if (options.baseline && meta.status === 'passed') {
    const verdict = judgeAgainstBaseline(readSummary(options.baseline), summary);
    log(verdict.text);
    if (verdict.regressed) meta.exitCode = ExitCode.regression;
  }
  writeMeta();
  summary = writeReports(runDir, samples, meta).summary;
  if (meta.status === 'error') log(`run failed: ${meta.error}`);
  return { runId, runDir, exitCode: meta.exitCode, summary };
}

/**
 * `run --baseline`: the current summary against a previous one, under the regression limits of
 * the current scenario (else the baseline's). A regression turns a pass into exit code 5.
 */
export function judgeAgainstBaseline(baseline: Summary, current: Summary): { regressed: boolean; text: string } {
  const { limits, source } = defaultLimits(baseline, current);
  const comparison = compareSummaries(baseline, current, limits);
  return { regressed: comparison.regressed, text: renderComparison(comparison, source) };
}

export function exitCodeOf(status: RunMeta['status']): number {
  switch (status) {
    case 'passed':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.thresholdsFailed;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'timeout':
      return ExitCode.timeout;
    default:
      return ExitCode.runError;
  }
}
