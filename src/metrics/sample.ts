/**
 * One measurement, as streamed to `samples.ndjson`. Every producer (controller scrapes, /proc,
 * lag tracker, fake GitHub accounting, chaos timeline, supervisor) writes this one shape, so
 * reports can be rebuilt from the file alone.
 *
 * `kind` says what produced it, `name` what was measured; `value` is in base units
 * (bytes, seconds, counts). `labels` narrow it (controller, repo, identity, stage, ...).
 */
export interface Sample {
  /** Milliseconds since the Unix epoch when the value was taken. */
  ts: number;
  kind: SampleKind;
  name: string;
  value?: number;
  labels?: Record<string, string>;
  /** Free-form detail for events (an exit's cause, a fault's parameters). */
  detail?: Record<string, unknown>;
}

export type SampleKind =
  | 'controller' // a controller's /metrics or /proc figures
  | 'process' // supervisor events: start, exit, restart, OOMKilled
  | 'lag' // one stage of one commit on one object
  | 'api' // API server / etcd health
  | 'apf' // API Priority and Fairness per priority level, from the API server's metrics
  | 'github' // fake GitHub accounting
  | 'registry' // OCI registry gateway accounting
  | 'fault' // chaos timeline: a fault starting or ending
  | 'stall' // an object stuck (stale revision, DependencyNotReady, ...)
  | 'phase' // runner phases (provisioning, loading, measuring, ...)
  | 'ready' // an object seen or Ready for the first time after the apply; the objects a run waits for
  | 'reconcile' // a reconcile request of the timeline (flux.reconcile); an object seen having handled one
  | 'patch' // a spec change of the timeline (flux.patch); an object seen Ready at a spec changed since its creation
  | 'objects' // object counts, Ready n/N
  | 'fleet' // a spoke cluster: its API server's latency, or no answer
  | 'component' // a control-plane component's /proc figures (etcd, kube-apiserver, ...), where it is a host process
  | 'harness' // fluxbench's own process: its CPU (all threads, and the main thread's) and memory
  | 'pending'; // commits pushed and not yet at a stage (the name): (commit, object) pairs, each interval and at the end

/** Anything that accepts samples: the NDJSON file, an in-memory list in tests, a fan-out. */
export interface SampleSink {
  write(sample: Sample): void;
}
