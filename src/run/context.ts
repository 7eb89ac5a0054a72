/**
 * What every phase of a run shares: the run's folder and record, the sample stream, the live
 * line, the log, the interruption signal and the teardown stack. `openRun` creates it (and the
 * folder, run.json, samples.ndjson and the on-disk run record the watchdog reads); the closer
 * it returns unwinds the teardown stack and releases all of it.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onTermination, RunRegistry, startWatchdog } from '../lifecycle/index.ts';
import type { Sample, SampleSink } from '../metrics/sample.ts';
import type { RunMeta } from '../report/index.ts';
import { planTimeline, scenarioTimings, type PlannedAction, type Scenario, type ScenarioTimings } from '../scenario/index.ts';
import type { Toolchain } from '../toolchain/index.ts';
import { NdjsonWriter } from '../util/ndjson.ts';
import { redactSecrets } from '../util/redact.ts';
import { newRunId } from '../util/run-id.ts';
import { formatDuration } from '../util/units.ts';
import { LiveStatus, teeSink } from './live.ts';
import { TeardownStack } from './teardown.ts';

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

/** The names of the phase samples, in the order a run writes them. */
export type PhaseName = 'github' | 'provision' | 'flux' | 'spokes' | 'generate' | 'crds' | 'apply' | 'settle' | 'measure' | 'verdict' | 'teardown';

export class Interrupted extends Error {}
export class TimedOut extends Error {}

export interface RunContext {
  readonly scenario: Scenario;
  readonly options: RunOptions;
  readonly toolchain: Toolchain;
  readonly timings: ScenarioTimings;
  readonly planned: readonly PlannedAction[];
  readonly runId: string;
  readonly runDir: string;
  readonly registry: RunRegistry;
  /** Every sample goes to samples.ndjson (as it is taken) and to the live line. */
  readonly sink: SampleSink;
  readonly live: LiveStatus;
  readonly meta: RunMeta;
  readonly teardown: TeardownStack;
  writeMeta(): void;
  log(line: string): void;
  /** Sleeps `ms`; throws Interrupted or TimedOut as soon as the run is stopped. */
  wait(ms: number): Promise<void>;
  /** Throws Interrupted or TimedOut when the run has been stopped. */
  checkInterrupted(): void;
  /** Aborted when the run is stopped (Ctrl-C, SIGTERM, its time bound): for work outside the phases' own waits. */
  readonly interrupted: AbortSignal;
  /** Writes the phase sample; each phase is written once. */
  enter(phase: PhaseName): void;
}

/** The run id: the scenario name plus a time stamp, a valid DNS label (it names the cluster). */
export function scenarioRunId(name: string, now = new Date()): string {
  return `${name.slice(0, 30)}-${newRunId(now).replace(/^fb-/, '')}`;
}

/**
 * The hard bound of a run: settle and measure as the scenario says, plus a generous budget for
 * provisioning, generation and the verdict. A run past it is stopped and reported as a timeout.
 */
export function runTimeBoundMs(timings: { durationMs: number; settleTimeoutMs: number }, provisioningBudgetMs = 15 * 60_000): number {
  return timings.settleTimeoutMs + timings.durationMs + provisioningBudgetMs;
}

