/**
 * Grouped bars without a chart plugin, shared by the report's category charts: each group (a lag
 * stage, a spoke) gets a slot of width 1, each series a position within it, and a series is null
 * at every position but its own, so the bars of one group stand side by side.
 */
import type { ChartSeries, ChartSpec } from './chart-types.ts';

/** One group of bars: its tick label and one value per series (undefined draws no bar). */
export interface BarGroup {
  label: string;
  values: readonly (number | undefined)[];
}

/** x positions, series and ticks of `groups` with one bar per entry of `seriesLabels`; all empty without groups. */
export function groupedBars(groups: readonly BarGroup[], seriesLabels: readonly string[]): Pick<ChartSpec, 'x' | 'series' | 'ticks'> {
  if (groups.length === 0) return { x: [], series: [], ticks: [] };
  const step = 1 / (seriesLabels.length + 1);
  const x: number[] = [];
  const series: ChartSeries[] = seriesLabels.map((label) => ({ label, values: [] }));
  groups.forEach((group, g) => {
    seriesLabels.forEach((_, b) => {
      x.push(round3(g + (b + 1) * step));
      series.forEach((s, k) => s.values.push(k === b ? (group.values[b] ?? null) : null));
    });
  });
  return { x, series, ticks: groups.map((group, g) => ({ at: round3(g + 0.5), label: group.label })) };
}

/** Three decimals: enough for seconds on a chart, and JSON stays short. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
