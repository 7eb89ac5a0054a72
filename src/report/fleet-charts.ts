/**
 * The fleet's charts: one bar group per spoke, so the spoke that falls behind stands out among
 * dozens. None in a run without spokes.
 */
import type { Sample } from '../metrics/sample.ts';
import { analyzeFleet, type SpokeStats } from '../measurements/index.ts';
import { groupedBars } from './chart-bars.ts';
import type { ChartSpec } from './chart-types.ts';

/**
 * "Lag per spoke": push → applied p50 and p95, and push → Ready p95, side by side within each
 * spoke's slot (groupedBars, as the lag-percentile chart);
 * "Memory per spoke": the spoke's processes' peak resident memory, for spokes whose processes
 * run here.
 */
export function fleetCharts(sorted: readonly Sample[]): ChartSpec[] {
  const fleet = analyzeFleet(
    sorted.filter((s) => s.kind === 'fleet'),
    sorted.filter((s) => s.kind === 'lag'),
    sorted.filter((s) => s.kind === 'ready'),
  );
  const spokes = Object.entries(fleet.spokes);
  if (spokes.length === 0) return [];
  const bars = [
    { label: 'applied p50', pick: (s: SpokeStats) => s.lag.applied?.p50 },
    { label: 'applied p95', pick: (s: SpokeStats) => s.lag.applied?.p95 },
    { label: 'Ready p95', pick: (s: SpokeStats) => s.lag.ready?.p95 },
  ];
  const groups = spokes.map(([name, stats]) => ({ label: name, values: bars.map((bar) => bar.pick(stats)) }));
  const charts: ChartSpec[] = [
    {
      id: 'fleet-lag',
      title: 'Lag per spoke (push → applied, → Ready)',
      unit: 'seconds',
      xKind: 'category',
      style: 'bars',
      barWidth: 0.9,
      ...groupedBars(
        groups,
        bars.map((b) => b.label),
      ),
    },
  ];
  const withMemory = spokes.filter(([, s]) => s.rssBytes);
  if (withMemory.length > 0) {
    charts.push({
      id: 'fleet-memory',
      title: "Memory per spoke (its processes' peak RSS)",
      unit: 'bytes',
      xKind: 'category',
      style: 'bars',
      barWidth: 0.6,
      x: withMemory.map((_, i) => i + 0.5),
      series: [{ label: 'peak RSS', values: withMemory.map(([, s]) => s.rssBytes!.max) }],
      ticks: withMemory.map(([name], i) => ({ at: i + 0.5, label: name })),
    });
  }
  return charts;
}
