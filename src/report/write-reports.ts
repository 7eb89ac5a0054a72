/** Writing a run's reports into its directory, and rebuilding them from the files alone. */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sample } from '../metrics/sample.ts';
import { UsageError } from '../util/exit-codes.ts';
import { readNdjson } from '../util/ndjson.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { readRunMeta, type RunMeta } from './run-meta.ts';
import { buildSummary, type Summary } from './summary.ts';

export const REPORT_FILES = {
  samples: 'samples.ndjson',
  runMeta: 'run.json',
  summary: 'summary.json',
  markdown: 'report.md',
  html: 'report.html',
  junit: 'junit.xml',
} as const;

export interface ReportPaths {
  summary: string;
  markdown: string;
  html: string;
  junit: string;
}

/**
 * Builds the summary from the samples and run.json's record and writes summary.json, report.md,
 * report.html and junit.xml into `runDir` (overwriting earlier ones). Returns their paths and the
 * summary. Throws UsageError when `runMeta` does not validate.
 */
export function writeReports(runDir: string, samples: readonly Sample[], runMeta: RunMeta): { paths: ReportPaths; summary: Summary } {
  mkdirSync(runDir, { recursive: true });
  const summary = buildSummary(samples, runMeta);
  const paths: ReportPaths = {
    summary: join(runDir, REPORT_FILES.summary),
    markdown: join(runDir, REPORT_FILES.markdown),
    html: join(runDir, REPORT_FILES.html),
    junit: join(runDir, REPORT_FILES.junit),
  };
  writeAtomically(paths.summary, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomically(paths.markdown, renderMarkdown(summary));
  writeAtomically(paths.html, renderHtml(summary, samples));
  writeAtomically(paths.junit, renderJunit(summary));
  return { paths, summary };
}

/** Reads `<runDir>/samples.ndjson` (a torn last line is dropped) and `<runDir>/run.json`. */
export function readRunDir(runDir: string): { samples: Sample[]; runMeta: RunMeta } {
  if (!existsSync(runDir)) throw new UsageError(`${runDir}: run directory does not exist`);
  const samplesPath = join(runDir, REPORT_FILES.samples);
  const metaPath = join(runDir, REPORT_FILES.runMeta);
  if (!existsSync(metaPath)) throw new UsageError(`${metaPath}: missing; a run directory holds run.json and samples.ndjson`);
  const runMeta = readRunMeta(metaPath);
  let samples: Sample[] = [];
  if (existsSync(samplesPath)) {
    try {
      samples = readNdjson<Sample>(samplesPath).filter(isSample);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return { samples, runMeta };
}

/**
 * Rebuilds every report of a run directory from its samples.ndjson and run.json alone (a crashed
 * run's truncated last sample line is skipped). Throws UsageError when either file is missing or
 * run.json does not validate.
 */
export function rebuildReports(runDir: string): { paths: ReportPaths; summary: Summary } {
  const { samples, runMeta } = readRunDir(runDir);
  return writeReports(runDir, samples, runMeta);
}

function isSample(value: unknown): value is Sample {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sample).ts === 'number' &&
    typeof (value as Sample).kind === 'string' &&
    typeof (value as Sample).name === 'string'
  );
}

/** Write-then-rename, so a reader (or a crash) never sees half a report. */
function writeAtomically(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
