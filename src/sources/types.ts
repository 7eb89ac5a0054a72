/**
 * A source kind: where Flux fetches the workload from and how a new revision reaches it (Git
 * through the fake GitHub today; an OCI registry is the next). Each kind is one folder under
 * src/sources/ exporting a `SourceKindDefinition`, listed in registry.ts; the run's phases use
 * only this interface: start the host, generate the workload into it, announce pushes, stop.
 */
import type { StartedFakeGitHub } from '../github/index.ts';
import type { Push } from '../metrics/lag-state.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { RegistryOptionsInput } from '../registry/options.ts';
import type { CommitEvent, GeneratedWorkload, GeneratorOptions } from '../workload/index.ts';
import type { FakeGitHubOptions } from '../github/index.ts';
import type { StartedRegistry } from '../registry/types.ts';

export interface SourceStartOptions {
  /** The scenario's `github` section: the host's tokens, rate limits, faults, App. */
  host: FakeGitHubOptions;
  /** The scenario's `workload` section. */
  workload: GeneratorOptions;
  /** Where the host keeps what it serves (bare repos, artifacts). */
  storageRoot: string;
  /** The host's accounting samples (requests, quota, webhooks) go here as they happen. */
  sink: SampleSink;
  /** The scenario's `registry` section (source oci): pull limits, faults, time scale. */
  registry?: RegistryOptionsInput;
  /** Toolchain binaries by name (`registry`, `flux`, `helm`), for kinds that run them. */
  binaries?: Readonly<Record<string, string>>;
  /** Called with the pid of each process the host starts (the run registry's addProcessGroup), so a killed runner's are reaped. */
  onPid?: (pid: number, name: string) => void;
  /** The run's interruption: long work of the host (publishing hundreds of artifacts) stops at it. */
  signal?: AbortSignal;
}

/** The servers a host runs that the chaos timeline can act on (faults, rate limits). */
export interface SourceHostTargets {
  github?: StartedFakeGitHub;
  /** The OCI registry (its gateway's admin: faults, pull limits). */
  registry?: StartedRegistry;
}

/** A server a source host may run, by its key in `SourceHostTargets`. */
export type SourceHostServer = keyof SourceHostTargets;

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
  /**
   * Publishes a commit written into a generated repo the way the kind's users do (Git: GitHub's
   * push webhook; OCI: the artifacts of what it changed pushed and their tag moved) and resolves
   * with what became fetchable, for the lag tracker: one push per Flux source repository, timed
   * from when Flux could first see it.
   */
  announce(event: CommitEvent): Promise<Push[]>;
  /** Stops the host's servers; what it stored stays on disk. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SourceKindDefinition {
  /** The `workload.source` value. */
  readonly name: string;
  readonly description: string;
  /** The Flux source kinds the generated workload uses. */
  readonly fluxKinds: readonly string[];
  /**
   * The servers its host runs (the `targets` it fills): timeline actions that act on one
   * (`registry.fault` needs `registry`) are refused at validation for a kind without it.
   */
  readonly servers: readonly SourceHostServer[];
  /** Starts the host on 127.0.0.1; throws FluxbenchError when it cannot listen. */
  start(options: SourceStartOptions): Promise<StartedSourceHost>;
}
