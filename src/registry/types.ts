/**
 * The OCI registry fluxbench serves OCI sources from: the real CNCF Distribution registry
 * (compiled by the toolchain), behind a gateway on 127.0.0.1 that applies what a registry
 * host applies to pulls — per-identity pull limits the way Docker Hub and GHCR answer them,
 * faults — and accounts for every request as samples. Flux talks to the gateway only.
 */
import type { QuotaState } from '../serving/rate-limiter.ts';
import type { ActiveFault as HostActiveFault, FaultControls } from '../serving/faults.ts';
import type { RegistryOptions, RegistryFaultSpec, RegistryFaultSpecInput, RegistryRateLimitsInput, RegistryRateLimits } from './options.ts';
import type { RegistryRoute } from './routes.ts';

/** How a request to the registry API is classified in accounting, faults and limits (routes.ts lists them). */
export type { RegistryRoute } from './routes.ts';

/** One request, as the gateway saw it; streamed as a `registry`/`request` sample. */
export interface RegistryRequestRecord {
  /** ms since epoch when the request arrived. */
  ts: number;
  /** The authenticated user name, or `anonymous:<ip>`. */
  identity: string;
  /** The repository name (`team-1/app-3`), '' for routes without one. */
  repository: string;
  route: RegistryRoute;
  method: string;
  /** 0 when a fault reset the connection. */
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  /** True for a request counted as a pull against the identity's limit (a manifest GET, as Docker Hub counts). */
  pull: boolean;
  /** Set when the pull limit refused it (HTTP 429 TOOMANYREQUESTS). */
  limited?: boolean;
}

/** A fault in force on the registry gateway. */
export type ActiveFault = HostActiveFault<RegistryFaultSpec>;

/** Run-time controls, also reachable over HTTP on the admin listener (bearer `adminSecret`). */
export interface RegistryAdmin extends FaultControls<RegistryFaultSpec, RegistryFaultSpecInput> {
  /** Merges a partial pull-limit config into the current one; returns the result. */
  setRateLimits(patch: RegistryRateLimitsInput): RegistryRateLimits;
  rateLimits(): RegistryRateLimits;
  /** Forgets the pulls counted for one identity, or for everyone. */
  resetQuota(identity?: string): void;
  setTimeScale(timeScale: number): void;
  /** Allows or refuses pulls without credentials from now on. */
  setAnonymousPull(allowed: boolean): void;
}

/** The gateway's HTTPS (`tls: true`): the run's CA, what clients must trust. */
export interface RegistryTls {
  /** The CA certificate, PEM (public). */
  readonly caPem: string;
  /** Where it is on disk: `<storageDir>.ca.crt`. */
  readonly caFile: string;
  /**
   * Makes the gateway's certificate valid for `host` too (an IP address or DNS name, as pods
   * reach the gateway through a relay); connections made afterwards get the new certificate.
   * @throws Error when `host` is not an IP address or DNS name.
   */
  addName(host: string): Promise<void>;
}

export interface StartedRegistry {
  /** http(s)://127.0.0.1:PORT — the gateway; what Flux and the push clients use (https with `tls: true`). */
  readonly url: string;
  /** Set with `tls: true`: the gateway speaks HTTPS only, with a certificate from a per-start CA. */
  readonly tls?: RegistryTls;
  /** 127.0.0.1:PORT — the host part of `oci://` references. */
  readonly host: string;
  /** The Distribution registry itself, bypassing the gateway (benchmarks compare the two). */
  readonly upstreamUrl: string;
  /** http://127.0.0.1:ADMIN_PORT — the admin API, never relayed to pods. */
  readonly adminUrl: string;
  /** Bearer secret of the admin API; not enumerable. */
  readonly adminSecret: string;
  /** The per-start push/pull credentials (basic auth); `password` is not enumerable. */
  readonly username: string;
  readonly password: string;
  /** The registry process (a process-group leader), for /proc readings. */
  readonly pid: number;
  /** Where the registry keeps blobs (filesystem driver), inside the run folder. */
  readonly storageDir: string;
  readonly options: RegistryOptions;
  readonly admin: RegistryAdmin;
  /** Recent request records (bounded), oldest first. */
  requests(): RegistryRequestRecord[];
  /** The pull quota of an identity label. */
  quota(identity: string): QuotaState;
  /** Stops the gateway and the registry process; storage stays on disk. Safe to call twice. */
  stop(): Promise<void>;
}
