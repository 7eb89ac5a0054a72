/** The shapes of report.html's chart data (built by chart-data.ts and fleet-charts.ts, drawn by the page). */
export type ChartUnit = 'bytes' | 'cores' | 'count' | 'seconds';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Unit of the y values. */
  unit: ChartUnit;
  /** 'time': x = seconds since the origin, fault bands drawn; 'category': x positions labelled by `ticks`. */
  xKind: 'time' | 'category';
  /** How series are drawn. */
  style: 'line' | 'bars';
  /** Bar width as a fraction of the smallest x gap. */
  barWidth?: number;
  x: number[];
  series: ChartSeries[];
  /** Category charts: labelled tick positions. */
  ticks?: { at: number; label: string }[];
  /** Text under the title. */
  note?: string;
}

export interface ChartFault {
  label: string;
  start: number;
  end: number;
}

export interface ChartData {
  /** Epoch ms that x = 0 stands for. */
  originMs: number;
  /** Seconds since the origin where the data ends (open faults are drawn up to here). */
  endSeconds: number;
  charts: ChartSpec[];
  faults: ChartFault[];
}
