import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import type { Accounting } from './accounting.ts';
import { identityKeyOfLabel, identityOfToken, type Identity, type RegisteredToken, type TokenRegistry } from './auth.ts';
import type { Clock } from './clock.ts';
import { durationMs, rateLimitSchema, type RateLimitOptions, type RateLimitOptionsInput, type TrafficCategory } from './options.ts';
import { installationLimit, RateLimiter, requestPoints, type LimitDecision, type LimiterConfig, type QuotaState } from './rate-limiter.ts';

/** Who a request counts against, and that identity's primary limit per window. */
export interface Caller {
  identity: Identity;
  limit: number;
}

/** An App installation as configured: its size sets its primary limit. */
export interface Installation {
  id: number;
  repos: number;
  users: number;
}

function limiterConfig(rate: RateLimitOptions, timeScale: number): LimiterConfig {
  return {
    windowMs: durationMs(rate.window) / timeScale,
    secondary: {
      enabled: rate.enabled && rate.secondary.enabled,
      maxConcurrent: rate.secondary.maxConcurrent,
      pointsPerWindow: rate.secondary.pointsPerMinute,
      pointsWindowMs: 60_000 / timeScale,
      retryAfterMs: durationMs(rate.secondary.retryAfter) / timeScale,
    },
  };
}

/**
 * The rate-limit configuration in force, which identity gets which limit, and the identities
 * seen so far (for quota samples and run-time changes). Bookkeeping is the RateLimiter's.
 */
export class Quotas {
  readonly limiter: RateLimiter;
  private current: RateLimitOptions;
  /** Kept as given: parsed values (ms) would be read again as seconds when a patch is merged. */
  private input: RateLimitOptionsInput;
  private timeScale: number;
  private readonly overrides = new Map<string, number>();
  /** identity key → the caller as last seen. */
  private readonly seen = new Map<string, Caller>();

  constructor(
    settings: { rateLimits: RateLimitOptions; rateLimitsInput: RateLimitOptionsInput; timeScale: number },
    clock: Clock,
    private readonly tokens: TokenRegistry,
    private readonly installations: ReadonlyMap<number, Installation>,
  ) {
    this.current = settings.rateLimits;
    this.input = settings.rateLimitsInput;
    this.timeScale = settings.timeScale;
    this.limiter = new RateLimiter(limiterConfig(this.current, this.timeScale), clock);
  }

  get rateLimits(): RateLimitOptions {
    return this.current;
  }

  /** The primary limit of an identity: an override, the token's own, or its kind's default. */
  limitFor(identity: Identity, token?: RegisteredToken): number {
    const override = this.overrides.get(identity.key);
    if (override !== undefined) return override;
    const rate = this.current;
    if (identity.kind === 'anonymous') return rate.anonymous;
    if (identity.kind === 'token') return token?.limit ?? rate.token;
    const id = token?.installationId;
    const inst = id !== undefined ? this.installations.get(id) : undefined;
    return installationLimit({
      base: rate.installation,
      max: rate.installationMax,
      repos: inst?.repos ?? 0,
      users: inst?.users ?? 0,
      enterpriseCloud: rate.enterpriseCloud,
      enterpriseCloudLimit: rate.enterpriseCloudInstallation,
    });
  }

  /** Remembers a caller, so quota samples and setRemaining() cover it. */
  track(caller: Caller): void {
    this.seen.set(caller.identity.key, caller);
  }

  /** Whether this route uses up quota under the current config (GET /rate_limit never does). */
  counts(route: string, category: string): boolean {
    return this.current.enabled && route !== 'rest.rate_limit' && this.current.counts.includes(category as TrafficCategory);
  }

  /** Charges one request; an admitted one holds a concurrency slot until release(). */
  acquire(caller: Caller, method: string, route: string): LimitDecision {
    return this.limiter.acquire(caller.identity.key, caller.limit, requestPoints(method, route));
  }

  release(caller: Caller): void {
    this.limiter.release(caller.identity.key);
  }

  peek(caller: Caller): QuotaState {
    return this.limiter.peek(caller.identity.key, caller.limit);
  }

  /** The quota of an identity label, whether or not it has made a request yet. */
  quotaOf(label: string): QuotaState {
    return this.limiter.peek(identityKeyOfLabel(label), this.limitOfLabel(label));
  }

  setRateLimits(patch: RateLimitOptionsInput): RateLimitOptions {
    const merged = { ...this.input, ...patch, secondary: { ...(this.input.secondary ?? {}), ...(patch.secondary ?? {}) } };
    const parsed = rateLimitSchema.safeParse(merged);
    if (!parsed.success) {
      throw new UsageError(`invalid rate limits: ${formatZodIssues(parsed.error.issues, { root: 'rateLimits' }).join('; ')}`);
    }
    this.current = parsed.data;
    this.input = merged;
    this.limiter.setConfig(limiterConfig(this.current, this.timeScale));
    return this.current;
  }

  setTimeScale(value: number): void {
    if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`invalid timeScale ${value}: must be a positive number`);
    this.timeScale = value;
    this.limiter.setConfig(limiterConfig(this.current, this.timeScale));
  }

  /** Forgets one identity's usage (by label; unknown labels are ignored), or everyone's. */
  reset(label?: string): void {
    if (label === undefined) return this.limiter.reset();
    const key = identityKeyOfLabel(label);
    if (this.seen.has(key)) this.limiter.reset(key);
  }

  setIdentityLimit(label: string, limit: number | undefined): void {
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`invalid limit ${limit} for ${label}: must be a positive integer`);
    const key = identityKeyOfLabel(label);
    if (limit === undefined) this.overrides.delete(key);
    else this.overrides.set(key, limit);
    const seen = this.seen.get(key);
    if (seen) seen.limit = this.limitFor(seen.identity, seen.identity.kind === 'token' ? this.namedToken(label) : undefined);
  }

  setRemaining(remaining: number, label?: string): void {
    if (!(Number.isInteger(remaining) && remaining >= 0)) throw new UsageError(`invalid remaining ${remaining}: must be a non-negative integer`);
    const labels = label !== undefined ? [label] : [...this.seen.values()].map((c) => c.identity.label);
    for (const l of labels) this.limiter.setRemaining(identityKeyOfLabel(l), this.limitOfLabel(l), remaining);
  }

  /** Writes quota_remaining/quota_limit samples for every identity seen so far. */
  sample(accounting: Accounting, ts: number): void {
    for (const caller of this.seen.values()) {
      const quota = this.peek(caller);
      accounting.quota(ts, caller.identity.label, quota.remaining, quota.limit);
    }
  }

  private limitOfLabel(label: string): number {
    const key = identityKeyOfLabel(label);
    const seen = this.seen.get(key);
    if (seen) return seen.limit;
    const override = this.overrides.get(key);
    if (override !== undefined) return override;
    if (key.startsWith('ip:')) return this.current.anonymous;
    const token = this.namedToken(label);
    return token ? this.limitFor(identityOfToken(token), token) : this.current.token;
  }

  private namedToken(name: string): RegisteredToken | undefined {
    return this.tokens.list().find((t) => t.kind === 'token' && t.name === name);
  }
}
