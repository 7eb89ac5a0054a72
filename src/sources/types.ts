/**
 * A source kind: where Flux fetches the workload from and how a new revision reaches it (Git
 * through the fake GitHub today; an OCI registry is the next). Each kind is one folder under
 * src/sources/ exporting a `SourceKindDefinition`, listed in registry.ts; the run's phases use
 * only this interface: start the host, generate the workload into it, announce pushes, stop.
 */
import type { StartedFakeGitHub } from '../github/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { CommitEvent, GeneratedWorkload, GeneratorOptions } from '../workload/index.ts';
import type { FakeGitHubOptions } from '../github/index.ts';

export interface SourceStartOptions {
  /** The scenario's `github` section: the host's tokens, rate limits, faults, App. */
  host: FakeGitHubOptions;
  /** The scenario's `workload` section. */
  workload: GeneratorOptions;
  /** Where the host keeps what it serves (bare repos, artifacts). */
  storageRoot: string;
  /** The host's accounting samples (requests, quota, webhooks) go here as they happen. */
  sink: SampleSink;
}

/** The servers a host runs that the chaos timeline can act on (faults, rate limits). */
export interface SourceHostTargets {
  github?: StartedFakeGitHub;
}

export interface StartedSourceHost {
  /** The source kind's name (`workload.source`). */
  readonly kind: string;
  /** The host's base URL on 127.0.0.1. */
  readonly url: string;
  readonly targets: SourceHostTargets;
  /**
   * Writes the workload's sources into the host and renders the Flux objects that fetch them
   * from `fluxBaseUrl` (the host as Flux reaches it, which differs from `url` when Flux runs in pods).
   */
  generate(fluxBaseUrl: string): Promise<GeneratedWorkload>;
  /** Tells the host's subscribers (webhooks, receivers) that a new revision was pushed. */
  announce(event: CommitEvent): Promise<void>;
  /** Stops the host's servers; what it stored stays on disk. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SourceKindDefinition {
  /** The `workload.source` value. */
  readonly name: string;
  readonly description: string;
  /** The Flux source kinds the generated workload uses. */
  readonly fluxKinds: readonly string[];
  /** Starts the host on 127.0.0.1; throws FluxbenchError when it cannot listen. */
  start(options: SourceStartOptions): Promise<StartedSourceHost>;
}
