/** Shared value formatting for the text renderers (markdown, compare, junit messages). */
import { formatBytes, formatDuration } from '../util/units.ts';
import { formatMetricValue } from '../measurements/index.ts';
import type { Summary } from './summary.ts';

export { formatMetricValue };

export const dash = '—';

export function bytesOrDash(value: number | undefined): string {
  return value === undefined ? dash : formatBytes(value);
}

export function secondsOrDash(value: number | undefined): string {
  return value === undefined ? dash : formatDuration(value * 1000);
}

export function numberOrDash(value: number | undefined, digits = 3): string {
  if (value === undefined) return dash;
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 10 ** digits) / 10 ** digits);
}

/** The instant offsets are measured from: the run's start, else its first sample. */
export function runOrigin(summary: Summary): number {
  const started = Date.parse(summary.run.startedAt);
  return Number.isFinite(started) ? started : (summary.run.firstSampleAt ?? 0);
}

/** "+1m30s" from the run's start. */
export function offsetText(summary: Summary, ts: number): string {
  return `+${formatDuration(Math.max(0, ts - runOrigin(summary)))}`;
}

/** Text of a diagnosis worth showing: a string, or an object carrying `markdown` or `text`. */
export function diagnosisText(diagnosis: unknown): string | undefined {
  if (typeof diagnosis === 'string') return diagnosis.trim() || undefined;
  if (typeof diagnosis === 'object' && diagnosis !== null) {
    for (const key of ['markdown', 'text'] as const) {
      const value = (diagnosis as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
  }
  return undefined;
}

export const verdictLabel: Record<Summary['verdict'], string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  error: '💥 error',
  timeout: '⏱️ timeout',
  interrupted: '⏹️ interrupted',
  incomplete: '⚠️ incomplete',
};
