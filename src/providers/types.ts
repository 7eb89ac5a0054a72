/**
 * The shape of a provider: where the cluster comes from and how Flux runs on it. Each provider
 * is one folder (src/providers/<name>/) exporting one `ProviderDefinition`, listed once in
 * registry.ts; nothing else in the tree names a provider.
 */
import type { z } from 'zod';
import type { StartedCluster } from '../cluster/index.ts';
import type { FluxControllersConfig, StartedFlux } from '../flux/index.ts';
import type { RunRegistry } from '../lifecycle/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { Toolchain } from '../toolchain/index.ts';
import type { ProviderCapabilities } from './capabilities.ts';
import type { ControlPlaneSettings } from './control-plane.ts';

/** The provider-specific fields of a scenario's `provider` section, as validated by their schemas. */
export type ProviderSettings = Readonly<Record<string, string | undefined>>;
export type ProviderField = string;

/** A provider's own scenario fields: optional strings, each with its description for the JSON schema. */
export type ProviderSettingsShape = Readonly<Record<string, z.ZodOptional<z.ZodString>>>;

/** What provision() and startFlux() get. */
export interface ProviderStartOptions {
  toolchain: Toolchain;
  /** Names the cluster; one per run so runs never collide. */
  runId: string;
  /** The run's folder: the cluster's files go to <runDir>/cluster, Flux's logs beside them. */
  runDir: string;
  /** Fake nodes (local), ignored where the provider brings its own. */
  nodes: number;
  controllers: FluxControllersConfig;
  sink: SampleSink;
  /** Every cluster and process is recorded here as it starts, so a killed run is reaped. */
  registry: RunRegistry;
  settings: ProviderSettings;
  /**
   * kube-apiserver, etcd and kube-controller-manager settings; only a provider with the
   * `controlPlaneFlags` capability receives them (validation refuses them elsewhere). Absent:
   * production's defaults (API Priority and Fairness on).
   */
  controlPlane?: ControlPlaneSettings;
  /** The fake GitHub's loopback URL; a provider whose pods cannot reach loopback exposes its port. */
  githubUrl?: string;
  /** Per-binary overrides of CLIs a provider calls (kind, docker), like the toolchain's FLUXBENCH_<NAME>_BINARY. */
  binaries?: { kind?: string; docker?: string };
  /** The timeline slows artifact downloads: a provider with the `artifactProxy` capability serves them through its proxy. */
  artifactProxy?: boolean;
}

/** Flux as a provider started it, and where it reaches the fake GitHub when that is not loopback. */
export interface ProviderFlux {
  flux: StartedFlux;
  gitBaseUrl?: string;
}

/**
 * Sizes a provider's cluster cannot exceed, checked against the workload's estimate at validate
 * (src/scenario/feasibility.ts). Omitted fields are unknown (a borrowed cluster's).
 */
export interface ProviderLimits {
  /** The Service CIDR: every Service takes a ClusterIP from it. */
  serviceClusterIpRange?: string;
  /** etcd's backend quota: past it etcd refuses every write ("mvcc: database space exceeded"). */
  etcdQuotaBackendBytes?: number;
}

export interface ProviderDefinition {
  /** The `provider.type` value. */
  readonly type: string;
  readonly description: string;
  readonly capabilities: ProviderCapabilities;
  readonly limits?: ProviderLimits;
  /**
   * Its own fields of the scenario's `provider` section (the scenario schema is composed from
   * them); validation refuses a field set for a provider that does not declare it.
   */
  readonly settings: ProviderSettingsShape;
  /**
   * Brings up the cluster (or borrows it) and registers it with `options.registry` before
   * anything can fail half-way. The caller owns the returned cluster's stop().
   * Throws FluxbenchError when the cluster cannot start (a missing binary, no Docker engine).
   */
  provision(options: ProviderStartOptions): Promise<StartedCluster>;
  /** Starts (or finds) the Flux controllers on `cluster`; the caller owns flux.stop(). */
  startFlux(cluster: StartedCluster, options: ProviderStartOptions): Promise<ProviderFlux>;
}
