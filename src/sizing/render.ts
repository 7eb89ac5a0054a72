/** sizing.md and sizing.json: the table and the recommendations, for people and for tools. */
import { formatBytes, formatDuration } from '../util/units.ts';
import { apiClientLimitsWords } from './plan.ts';
import { sizedComponents, type SizingRecommendation, type SizingRow } from './table.ts';

/**
 * Version 1; the lag split (row fields lagArtifactP95Seconds, lagControllersP95Seconds, targets.lag),
 * time-to-Ready (readyAllAfterSeconds, notReady), the API client limits (kubeApiQps,
 * kubeApiBurst) and the control plane's peaks (controlPlanePeakBytes) only added fields.
 */
export const SIZING_SCHEMA_VERSION = 1;

export interface SizingReport {
  schemaVersion: typeof SIZING_SCHEMA_VERSION;
  name: string;
  createdAt: string;
  /** Where the base scenario came from. */
  base: string;
  /** Runs planned vs run: a sweep stopped early lists fewer rows than planned. */
  planned: number;
  stoppedEarly?: string;
  /** What the reader must know to read the table (e.g. a swept setting the cluster ignores). */
  notes?: string[];
  rows: SizingRow[];
  recommendation: SizingRecommendation;
}

const seconds = (value: number | undefined) => (value === undefined ? '–' : formatDuration(value * 1000));
const bytes = (value: number | undefined) => (value === undefined ? '–' : formatBytes(value));
const cores = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
/** ready.all_after, or how many objects never got Ready (the run's settle ended without them). */
const timeToReady = (row: SizingRow) =>
  row.readyAllAfterSeconds !== undefined ? seconds(row.readyAllAfterSeconds) : row.notReady ? `${row.notReady} never Ready` : '–';
const shortName = (controller: string) => controller.replace(/-controller$/, '');

function controllersIn(rows: readonly SizingRow[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.memoryMaxBytes)))].sort();
}

function markdownTable(header: string[], body: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body.map((cells) => `| ${cells.join(' | ')} |`)];
}

/** The lag target in words: which part is judged, and the source's bound that comes with the controllers' budget. */
function lagTargetText(rec: SizingRecommendation): string {
  const budget = formatDuration(rec.targets.lagP95Seconds * 1000);
  if (rec.targets.lag === 'total') return `lag.applied.p95 < ${budget} (total, push → applied)`;
  return `lag.controllers.p95 < ${budget} (artifact → applied) and lag.artifact.p95 < interval + ${budget} (push → artifact: one poll, then the budget)`;
}

export function renderSizingMarkdown(report: SizingReport): string {
  const { rows, recommendation: rec } = report;
  const controllers = controllersIn(rows);
  const lines: string[] = [`# Sizing: ${report.name}`, '', `${rows.length} of ${report.planned} runs, base ${report.base}, ${report.createdAt}.`];
  if (report.stoppedEarly) lines.push('', `**Stopped early:** ${report.stoppedEarly}`);
  for (const note of report.notes ?? []) lines.push('', `**Note:** ${note}`);
  lines.push('', '## Measured', '');
  const withApiLimits = rows.some((row) => row.kubeApiQps !== undefined || row.kubeApiBurst !== undefined);
  // Only the local provider reads the control plane's processes: no columns of dashes elsewhere.
  const components = sizedComponents.filter((c) => rows.some((row) => row.controlPlanePeakBytes?.[c] !== undefined));
  const header = [
    'apps',
    'interval',
    'concurrency',
    'shards',
    ...(withApiLimits ? ['kube-api-qps/burst'] : []),
    ...controllers.map((c) => `mem ${shortName(c)}`),
    ...controllers.map((c) => `cpu ${shortName(c)} avg/max`),
    'all Ready after',
    'lag p95 source',
    'lag p95 controllers',
    'lag p95 total',
    'list p95',
    'etcd DB',
    ...components.map((c) => `peak ${c}`),
    'GitHub req/min',
    'verdict',
  ];
  const body = rows.map((row) => [
    String(row.apps),
    row.interval,
    String(row.concurrency),
    String(row.shards),
    ...(withApiLimits ? [`${row.kubeApiQps ?? 'default'}/${row.kubeApiBurst ?? 'default'}`] : []),
    ...controllers.map((c) => bytes(row.memoryMaxBytes[c])),
    ...controllers.map((c) => `${cores(row.cpuAvgCores[c])}/${cores(row.cpuMaxCores[c])}`),
    timeToReady(row),
    seconds(row.lagArtifactP95Seconds),
    seconds(row.lagControllersP95Seconds),
    seconds(row.lagAppliedP95Seconds),
    seconds(row.listKustomizationsP95Seconds),
    bytes(row.etcdDbMaxBytes),
    ...components.map((c) => bytes(row.controlPlanePeakBytes?.[c])),
    row.githubRequestsPerMinute === undefined ? '–' : row.githubRequestsPerMinute.toFixed(1),
    row.verdict === 'passed' ? 'passed' : `**${row.verdict}**`,
  ]);
  lines.push(...markdownTable(header, body));

  lines.push(
    '',
    '## Recommended',
    '',
    `Memory limit = measured max × ${rec.headroom}, rounded up. Targets: ${lagTargetText(rec)}, ` +
      `Git host ≤ ${rec.targets.githubRequestsPerMinute} requests/min without 429s, list p95 ≤ ${formatDuration(rec.targets.listP95Seconds * 1000)}.`,
    '',
  );
  const recHeader = ['apps', ...controllers.map((c) => `limit ${shortName(c)}`), 'concurrency / shards', 'shortest interval', 'notes'];
  const recBody = rec.byApps.map((entry) => [
    String(entry.apps),
    ...controllers.map((c) => {
      const memory = entry.memory[c];
      return memory ? `${memory.limit} (max ${formatBytes(memory.measuredMaxBytes)})` : '–';
    }),
    entry.concurrency
      ? `${entry.concurrency.concurrency} / ${entry.concurrency.shards} (lag p95 source ${seconds(entry.concurrency.lagArtifactP95Seconds)}, ` +
        `controllers ${seconds(entry.concurrency.lagControllersP95Seconds)}, total ${seconds(entry.concurrency.lagAppliedP95Seconds)} at ${entry.concurrency.interval}` +
        `${apiClientLimitsWords(entry.concurrency).map((words) => `, ${words}`).join('')})`
      : '–',
    entry.interval ? entry.interval.interval : '–',
    entry.notes.join('; ') || '',
  ]);
  lines.push(...markdownTable(recHeader, recBody));
  const overall = Object.entries(rec.memory);
  if (overall.length > 0) {
    lines.push('', `Over every run (the largest RSS measured): ${overall.map(([c, m]) => `${c} ${m.limit}`).join(', ')}.`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderSizingJson(report: SizingReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
