import { UsageError } from '../util/exit-codes.ts';
import type { Clock } from '../serving/clock.ts';
import { durationMs } from '../serving/fields.ts';
import { RateLimiter, type LimiterConfig, type LimitDecision, type QuotaState } from '../serving/rate-limiter.ts';
import { mergeRegistryRateLimits, type RegistryRateLimits, type RegistryRateLimitsInput } from './options.ts';

/** The identity label of an unauthenticated client, per address as Docker Hub counts them. */
export function anonymousIdentity(address: string): string {
  return `anonymous:${address}`;
}

export function isAnonymous(identity: string): boolean {
  return identity.startsWith('anonymous:');
}

function limiterConfig(limits: RegistryRateLimits, timeScale: number): LimiterConfig {
  // Registries limit pulls per window only: no concurrency or points limits.
  return { windowMs: durationMs(limits.window) / timeScale, secondary: { enabled: false, maxConcurrent: 0, pointsPerWindow: 0, pointsWindowMs: 1, retryAfterMs: 0 } };
}

/**
 * The pull limits in force: the shared RateLimiter's fixed window per identity (opened by its
 * first counted pull, shortened by timeScale), with the anonymous or authenticated limit.
 */
export class PullLimits {
  private readonly limiter: RateLimiter;
  private current: RegistryRateLimits;
  private timeScale: number;

  constructor(limits: RegistryRateLimits, timeScale: number, clock: Clock) {
    this.current = limits;
    this.timeScale = timeScale;
    this.limiter = new RateLimiter(limiterConfig(limits, timeScale), clock);
  }

  get config(): RegistryRateLimits {
    return this.current;
  }

  get enabled(): boolean {
    return this.current.enabled;
  }

  /** The window as clients are told it (`;w=<seconds>`), after timeScale; at least 1. */
  get windowSeconds(): number {
    return Math.max(1, Math.round(this.limiter.getConfig().windowMs / 1000));
  }

  limitFor(identity: string): number {
    return isAnonymous(identity) ? this.current.anonymous : this.current.authenticated;
  }

  /** Counts one pull against `identity`, or refuses it when its window's pulls are used up. */
  charge(identity: string): LimitDecision {
    const decision = this.limiter.acquire(identity, this.limitFor(identity), 1);
    // Nothing is held while the pull is served: the limiter's concurrency slot is released at once.
    if (decision.allowed) this.limiter.release(identity);
    return decision;
  }

  /** The quota of an identity without counting anything. */
  peek(identity: string): QuotaState {
    return this.limiter.peek(identity, this.limitFor(identity));
  }

  /** Forgets the pulls counted for one identity, or for everyone. */
  reset(identity?: string): void {
    this.limiter.reset(identity);
  }

  /** @throws UsageError naming the field when the merged config is invalid (nothing changes then). */
  set(patch: RegistryRateLimitsInput): RegistryRateLimits {
    this.current = mergeRegistryRateLimits(this.current, patch);
    this.limiter.setConfig(limiterConfig(this.current, this.timeScale));
    return this.current;
  }

  /** @throws UsageError unless `value` is a positive finite number. */
  setTimeScale(value: number): void {
    if (!(value > 0) || !Number.isFinite(value) || value > 1_000_000) throw new UsageError(`invalid timeScale ${value}: must be a positive number up to 1,000,000`);
    this.timeScale = value;
    this.limiter.setConfig(limiterConfig(this.current, this.timeScale));
  }

  /** Docker Hub's quota headers: `ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`. */
  headers(quota: QuotaState, identity: string): Record<string, string> {
    const w = this.windowSeconds;
    return { 'ratelimit-limit': `${quota.limit};w=${w}`, 'ratelimit-remaining': `${quota.remaining};w=${w}`, 'docker-ratelimit-source': identity };
  }
}
