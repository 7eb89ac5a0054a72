import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/github/clock.ts';
import { installationLimit, RateLimiter, requestPoints, type LimiterConfig } from '../../../src/github/rate-limiter.ts';

const config = (over: Partial<LimiterConfig['secondary']> = {}): LimiterConfig => ({
  windowMs: 3_600_000,
  secondary: { enabled: true, maxConcurrent: 100, pointsPerWindow: 900, pointsWindowMs: 60_000, retryAfterMs: 60_000, ...over },
});

describe('RateLimiter primary window', () => {
  it('counts down, refuses at the limit and resets one window after the first request', () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RateLimiter(config({ enabled: false }), clock);
    for (let i = 0; i < 5; i++) {
      const d = limiter.acquire('token:a', 5, 1);
      expect(d.allowed).toBe(true);
      expect(d.quota.remaining).toBe(4 - i);
      limiter.release('token:a');
      clock.advance(1000);
    }
    const refused = limiter.acquire('token:a', 5, 1);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.reason).toBe('primary');
      expect(refused.quota.remaining).toBe(0);
      expect(refused.quota.resetAt).toBe(1_000_000 + 3_600_000);
      expect(refused.retryAfterMs).toBe(3_600_000 - 5000);
    }
    clock.set(1_000_000 + 3_600_000);
    const after = limiter.acquire('token:a', 5, 1);
    expect(after.allowed).toBe(true);
    expect(after.quota.used).toBe(1);
    expect(after.quota.resetAt).toBe(1_000_000 + 2 * 3_600_000);
  });

  it('keeps identities apart and peeks without counting', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(config(), clock);
    limiter.acquire('a', 10, 1);
    limiter.acquire('a', 10, 1);
    expect(limiter.peek('a', 10).used).toBe(2);
    expect(limiter.peek('a', 10).used).toBe(2);
    expect(limiter.peek('b', 10)).toMatchObject({ used: 0, remaining: 10 });
    expect(limiter.size).toBe(1);
    limiter.reset('a');
    expect(limiter.peek('a', 10).used).toBe(0);
  });
});

describe('RateLimiter secondary limits', () => {
  it('refuses beyond maxConcurrent until a slot is released', () => {
    const limiter = new RateLimiter(config({ maxConcurrent: 2, retryAfterMs: 7000 }), new ManualClock(0));
    expect(limiter.acquire('a', 100, 1).allowed).toBe(true);
    expect(limiter.acquire('a', 100, 1).allowed).toBe(true);
    const third = limiter.acquire('a', 100, 1);
    expect(third).toMatchObject({ allowed: false, reason: 'concurrency', retryAfterMs: 7000 });
    expect(limiter.peek('a', 100).used).toBe(2);
    limiter.release('a');
    expect(limiter.acquire('a', 100, 1).allowed).toBe(true);
  });

  it('charges points per minute (writes cost 5) and opens a new points window', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(config({ pointsPerWindow: 12 }), clock);
    expect(limiter.acquire('a', 100, 5).allowed).toBe(true);
    expect(limiter.acquire('a', 100, 5).allowed).toBe(true);
    clock.advance(20_000);
    const refused = limiter.acquire('a', 100, 5);
    expect(refused).toMatchObject({ allowed: false, reason: 'points', retryAfterMs: 40_000 });
    expect(limiter.acquire('a', 100, 1).allowed).toBe(true);
    clock.advance(40_000);
    expect(limiter.acquire('a', 100, 5).allowed).toBe(true);
  });
});

describe('limit helpers', () => {
  it('weights reads 1 and writes 5', () => {
    expect(requestPoints('GET', 'rest.repo')).toBe(1);
    expect(requestPoints('POST', 'rest.statuses.create')).toBe(5);
    expect(requestPoints('POST', 'git.upload-pack')).toBe(1);
    expect(requestPoints('POST', 'git.receive-pack')).toBe(5);
  });

  it('scales installation limits with repos and users, capped, and flat on Enterprise Cloud', () => {
    const base = { base: 5000, max: 12_500, enterpriseCloud: false, enterpriseCloudLimit: 15_000 };
    expect(installationLimit({ ...base, repos: 10, users: 5 })).toBe(5000);
    expect(installationLimit({ ...base, repos: 30, users: 25 })).toBe(5000 + 500 + 250);
    expect(installationLimit({ ...base, repos: 1000, users: 0 })).toBe(12_500);
    expect(installationLimit({ ...base, repos: 0, users: 0, enterpriseCloud: true })).toBe(15_000);
  });
});
