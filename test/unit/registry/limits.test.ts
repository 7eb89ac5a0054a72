import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/serving/clock.ts';
import { PullLimits } from '../../../src/registry/limits.ts';
import { parseRegistryOptions } from '../../../src/registry/options.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

function limits(rateLimits: Record<string, unknown>, timeScale = 1, clock = new ManualClock(1_000)) {
  const options = parseRegistryOptions({ timeScale, rateLimits: { enabled: true, ...rateLimits } });
  return { clock, limits: new PullLimits(options.rateLimits, options.timeScale, clock) };
}

describe('pull limits', () => {
  it('counts pulls per identity, anonymous and authenticated apart, and refuses past the limit', () => {
    const { limits: l } = limits({ anonymous: 2, authenticated: 3 });
    const anon = 'anonymous:127.0.0.1';
    expect(l.charge(anon)).toMatchObject({ allowed: true, quota: { limit: 2, used: 1, remaining: 1 } });
    expect(l.charge(anon)).toMatchObject({ allowed: true, quota: { remaining: 0 } });
    expect(l.charge(anon)).toMatchObject({ allowed: false, reason: 'primary', quota: { remaining: 0 } });
    // Another address and a user each have their own window.
    expect(l.charge('anonymous:10.0.0.2')).toMatchObject({ allowed: true, quota: { limit: 2, remaining: 1 } });
    for (let i = 0; i < 3; i++) expect(l.charge('fluxbench').allowed).toBe(true);
    expect(l.charge('fluxbench')).toMatchObject({ allowed: false, quota: { limit: 3, used: 3 } });
  });

  it('opens a window with the first pull and resets it after the window divided by timeScale', () => {
    const { clock, limits: l } = limits({ anonymous: 1, window: '6h' }, 60);
    const who = 'anonymous:127.0.0.1';
    expect(l.windowSeconds).toBe(360);
    expect(l.charge(who).allowed).toBe(true);
    const refused = l.charge(who);
    expect(refused).toMatchObject({ allowed: false, quota: { resetAt: 1_000 + 360_000 } });
    expect(refused.allowed === false && refused.retryAfterMs).toBe(360_000);
    clock.advance(359_999);
    expect(l.charge(who).allowed).toBe(false);
    clock.advance(1);
    expect(l.charge(who)).toMatchObject({ allowed: true, quota: { used: 1, resetAt: 361_000 + 360_000 } });
  });

  it("says the quota in Docker Hub's headers, and peeks without counting", () => {
    const { limits: l } = limits({ authenticated: 200 });
    expect(l.headers(l.peek('fluxbench'), 'fluxbench')).toEqual({ 'ratelimit-limit': '200;w=21600', 'ratelimit-remaining': '200;w=21600', 'docker-ratelimit-source': 'fluxbench' });
    l.charge('fluxbench');
    expect(l.peek('fluxbench')).toMatchObject({ used: 1, remaining: 199 });
    expect(l.peek('fluxbench')).toMatchObject({ used: 1, remaining: 199 });
  });

  it('changes limits and time scale at run time, validating the merged config', () => {
    const { limits: l } = limits({ anonymous: 1 });
    const anon = 'anonymous:127.0.0.1';
    l.charge(anon);
    expect(l.charge(anon).allowed).toBe(false);
    expect(l.set({ anonymous: 5 })).toEqual({ enabled: true, window: '6h', anonymous: 5, authenticated: 200 });
    expect(l.charge(anon)).toMatchObject({ allowed: true, quota: { limit: 5, remaining: 3 } });
    expect(() => l.set({ anonymous: -1 })).toThrow(UsageError);
    expect(() => l.set({ window: 'later' })).toThrow(/rateLimits\.window/);
    expect(l.config.anonymous).toBe(5);
    l.setTimeScale(3_600);
    expect(l.windowSeconds).toBe(6);
    expect(() => l.setTimeScale(0)).toThrow(/timeScale/);
    l.reset(anon);
    expect(l.peek(anon)).toMatchObject({ used: 0, remaining: 5 });
  });
});