/** The run's context and its closer. Creates <reportsDir>/<runId>/ with run.json and samples.ndjson. */
export function openRun(scenario: Scenario, options: RunOptions, toolchain: Toolchain): { ctx: RunContext; close: () => Promise<void> } {
  const baseLog = options.log ?? ((line: string) => console.error(line));
  const timings = scenarioTimings(scenario);
  const runId = scenarioRunId(scenario.name);
  const runDir = resolve(options.reportsDir ?? 'reports', runId);
  // Planned first: a timeline that cannot run throws before anything exists to clean up.
  const planned = planTimeline(scenario);
  // The run's files include a kubeconfig, the repos and the controllers' logs: owner only.
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  chmodSync(runDir, 0o700);
  const secrets = scenarioSecrets(scenario);
  const registry = new RunRegistry(toolchain.cacheRoot, runId);
  startWatchdog(registry);
  const samplesFile = new NdjsonWriter<Sample>(join(runDir, 'samples.ndjson'));
  const live = new LiveStatus();
  const sink = teeSink(samplesFile, live);
  const meta = initialMeta(scenario, options, toolchain, runId, planned);
  // run.json's error and diagnosis quote other programs' output; credentials in it are masked.
  const writeMeta = () => writeFileSync(join(runDir, 'run.json'), `${redactSecrets(JSON.stringify(meta, null, 2), secrets)}\n`);
  writeMeta();
  baseLog(`run ${runId}: ${runDir}`);

  const interrupted = new AbortController();
  let interruptedBy: string | undefined;
  const stop = (reason: string, line: string) => {
    interruptedBy = reason;
    baseLog(line);
    interrupted.abort();
  };
  const release = onTermination(async (reason) => stop(reason, `${reason}: stopping the run`));
  const boundMs = runTimeBoundMs(timings);
  const hardBound = setTimeout(() => stop('timeout', `the run exceeded its time bound of ${formatDuration(boundMs)}: stopping it`), boundMs);
  const startedAt = Date.now();
  // On a terminal the live line is redrawn in place; otherwise (CI logs) plain lines, less often with --quiet.
  const tty = Boolean(process.stderr.isTTY) && !options.quiet && !options.log;
  const liveTimer = setInterval(
    () => (tty ? process.stderr.write(`\r\x1b[K${live.line(Date.now() - startedAt)}`) : baseLog(live.line(Date.now() - startedAt))),
    tty ? 1_000 : options.quiet ? 30_000 : Math.max(2_000, timings.samplingIntervalMs),
  );
  const checkInterrupted = () => {
    if (interrupted.signal.aborted) throw interruptedBy === 'timeout' ? new TimedOut('timeout') : new Interrupted(interruptedBy);
  };
  const entered = new Set<PhaseName>();
  const teardown = new TeardownStack();
  const log = (line: string) => baseLog(tty ? `\r\x1b[K${redactSecrets(line, secrets)}` : redactSecrets(line, secrets));
  const ctx: RunContext = {
    scenario,
    options,
    toolchain,
    timings,
    planned,
    runId,
    runDir,
    registry,
    sink,
    live,
    meta,
    teardown,
    writeMeta,
    log,
    checkInterrupted,
    interrupted: interrupted.signal,
    async wait(ms) {
      try {
        await sleep(ms, undefined, { signal: interrupted.signal });
      } catch {
        checkInterrupted();
      }
    },
    enter(phase) {
      if (entered.has(phase)) return;
      entered.add(phase);
      sink.write({ ts: Date.now(), kind: 'phase', name: phase });
    },
  };
  const close = async () => {
    clearInterval(liveTimer);
    clearTimeout(hardBound);
    if (tty) process.stderr.write('\n');
    ctx.enter('teardown');
    await teardown.unwind(log);
    samplesFile.close();
    registry.remove();
    release();
  };
  return { ctx, close };
}

/** The secrets a scenario spells out (tokens, webhook secrets); the ones made at run time never reach text. */
export function scenarioSecrets(scenario: Pick<Scenario, 'github'>): string[] {
  const { tokens, webhooks } = scenario.github;
  return [...tokens.map((t) => t.token), ...webhooks.targets.map((t) => t.secret)].filter((s): s is string => typeof s === 'string');
}

function initialMeta(scenario: Scenario, options: RunOptions, toolchain: Toolchain, runId: string, planned: readonly PlannedAction[]): RunMeta {
  return {
    runId,
    scenarioName: scenario.name,
    scenarioPath: resolve(options.scenarioPath),
    startedAt: new Date().toISOString(),
    status: 'running',
    provider: scenario.provider.type,
    versions: {
      flux: toolchain.flux.flux,
      kubernetes: toolchain.versions.kubernetes,
      // Controllers pinned away from the release: an A/B of an upgrade names what ran.
      ...(Object.keys(toolchain.pinned).length > 0 ? { controllers: toolchain.pinned as Record<string, string> } : {}),
    },
    thresholds: scenario.thresholds,
    regression: scenario.regression,
    timeline: planned.map((p) => ({ atMs: p.atMs, action: p.action.action, label: p.label, ...(p.endMs !== undefined ? { endMs: p.endMs } : {}) })),
  };
}
