import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildChartData } from '../../../src/report/chart-data.ts';
import { fleetCharts } from '../../../src/report/fleet-charts.ts';

const spoke = (name: string): Sample => ({ ts: 0, kind: 'fleet', name: 'spoke', labels: { spoke: name }, detail: { apiServerUrl: 'https://127.0.0.1:1' } });
const applied = (ts: number, namespace: string, value: number): Sample => ({ ts, kind: 'lag', name: 'applied', value, labels: { object: `Kustomization/${namespace}/app-001`, stage: 'applied' } });

describe('the fleet charts', () => {
  it('draw one bar group per spoke (applied p50, p95, Ready p95) and each spoke’s memory, so the one that falls behind stands out', () => {
    const samples: Sample[] = [
      spoke('spoke-01'),
      spoke('spoke-02'),
      applied(1, 'spoke-01', 2),
      applied(2, 'spoke-01', 4),
      applied(3, 'spoke-02', 40),
      { ts: 5, kind: 'fleet', name: 'rss_bytes', value: 300 * 2 ** 20, labels: { spoke: 'spoke-01' } },
    ];
    const [lag, memory] = fleetCharts(samples);
    expect(lag!.id).toBe('fleet-lag');
    expect(lag!.ticks!.map((t) => t.label)).toEqual(['spoke-01', 'spoke-02']);
    expect(lag!.series.map((s) => s.label)).toEqual(['applied p50', 'applied p95', 'Ready p95']);
    // Six positions: three bars in each spoke's slot, each series only at its own.
    expect(lag!.x).toHaveLength(6);
    expect(lag!.series[1]!.values).toEqual([null, 4, null, null, 40, null]);
    expect(lag!.series[2]!.values.every((v) => v === null)).toBe(true);
    expect(memory).toMatchObject({ id: 'fleet-memory', unit: 'bytes', series: [{ values: [300 * 2 ** 20] }], ticks: [{ label: 'spoke-01' }] });
  });

  it('are absent from a run without spokes, and part of the report’s charts in one with them', () => {
    expect(fleetCharts([applied(1, 'team-a', 2)])).toEqual([]);
    expect(buildChartData([applied(1, 'team-a', 2)], [], 0).charts.map((c) => c.id)).not.toContain('fleet-lag');
    expect(buildChartData([spoke('spoke-01'), applied(1, 'spoke-01', 2)], [], 0).charts.map((c) => c.id)).toContain('fleet-lag');
  });
});
