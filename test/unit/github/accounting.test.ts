import { describe, expect, it } from 'vitest';
import { Accounting, compareExhaustion, otherRepos, predictTimeToExhaustion, repoKeyLimit, type RequestRecord } from '../../../src/github/accounting.ts';
import { MemorySink } from './helpers.ts';

const rec = (ts: number, over: Partial<RequestRecord> = {}): RequestRecord => ({
  ts, identity: 'ci', repo: 'a/b', route: 'git.upload-pack', category: 'git', method: 'POST', status: 200, bytesIn: 10, bytesOut: 20, durationMs: 5, ...over,
});

describe('predictTimeToExhaustion', () => {
  it('divides remaining by rate, unless the window resets first', () => {
    expect(predictTimeToExhaustion({ remaining: 100, ratePerSecond: 10, msUntilReset: 60_000 })).toEqual({ exhausts: true, ms: 10_000 });
    expect(predictTimeToExhaustion({ remaining: 100, ratePerSecond: 1, msUntilReset: 60_000 })).toEqual({ exhausts: false, ms: 100_000 });
    expect(predictTimeToExhaustion({ remaining: 0, ratePerSecond: 0, msUntilReset: 1 })).toEqual({ exhausts: true, ms: 0 });
    expect(predictTimeToExhaustion({ remaining: 5, ratePerSecond: 0, msUntilReset: 1 }).exhausts).toBe(false);
  });
});

describe('compareExhaustion', () => {
  it('compares the observed first refusal with limit / sustained rate', () => {
    const records = [...Array.from({ length: 10 }, (_, i) => rec(i * 100)), rec(1000, { status: 403, limited: 'primary' }), rec(50, { identity: 'other' })];
    const c = compareExhaustion(records, 'ci', 10);
    expect(c.ratePerSecond).toBeCloseTo(10);
    expect(c.predictedMs).toBeCloseTo(1000);
    expect(c.observedMs).toBe(1000);
    expect(c.ratio).toBeCloseTo(1);
    expect(compareExhaustion(records, 'nobody', 10).predictedMs).toBe(Infinity);
  });
});

describe('Accounting', () => {
  it('streams request and quota samples and keeps a bounded record list', () => {
    const sink = new MemorySink();
    const acc = new Accounting(sink, 3);
    for (let i = 0; i < 8; i++) acc.record(rec(i, { status: i < 7 ? 200 : 429 }));
    acc.quota(9, 'ci', 12, 60);
    expect(acc.requests().map((r) => r.ts)).toEqual([5, 6, 7]);
    expect(acc.counts()).toMatchObject({ total: 8, byStatus: { '200': 7, '429': 1 } });
    expect(sink.samples[0]).toEqual({ ts: 0, kind: 'github', name: 'request', value: 0.005, labels: { identity: 'ci', repo: 'a/b', route: 'git.upload-pack', method: 'POST', status: '200' }, detail: { bytesIn: 10, bytesOut: 20 } });
    expect(sink.samples.slice(-2)).toEqual([
      { ts: 9, kind: 'github', name: 'quota_remaining', value: 12, labels: { identity: 'ci' } },
      { ts: 9, kind: 'github', name: 'quota_limit', value: 60, labels: { identity: 'ci' } },
    ]);
  });

  it('counts requests per repository by category and outcome, leaving out those naming none', () => {
    const acc = new Accounting(undefined, 10);
    acc.record(rec(1));
    acc.record(rec(2, { route: 'rest.repo', category: 'rest', method: 'GET', status: 404, bytesOut: 5 }));
    acc.record(rec(3, { route: 'rest.repo', category: 'rest', method: 'GET', status: 403, limited: 'primary' }));
    acc.record(rec(4, { status: 0 }));
    acc.record(rec(5, { repo: 'a/c', route: 'pages', category: 'pages', status: 502 }));
    acc.record(rec(6, { repo: '', route: 'rest.rate_limit', category: 'rest' }));
    expect(acc.counts().byRepo).toEqual({
      'a/b': { requests: 4, git: 2, rest: 2, pages: 0, hooks: 0, limited: 1, clientErrors: 1, failed: 1, bytesIn: 40, bytesOut: 65 },
      'a/c': { requests: 1, git: 0, rest: 0, pages: 1, hooks: 0, limited: 0, clientErrors: 0, failed: 1, bytesIn: 10, bytesOut: 20 },
    });
  });

  it('keeps at most repoKeyLimit repositories apart and sums the names past them', () => {
    const acc = new Accounting(undefined, 1);
    for (let i = 0; i < repoKeyLimit + 2; i++) acc.record(rec(i, { repo: `o/r${i}` }));
    acc.record(rec(0, { repo: 'o/r0' }));
    const { byRepo } = acc.counts();
    expect(Object.keys(byRepo)).toHaveLength(repoKeyLimit + 1);
    expect(byRepo['o/r0']!.requests).toBe(2);
    expect(byRepo[otherRepos]!.requests).toBe(2);
  });
});
