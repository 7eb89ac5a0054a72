import type { SampleSink } from '../metrics/sample.ts';
import type { FaultControls } from '../serving/faults.ts';
import type { RequestCounts, RequestRecord } from './accounting.ts';
import type { RegisteredToken } from './auth.ts';
import type { Clock } from './clock.ts';
import type { MaintenanceOptions } from './maintenance.ts';
import type { FakeGitHubOptions, FaultSpec, FaultSpecInput, RateLimitOptions, RateLimitOptionsInput, TokenSpecInput, WebhookTarget } from './options.ts';
import type { QuotaState } from './rate-limiter.ts';
import type { RepoInfo } from './repos.ts';
import type { WebhookDelivery } from './webhooks.ts';

export interface StartFakeGitHubExtras {
  /** Where `github` and `fault` samples go. */
  sink?: SampleSink;
  /** Time source for limits and fault windows (tests); defaults to the system clock. */
  clock?: Clock;
  /** Port of the admin listener on 127.0.0.1; 0 or undefined = a free one. */
  adminPort?: number;
  /** Background repacks after pushes (on by default: 2 s after a repository's last push, one at a time). */
  maintenance?: MaintenanceOptions;
}

/** Run-time controls, also reachable over HTTP under /_fluxbench/ on the admin listener. */
export interface FakeGitHubAdmin extends FaultControls<FaultSpec, FaultSpecInput> {
  /** Merges a partial rate-limit config into the current one; returns the result. */
  setRateLimits(patch: RateLimitOptionsInput): RateLimitOptions;
  rateLimits(): RateLimitOptions;
  /** Forgets usage of one identity (its label, e.g. a token name) or of everyone. */
  resetQuota(identity?: string): void;
  setWebhooks(targets: Array<{ url: string; secret?: string; repos?: string[] }>): WebhookTarget[];
  setAnonymousRead(allowed: boolean): void;
  revokeToken(name: string): boolean;
  setTimeScale(timeScale: number): void;
  /** Overrides one identity's primary limit (label as in samples); undefined restores the default. */
  setIdentityLimit(identity: string, limit: number | undefined): void;
  /** Sets the quota left in the current window for one identity, or for every identity seen so far. */
  setRemaining(remaining: number, identity?: string): void;
}

export interface StartedFakeGitHub {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** http://127.0.0.1:ADMIN_PORT: the admin API (/_fluxbench/), never relayed to pods. */
  readonly adminUrl: string;
  /**
   * The per-start secret the admin listener wants as `Authorization: Bearer <adminSecret>`.
   * Not enumerable (kept out of logs and JSON of the handle); print it only where a person or
   * another process must call the admin API.
   */
  readonly adminSecret: string;
  readonly storageRoot: string;
  readonly options: FakeGitHubOptions;
  readonly admin: FakeGitHubAdmin;
  repoPath(owner: string, repo: string): string;
  createRepo(owner: string, repo: string, options?: { private?: boolean; defaultBranch?: string }): Promise<RepoInfo>;
  /** Webhooks and accounting for commits written straight into a bare repo. */
  notifyPush(owner: string, repo: string, push: { ref: string; before: string; after: string; pusher?: string }): Promise<void>;
  issueToken(spec: TokenSpecInput): RegisteredToken;
  /** The tokens currently accepted (personal-access style and live installation tokens). */
  tokens(): RegisteredToken[];
  /** Recent request records (bounded by recordLimit), oldest first. */
  requests(): RequestRecord[];
  /** Totals since start: requests by status, and by `owner/repo` for the routes naming one (git, REST, pages). */
  requestCounts(): RequestCounts;
  /** The primary quota of an identity label (token name, `installation:<id>`, `anonymous:<ip>`). */
  quota(identity: string): QuotaState;
  deliveries(): WebhookDelivery[];
  /** Resolves when pushes in progress have queued their events and every delivery has finished. */
  webhooksIdle(): Promise<void>;
  /** Resolves when pushes in progress have scheduled their repacks and none is pending or running. */
  maintenanceIdle(): Promise<void>;
  stop(): Promise<void>;
}
