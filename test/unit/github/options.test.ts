import { describe, expect, it } from 'vitest';
import { durationMs, fakeGitHubOptionsSchema } from '../../../src/github/options.ts';
import { parseFakeGitHubOptions } from '../../../src/github/server.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

describe('fakeGitHubOptionsSchema', () => {
  it('fills GitHub-like defaults', () => {
    const o = fakeGitHubOptionsSchema.parse({});
    expect(o.rateLimits).toMatchObject({ window: '1h', token: 5000, anonymous: 60, installation: 5000, installationMax: 12_500, counts: ['rest', 'git', 'pages'] });
    expect(o.rateLimits.secondary).toMatchObject({ maxConcurrent: 100, pointsPerMinute: 900, status: 429, retryAfter: '60s' });
    expect(o).toMatchObject({ port: 0, timeScale: 1, anonymousRead: true, faults: [], tokens: [] });
  });

  it('parses durations and quantities', () => {
    const o = fakeGitHubOptionsSchema.parse({ rateLimits: { window: '10m' }, maxBodyBytes: '64Mi', faults: [{ type: 'latency', fixed: '250ms' }] });
    expect(durationMs(o.rateLimits.window)).toBe(600_000);
    expect(o.maxBodyBytes).toBe(64 * 1024 * 1024);
    expect(o.faults[0]).toMatchObject({ type: 'latency', fixed: '250ms', jitter: '0s' });
    expect(fakeGitHubOptionsSchema.parse({ rateLimits: { window: 90 } }).rateLimits.window).toBe('90s');
  });

  it('is idempotent, so parsed scenario options can be passed to startFakeGitHub', () => {
    const once = fakeGitHubOptionsSchema.parse({ rateLimits: { window: '10m', secondary: { retryAfter: 5 } }, maxBodyBytes: '1Mi', webhooks: { backoff: '1s' }, faults: [{ type: 'outage', for: '30s' }] });
    expect(fakeGitHubOptionsSchema.parse(once)).toEqual(once);
  });

  it('names the field and the allowed values on bad input', () => {
    expect(() => parseFakeGitHubOptions({ rateLimits: { counts: ['ssh'] } })).toThrow(UsageError);
    expect(() => parseFakeGitHubOptions({ rateLimits: { counts: ['ssh'] } })).toThrow(/github\.rateLimits\.counts\[0\].*rest.*git.*pages/s);
    expect(() => parseFakeGitHubOptions({ webhooks: { targets: [{ url: 'http://example.com/hook' }] } })).toThrow(/127\.0\.0\.1/);
    expect(() => parseFakeGitHubOptions({ timeScale: 0 })).toThrow(/github\.timeScale/);
    expect(() => parseFakeGitHubOptions({ colour: 'red' })).toThrow(/colour/);
  });

  it('refuses webhook URLs that are not URLs (without throwing anything but UsageError) or that carry credentials', () => {
    expect(() => parseFakeGitHubOptions({ webhooks: { targets: [{ url: 'not a url' }] } })).toThrow(UsageError);
    expect(() => parseFakeGitHubOptions({ webhooks: { targets: [{ url: 'http://hook:s3cret@127.0.0.1:9292/hook' }] } })).toThrow(/github\.webhooks\.targets\[0\]\.url: .*no credentials/);
  });

  it('bounds its lists', () => {
    expect(() => parseFakeGitHubOptions({ faults: Array.from({ length: 1_001 }, () => ({ type: 'outage' })) })).toThrow(/github\.faults: .*1,000/);
    expect(() => parseFakeGitHubOptions({ recordLimit: 10_000_000 })).toThrow(/github\.recordLimit/);
  });
});
