import { describe, expect, it } from 'vitest';
import { analyzeSamples, flatMetrics } from '../../../src/report/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);

/** An identity burning a quota of 100 at 10 requests/s, refused once it is spent. */
function burn(rate: number, quota: number, seconds: number): Sample[] {
  const samples: Sample[] = [{ ts: t0, kind: 'phase', name: 'measure' }];
  let remaining = quota;
  samples.push({ ts: t0 + 1, kind: 'github', name: 'quota_remaining', value: remaining, labels: { identity: 'ci' } });
  samples.push({ ts: t0 + 1, kind: 'github', name: 'quota_limit', value: quota, labels: { identity: 'ci' } });
  for (let i = 1; i <= rate * seconds; i++) {
    const ts = t0 + 1 + (i * 1000) / rate;
    const refused = remaining <= 0;
    samples.push({ ts, kind: 'github', name: 'request', value: 0.01, labels: { identity: 'ci', repo: 'o/r', route: 'git.upload-pack', method: 'POST', status: refused ? '403' : '200' } });
    if (!refused) remaining -= 1;
    if (i % rate === 0 || remaining === 0) samples.push({ ts, kind: 'github', name: 'quota_remaining', value: remaining, labels: { identity: 'ci' } });
  }
  return samples;
}

describe('time to quota exhaustion, predicted and observed', () => {
  it('predicts from the sustained rate and observes when the quota hit zero', () => {
    const analysis = analyzeSamples(burn(10, 100, 15));
    const ci = analysis.github.identities.ci!;
    expect(ci.exhaustedAfterMs).toBeGreaterThan(9_900);
    expect(ci.exhaustedAfterMs).toBeLessThan(10_200);
    expect(ci.predictedExhaustionMs).toBeGreaterThan(9_000);
    expect(ci.predictedExhaustionMs).toBeLessThan(11_000);
    const metrics = flatMetrics(analysis);
    expect(metrics['github.quota.exhausted_after']).toBeCloseTo(ci.exhaustedAfterMs! / 1000, 3);
    expect(metrics['github.quota.predicted_exhaustion']).toBeCloseTo(ci.predictedExhaustionMs! / 1000, 3);
    expect(ci.status403).toBeGreaterThan(0);
  });

  it('predicts exhaustion beyond the run for an identity that never ran out', () => {
    const ci = analyzeSamples(burn(2, 100, 10)).github.identities.ci!;
    expect(ci.exhaustedAfterMs).toBeUndefined();
    expect(ci.predictedExhaustionMs).toBeGreaterThan(45_000);
    expect(ci.predictedExhaustionMs).toBeLessThan(55_000);
  });

  it('measures how long the quota stayed gone: from the exhaustion to the window reset', () => {
    const exhausted = burn(10, 100, 15);
    expect(analyzeSamples(exhausted).github.identities.ci!.quotaBackAfterMs).toBeUndefined();
    expect(flatMetrics(analyzeSamples(exhausted))['github.quota.back_after']).toBeUndefined();
    // The window resets 30 s after the start: the quota is back 20 s after it ran out.
    const reset: Sample = { ts: t0 + 30_001, kind: 'github', name: 'quota_remaining', value: 100, labels: { identity: 'ci' } };
    const analysis = analyzeSamples([...exhausted, reset]);
    const ci = analysis.github.identities.ci!;
    expect(ci.quotaBackAfterMs).toBe(30_001 - ci.exhaustedAfterMs!);
    expect(flatMetrics(analysis)['github.quota.back_after']).toBeCloseTo(ci.quotaBackAfterMs! / 1000, 3);
  });
});
