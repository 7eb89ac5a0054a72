import type { Clock } from './clock.ts';

/**
 * Rate limits as hosts apply them, pure bookkeeping over an injectable clock; the fake GitHub
 * and the registry gateway both count with it.
 *
 * Primary: a fixed window per identity that opens with its first counted request (as GitHub's
 * does, so `X-RateLimit-Reset` is "first request + window"; Docker Hub's pull window is counted
 * the same way here). Secondary (optional, GitHub's): concurrent requests per identity, and
 * points per (scaled) minute, where each request costs the points the caller says.
 */
export interface LimiterConfig {
  /** Primary window, already divided by timeScale. */
  windowMs: number;
  secondary: {
    enabled: boolean;
    maxConcurrent: number;
    pointsPerWindow: number;
    /** The points window (a minute), already divided by timeScale. */
    pointsWindowMs: number;
    /** What Retry-After says for a concurrency rejection, already divided by timeScale. */
    retryAfterMs: number;
  };
}

export interface QuotaState {
  limit: number;
  used: number;
  remaining: number;
  /** When the primary window resets (ms since epoch). */
  resetAt: number;
}

export type LimitDecision =
  | { allowed: true; quota: QuotaState }
  | { allowed: false; reason: 'primary' | 'concurrency' | 'points'; quota: QuotaState; retryAfterMs: number };

interface Bucket {
  windowStart: number;
  used: number;
  inFlight: number;
  pointsWindowStart: number;
  points: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private config: LimiterConfig,
    private readonly clock: Clock,
  ) {}

  setConfig(config: LimiterConfig): void {
    this.config = config;
  }

  getConfig(): LimiterConfig {
    return this.config;
  }

  /** Number of identities with bookkeeping. */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Admits or refuses one request. An admitted request holds a concurrency slot until
   * release(identity) is called.
   */
  acquire(identity: string, limit: number, points: number): LimitDecision {
    const now = this.clock.now();
    const bucket = this.bucketFor(identity, now);
    if (bucket.used >= limit) {
      return { allowed: false, reason: 'primary', quota: this.state(bucket, limit), retryAfterMs: Math.max(0, bucket.windowStart + this.config.windowMs - now) };
    }
    const secondary = this.config.secondary;
    if (secondary.enabled) {
      if (bucket.inFlight >= secondary.maxConcurrent) {
        return { allowed: false, reason: 'concurrency', quota: this.state(bucket, limit), retryAfterMs: secondary.retryAfterMs };
      }
      if (now >= bucket.pointsWindowStart + secondary.pointsWindowMs) {
        bucket.pointsWindowStart = now;
        bucket.points = 0;
      }
      if (bucket.points + points > secondary.pointsPerWindow) {
        const untilWindowEnds = bucket.pointsWindowStart + secondary.pointsWindowMs - now;
        return { allowed: false, reason: 'points', quota: this.state(bucket, limit), retryAfterMs: Math.max(0, untilWindowEnds) };
      }
      bucket.points += points;
    }
    bucket.used += 1;
    bucket.inFlight += 1;
    return { allowed: true, quota: this.state(bucket, limit) };
  }

  release(identity: string): void {
    const bucket = this.buckets.get(identity);
    if (bucket && bucket.inFlight > 0) bucket.inFlight -= 1;
  }

  /** The quota as headers report it, without counting anything. */
  peek(identity: string, limit: number): QuotaState {
    const now = this.clock.now();
    const bucket = this.buckets.get(identity);
    if (!bucket) return { limit, used: 0, remaining: limit, resetAt: now + this.config.windowMs };
    this.rollWindow(bucket, now);
    return this.state(bucket, limit);
  }

  /** Sets how much of the current window is left (0 = exhausted now), opening one if needed. */
  setRemaining(identity: string, limit: number, remaining: number): QuotaState {
    const bucket = this.bucketFor(identity, this.clock.now());
    bucket.used = Math.max(0, limit - remaining);
    return this.state(bucket, limit);
  }

  identities(): string[] {
    return [...this.buckets.keys()];
  }

  /** Forgets one identity's usage, or everyone's. */
  reset(identity?: string): void {
    if (identity === undefined) this.buckets.clear();
    else this.buckets.delete(identity);
  }

  private bucketFor(identity: string, now: number): Bucket {
    let bucket = this.buckets.get(identity);
    if (!bucket) {
      bucket = { windowStart: now, used: 0, inFlight: 0, pointsWindowStart: now, points: 0 };
      this.buckets.set(identity, bucket);
    } else {
      this.rollWindow(bucket, now);
    }
    return bucket;
  }

  private rollWindow(bucket: Bucket, now: number): void {
    if (now >= bucket.windowStart + this.config.windowMs) {
      bucket.windowStart = now;
      bucket.used = 0;
    }
  }

  private state(bucket: Bucket, limit: number): QuotaState {
    return {
      limit,
      used: bucket.used,
      remaining: Math.max(0, limit - bucket.used),
      resetAt: bucket.windowStart + this.config.windowMs,
    };
  }
}
