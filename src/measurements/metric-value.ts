/**
 * Limit values in thresholds and regression limits, converted to the base units summary
 * metrics use: seconds for durations, bytes for binary quantities, a ratio for percentages.
 */
import { UsageError } from '../util/exit-codes.ts';
import { formatBytes, formatDuration, parseDuration, parseQuantity } from '../util/units.ts';
import { findMetric } from './catalogue.ts';
import { withoutSelector } from './lag-subset.ts';
import type { MetricUnit } from './types.ts';

/** How a value was written, which is also how it is printed back. */
export type ValueUnit = 'seconds' | 'bytes' | 'quantity' | 'ratio' | 'number';

export interface MetricValue {
  value: number;
  unit: ValueUnit;
}

const durationText = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const binaryQuantityText = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti)$/;
const decimalQuantityText = /^\d+(\.\d+)?(k|K|M|G|T)$/;
const percentText = /^-?\d+(\.\d+)?%$/;
const numberText = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

export const valueSyntaxHelp =
  'a number ("0", "0.5"), a duration ("60s", "1m30s", "250ms"), a quantity ("512Mi", "1Gi", "5k") or a percentage ("5%")';

/** Parses "60s" → 60 (seconds), "1Gi" → 1073741824, "5%" → 0.05, "3" → 3. */
export function parseMetricValue(text: string): MetricValue {
  const trimmed = text.trim();
  if (numberText.test(trimmed)) return { value: Number(trimmed), unit: 'number' };
  if (percentText.test(trimmed)) return { value: Number(trimmed.slice(0, -1)) / 100, unit: 'ratio' };
  if (durationText.test(trimmed)) return { value: parseDuration(trimmed) / 1000, unit: 'seconds' };
  if (binaryQuantityText.test(trimmed)) return { value: parseQuantity(trimmed), unit: 'bytes' };
  if (decimalQuantityText.test(trimmed)) return { value: parseQuantity(trimmed), unit: 'quantity' };
  throw new UsageError(`invalid value "${text}": expected ${valueSyntaxHelp}`);
}

/** Prints a value in the unit it was written in. */
export function formatValue(value: number, unit: ValueUnit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'seconds':
      return formatDuration(value * 1000);
    case 'bytes':
      return formatBytes(value);
    case 'ratio':
      return `${trimNumber(value * 100)}%`;
    case 'quantity':
    case 'number':
      return trimNumber(value);
  }
}

/** How values of each catalogue unit are printed. */
const printedAs: Record<MetricUnit, ValueUnit> = { seconds: 'seconds', bytes: 'bytes', cores: 'number', count: 'number', ratio: 'number', per_second: 'number', bytes_per_minute: 'bytes' };

/** How a summary metric's values are printed: from its catalogue unit; a plain number for names outside the catalogue. */
export function metricUnit(metric: string): ValueUnit {
  // A subset (`lag.applied{name=a*}.p95`) has its metric's unit.
  const entry = findMetric(withoutSelector(metric))[0];
  return entry ? printedAs[entry.unit] : 'number';
}

/** Prints a summary metric's value in its natural unit. */
export function formatMetricValue(metric: string, value: number): string {
  return formatValue(value, metricUnit(metric));
}

function trimNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Math.round(value * 1000) / 1000);
}
