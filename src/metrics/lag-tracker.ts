import type { KubernetesObject } from '@kubernetes/client-node';
import { UsageError } from '../util/exit-codes.ts';
import { type FluxObjectSnapshot, type FluxResource, fluxResources, objectKey, toSnapshot } from './flux-objects.ts';
import { type ResourceWatch, watchResource } from './informers.ts';
import { pendingSample } from './lag-pending.ts';
import { LagStateMachine, type LagStateOptions, type Push } from './lag-state.ts';
import {
  type Measurement,
  type MeasurementContext,
  type Ticker,
  defaultLog,
  errorMessage,
  rateLimitedLog,
  startTicker,
  validateInterval,
} from './measurement.ts';
import type { SampleSink } from './sample.ts';
import { type FirstReady, ReadinessLog } from './ready-state.ts';
import { StallDetector, type StallDetectorOptions, readinessSamples } from './stalls.ts';

export interface LagTrackerOptions extends LagStateOptions {
  /** Stall detection thresholds, or false to turn stall samples off (default on). */
  stalls?: StallDetectorOptions | false;
  /** Emit Ready n/N per kind each interval (default true). */
  readiness?: boolean;
  /** Resources to watch (default: fluxResources: GitRepositories, OCIRepositories, HelmCharts, Kustomizations, HelmReleases). */
  resources?: readonly FluxResource[];
}

/**
 * Watches Flux objects (informers, no polling) and turns what it sees into `lag` samples per
 * pushed commit, `ready` samples when an object is first seen and first Ready, plus `stall`,
 * `objects` and `pending` (commits not applied yet) samples each interval, and a last `pending`
 * one when stopped: what the run left undelivered at its end. The logic lives in the
 * pure LagStateMachine, ReadinessLog and StallDetector; this class only feeds them.
 */
export class LagTracker implements Measurement {
  readonly name = 'lag';
  private readonly machine: LagStateMachine;
  private readonly stalls: StallDetector | undefined;
  private readonly readiness = new ReadinessLog();
  private readonly objects = new Map<string, FluxObjectSnapshot>();
  private watches: ResourceWatch[] = [];
  private ticker: Ticker | undefined;
  private sink: SampleSink | undefined;

  constructor(private readonly options: LagTrackerOptions = {}) {
    this.machine = new LagStateMachine(options);
    this.stalls = options.stalls === false ? undefined : new StallDetector(options.stalls ?? {});
  }

  async start(ctx: MeasurementContext): Promise<void> {
    if (!ctx.kubeConfig) throw new UsageError('the lag measurement needs a kubeConfig in its context (it watches Flux objects)');
    const interval = validateInterval(ctx.interval);
    const log = rateLimitedLog(ctx.log ?? defaultLog);
    this.sink = ctx.sink;
    const resources = this.options.resources ?? fluxResources;
    // Ready n/N of a kind is only meaningful once its first full list arrived (0/0 before is noise).
    const synced = new Set<string>();
    const kinds = resources.map((r) => r.kind);
    this.watches = resources.map((resource) =>
      watchResource(ctx.kubeConfig!, resource, {
        upsert: (obj) => this.upsert(resource, obj),
        remove: (obj) => this.remove(resource, obj),
        listed: () => synced.add(resource.kind),
        error: (err) => {
          const reason = errorMessage(err);
          const hint = reason.startsWith('HTTP 404') ? ' (is the CRD installed?)' : '';
          log(`watch:${resource.plural}`, `watching ${resource.plural}.${resource.group}/${resource.version} failed, retrying: ${reason}${hint}`);
        },
      }),
    );
    this.ticker = startTicker(
      interval,
      () => {
        const now = Date.now();
        if ((this.options.readiness ?? true) && synced.size > 0) {
          const listed = [...this.objects.values()].filter((o) => synced.has(o.kind));
          for (const sample of readinessSamples(listed, now, kinds.filter((k) => synced.has(k)))) ctx.sink.write(sample);
        }
        if (this.stalls) for (const sample of this.stalls.evaluate(this.objects, now)) ctx.sink.write(sample);
        ctx.sink.write(pendingSample(now, this.machine.pending(), false));
      },
      (err) => log('lag-tick', `readiness/stall/pending evaluation failed: ${errorMessage(err)}`),
    );
  }

  /** Registers a pushed commit; its lag samples appear as objects reach each stage. */
  recordPush(push: Push): void {
    for (const sample of this.machine.recordPush(push)) this.sink?.write(sample);
  }

  /** The objects seen so far, by `<Kind>/<namespace>/<name>`. */
  snapshots(): ReadonlyMap<string, FluxObjectSnapshot> {
    return this.objects;
  }

  /** When each object was first seen and first Ready since the tracker started, by `<Kind>/<namespace>/<name>`. */
  firstReady(): ReadonlyMap<string, FirstReady> {
    return this.readiness.entries();
  }

  /** The kinds it watches (GitRepository, Kustomization, HelmRelease unless given others). */
  watchedKinds(): string[] {
    return (this.options.resources ?? fluxResources).map((r) => r.kind);
  }

  /** Stops the watches; the first stop after a start writes the final `pending` sample. */
  async stop(): Promise<void> {
    const started = this.ticker !== undefined;
    await this.ticker?.stop();
    this.ticker = undefined;
    try {
      // The run ends here (after the verdict's diagnosis): what is still pending now, the report calls pending.
      if (started) this.sink?.write(pendingSample(Date.now(), this.machine.pending(), true));
    } finally {
      await Promise.all(this.watches.map((w) => w.stop()));
      this.watches = [];
    }
  }

  private upsert(resource: FluxResource, obj: KubernetesObject): void {
    const snapshot = toSnapshot(resource.kind, obj);
    const now = Date.now();
    this.objects.set(snapshot.key, snapshot);
    for (const sample of this.readiness.observe(snapshot, now)) this.sink?.write(sample);
    for (const sample of this.machine.observe(snapshot, now)) this.sink?.write(sample);
  }

  private remove(resource: FluxResource, obj: KubernetesObject): void {
    const key = objectKey(resource.kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
    this.objects.delete(key);
    this.machine.remove(key);
    for (const sample of this.readiness.remove(key, Date.now())) this.sink?.write(sample);
  }
}
