import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, parseRunMeta, parseSummary, renderMarkdown, summarySchema, verdictOf } from '../../../src/report/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { START_MS, syntheticRunMeta, syntheticSamples } from './synthetic-run.ts';

describe('buildSummary', () => {
  const summary = buildSummary(syntheticSamples(), syntheticRunMeta());

  it('validates against its own schema and survives a JSON round trip', () => {
    const roundTripped = JSON.parse(JSON.stringify(summary));
    expect(parseSummary(roundTripped)).toEqual(summarySchema.parse(roundTripped));
    expect(summary.schemaVersion).toBe(1);
  });

  it('judges the thresholds from run.json; globs expand per controller', () => {
    const byMetric = Object.fromEntries(summary.thresholds.map((t) => [t.metric, t]));
    expect(summary.thresholds.filter((t) => t.expression === 'memory.*.max < 1Gi').map((t) => t.metric)).toEqual([
      'memory.helm-controller.max',
      'memory.kustomize-controller.max',
      'memory.notification-controller.max',
      'memory.source-controller.max',
    ]);
    expect(byMetric['github.status_429.count']!.ok).toBe(false);
    expect(byMetric['github.status_429.count']!.actual).toBe(summary.metrics['github.status_429.count']);
    expect(byMetric['stalled.count']).toMatchObject({ ok: false, actual: 1 });
    expect(byMetric['restarts.count']).toMatchObject({ ok: true, actual: 1 });
    expect(byMetric['lag.applied.p95']!.ok).toBe(summary.metrics['lag.applied.p95']! < 60);
    expect(summary.verdict).toBe('failed');
  });

  it('collects run facts, faults, restarts and stalls', () => {
    expect(summary.run).toMatchObject({ runId: '20261125-100000-synthetic', status: 'failed', exitCode: 1, durationSeconds: 301 });
    expect(summary.run.firstSampleAt).toBe(START_MS);
    expect(summary.faults.map((f) => [f.fault, (f.end! - f.start) / 1000])).toEqual([
      ['latency', 30],
      ['ratelimit', 60],
    ]);
    expect(summary.processEvents.filter((e) => e.event === 'oom_killed')).toHaveLength(1);
    expect(summary.controllers.find((c) => c.controller === 'kustomize-controller')).toMatchObject({ restarts: 1, ooms: 1 });
    expect(summary.stalledAtEnd).toEqual(['Kustomization/apps/app-7']);
    expect(summary.regression).toEqual({ 'lag.applied.p95': '+20%', 'memory.*.max': '+15%' });
    expect(summary.timeline).toHaveLength(2);
  });

  it('fails a threshold whose metric has no data, and records a malformed one instead of throwing', () => {
    const s = buildSummary([], syntheticRunMeta({ status: 'passed', thresholds: ['lag.applied.p95 < 60s', 'restarts.count <= 0', 'nonsense here'] }));
    expect(s.thresholds.map((t) => [t.metric, t.ok])).toEqual([
      ['lag.applied.p95', false],
      ['restarts.count', true],
      ['nonsense here', false],
    ]);
    expect(s.thresholds[0]!.message).toMatch(/no data for lag\.applied\.p95/);
    expect(s.thresholds[2]!.message).toMatch(/invalid threshold/);
    expect(s.verdict).toBe('failed');
  });

  it('passes when the run passed and every threshold holds', () => {
    const samples: Sample[] = [{ ts: START_MS, kind: 'process', name: 'start', labels: { controller: 'source-controller' } }];
    const s = buildSummary(samples, syntheticRunMeta({ status: 'passed', thresholds: ['restarts.count == 0'] }));
    expect(s.verdict).toBe('passed');
  });
});

describe('verdictOf', () => {
  it('lets run failures win over thresholds and marks unfinished runs incomplete', () => {
    expect(verdictOf('error', [{ ok: true }])).toBe('error');
    expect(verdictOf('timeout', [])).toBe('timeout');
    expect(verdictOf('interrupted', [{ ok: false }])).toBe('interrupted');
    expect(verdictOf('running', [{ ok: true }])).toBe('incomplete');
    expect(verdictOf('passed', [{ ok: true }, { ok: false }])).toBe('failed');
    expect(verdictOf('passed', [])).toBe('passed');
  });
});

describe('parseRunMeta / parseSummary errors', () => {
  it('names the file, the field and the allowed values', () => {
    const bad = { ...syntheticRunMeta(), status: 'done', startedAt: 'yesterday' };
    let error: unknown;
    try {
      parseRunMeta(bad, 'reports/x/run.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('reports/x/run.json');
    expect(message).toMatch(/status: .*\(allowed: running, passed, failed, error, interrupted, timeout\)/);
    expect(message).toMatch(/startedAt: /);
  });
  it('refuses other schema versions with a hint to rebuild', () => {
    expect(() => parseSummary({ schemaVersion: 2 }, 'a/summary.json')).toThrow(/a\/summary\.json: schemaVersion 2 is not supported \(allowed: 1\)/);
    expect(() => parseSummary({ schemaVersion: 1 }, 'b.json')).toThrow(/b\.json: not a fluxbench summary:[\s\S]*run:/);
  });
});

describe('run.json timeline', () => {
  it("accepts planTimeline's output and the short {at, action, endsAt} form, keeping offsets and a label", () => {
    const meta = parseRunMeta({
      ...syntheticRunMeta(),
      timeline: [
        { index: 0, action: { at: '1m', action: 'github.fault', fault: 'latency', duration: '30s' }, atMs: 60_000, endMs: 90_000, label: 'github.fault latency' },
        { index: 1, action: { at: '2m', action: 'controller.kill', controller: 'kustomize-controller' }, atMs: 120_000 },
        { at: 150_000, action: 'churn.stop' },
      ],
    });
    expect(meta.timeline).toEqual([
      { atMs: 60_000, endMs: 90_000, label: 'github.fault latency' },
      { atMs: 120_000, label: 'controller.kill' },
      { atMs: 150_000, label: 'churn.stop' },
    ]);
    const md = renderMarkdown(buildSummary([], meta));
    expect(md).toContain('| +1m | +1m30s | github.fault latency |');
    expect(md).toContain('| +2m30s | — | churn.stop |');
  });
  it('rejects an entry with neither form, naming the field', () => {
    expect(() => parseRunMeta({ ...syntheticRunMeta(), timeline: [{ when: 5 }] }, 'run.json')).toThrow(/run\.json: invalid run metadata:\n {2}timeline\[0\]: expected a planned action/);
  });
});
