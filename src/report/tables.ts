/**
 * The report's tables as plain text cells, shared by the markdown and HTML renderers so both
 * always show the same figures.
 */
import { formatBytes, formatDuration } from '../util/units.ts';
import { bytesOrDash, dash, formatMetricValue, numberOrDash, offsetText, secondsOrDash } from './format.ts';
import { LAG_STAGES, lagPendingLabel, type ReportTable } from '../measurements/index.ts';
import type { Summary } from './summary.ts';

/** A table's text cells; measurements that render their own section return the same shape. */
export type TableModel = ReportTable;

export function runTable(summary: Summary): TableModel {
  const run = summary.run;
  return {
    header: ['Run', 'Status', 'Provider', 'Flux', 'Kubernetes', 'Started', 'Duration', 'Samples'],
    rows: [
      [
        run.runId,
        run.status + (run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''),
        run.provider,
        fluxVersionCell(run.versions),
        run.versions.kubernetes,
        run.startedAt,
        secondsOrDash(run.durationSeconds),
        String(run.sampleCount),
      ],
    ],
  };
}

/** "2.9.5", or "2.9.5 (kustomize-controller v1.10.1)" when controllers were pinned to other versions. */
export function fluxVersionCell(versions: Summary['run']['versions']): string {
  const pinned = Object.entries(versions.controllers ?? {}).map(([name, version]) => `${name} ${version}`);
  return pinned.length > 0 ? `${versions.flux} (${pinned.join(', ')})` : versions.flux;
}

/** Rows: mark, expression, metric, actual, message. */
export function thresholdTable(summary: Summary): TableModel {
  return {
    header: ['', 'Threshold', 'Metric', 'Actual', 'Result'],
    rows: summary.thresholds.map((t) => [
      t.ok ? '✓' : '✗',
      t.expression,
      t.metric,
      t.actual === undefined ? 'no data' : formatMetricValue(t.metric, t.actual),
      t.message,
    ]),
  };
}

export function keyMetricsTable(summary: Summary): TableModel {
  const m = summary.metrics;
  const rows: string[][] = [];
  const add = (label: string, metric: string) => {
    if (m[metric] !== undefined) rows.push([label, formatMetricValue(metric, m[metric])]);
  };
  add('Lag push → applied, p95', 'lag.applied.p95');
  add('Lag push → ready, p95', 'lag.ready.p95');
  add('All Ready after the apply', 'ready.all_after');
  if (m['ready.not_ready']) rows.push(['Objects never Ready after the apply', String(m['ready.not_ready'])]);
  add('Ready rate (objects/s)', 'ready.rate');
  add('Restarts', 'restarts.count');
  add('Objects stalled at the end', 'stalled.count');
  if (m['objects.ready.last'] !== undefined && m['objects.total.last'] !== undefined) {
    rows.push(['Objects Ready at the end', `${m['objects.ready.last']} / ${m['objects.total.last']}`]);
  }
  add('GitHub requests', 'github.requests.count');
  if (m['github.status_403.count'] !== undefined || m['github.status_429.count'] !== undefined) {
    rows.push(['GitHub 403 / 429', `${m['github.status_403.count'] ?? 0} / ${m['github.status_429.count'] ?? 0}`]);
  }
  add('GitHub quota, lowest remaining', 'github.quota.min_remaining');
  // Only runs with a registry have registry.* metrics.
  add('Registry pulls', 'registry.pulls');
  if (m['registry.throttled'] !== undefined) rows.push(['Registry 429 / errors', `${m['registry.throttled']} / ${m['registry.errors'] ?? 0}`]);
  add('Registry pulls left, lowest', 'registry.quota_remaining.min');
  add('List Kustomizations, p95', 'api.list_kustomizations.p95');
  add('etcd DB size, max', 'etcd.db_bytes.max');
  add('managedFields bytes, max', 'api.managed_fields_bytes.max');
  return { header: ['Metric', 'Value'], rows, numeric: [1] };
}

export function controllerTable(summary: Summary): TableModel {
  return {
    header: ['Controller', 'RSS max', 'RSS avg', 'RSS last', 'RSS peak', 'Heap max', 'CPU avg (cores)', 'CPU max', 'Queue max', 'Reconciles', 'Errors', 'Reconcile p95', 'Restarts', 'OOM kills'],
    rows: summary.controllers.map((c) => [
      c.instance,
      bytesOrDash(c.memory?.max),
      bytesOrDash(c.memory?.avg),
      bytesOrDash(c.memory?.last),
      bytesOrDash(c.rssPeakBytes),
      bytesOrDash(c.heapInuseMaxBytes),
      numberOrDash(c.cpu?.avg),
      numberOrDash(c.cpu?.max),
      numberOrDash(c.queue?.max, 0),
      numberOrDash(c.reconciles, 0),
      numberOrDash(c.reconcileErrors, 0),
      secondsOrDash(c.reconcileP95MaxSeconds),
      String(c.restarts),
      String(c.ooms),
    ]),
    numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  };
}

/**
 * Lag per stage from the push, then the controllers' part of `applied` (artifact → applied,
 * what sizing judges) as its own row, so a reader sees how much of the lag was the poll, then the
 * commits not applied by the end (no lag yet: their count, and the oldest one's age as Max).
 */
export function lagTable(summary: Summary): TableModel {
  const row = (label: string, d: Summary['lag']['applied']) => [label, String(d?.count ?? 0), secondsOrDash(d?.p50), secondsOrDash(d?.p95), secondsOrDash(d?.p99), secondsOrDash(d?.max)];
  const rows = LAG_STAGES.map((stage) => row(stage, summary.lag[stage]));
  if (summary.lag.controllers) rows.push(row('controllers (artifact → applied)', summary.lag.controllers));
  for (const subset of summary.lag.subsets ?? []) rows.push(row(`${subset.stage} {${subset.selector}}`, subset.distribution));
  const pending = summary.lag.pending;
  if (pending) rows.push([lagPendingLabel(pending), String(pending.pairs), dash, dash, dash, pending.pairs > 0 ? secondsOrDash(pending.oldestSeconds) : dash]);
  return { header: ['Stage', 'Count', 'p50', 'p95', 'p99', 'Max'], rows, numeric: [1, 2, 3, 4, 5] };
}

/**
 * Exits, restarts, OOM kills and memory limits. Process starts are routine, and so are the
 * exits of teardown (cause "stopped"), so both are left out.
 */
export function restartTable(summary: Summary): TableModel {
  return {
    header: ['When', 'Controller', 'Event', 'Cause', 'Exit code', 'Signal'],
    rows: summary.processEvents
      .filter((e) => e.event !== 'start' && !(e.event === 'exit' && e.cause === 'stopped'))
      .map((e) => [
        offsetText(summary, e.ts),
        e.controller,
        e.event,
        e.event === 'memory_limit' && e.value !== undefined ? `limit ${formatBytes(e.value)}` : (e.cause ?? dash),
        e.code === undefined || e.code === null ? dash : String(e.code),
        e.signal ?? dash,
      ]),
  };
}

export function faultTable(summary: Summary): TableModel {
  return {
    header: ['Fault', 'Target', 'Start', 'End', 'Duration', 'Parameters'],
    rows: summary.faults.map((f) => [
      f.fault,
      f.target || dash,
      offsetText(summary, f.start),
      f.end === undefined ? 'until the end' : offsetText(summary, f.end),
      f.end === undefined ? dash : secondsOrDash((f.end - f.start) / 1000),
      [f.error ? `failed: ${f.error}` : '', f.detail ? JSON.stringify(f.detail) : ''].filter(Boolean).join(' ') || dash,
    ]),
  };
}

/** One line on GitHub traffic, or undefined when no request was recorded. */
export function githubTotalsLine(summary: Summary): string | undefined {
  const g = summary.github;
  if (g.requests === 0 && Object.keys(g.identities).length === 0) return undefined;
  const statuses = Object.entries(g.statusCounts)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const deliveries = Object.entries(g.webhookDeliveries).map(([s, n]) => `${s}: ${n}`);
  return (
    `${g.requests} requests (${statuses || 'none'}), ${formatBytes(g.bytesOut)} served, ${formatBytes(g.bytesIn)} received; 403: ${g.status403}, 429: ${g.status429}.` +
    (deliveries.length > 0 ? ` Webhook deliveries: ${deliveries.join(', ')}.` : '')
  );
}

export function githubIdentityTable(summary: Summary): TableModel {
  return {
    header: ['Identity', 'Requests', '403', '429', 'Quota min remaining', 'Quota limit', 'Exhaustion predicted', 'Exhausted after', 'Quota back after'],
    rows: Object.entries(summary.github.identities)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([identity, s]) => [
        identity,
        String(s.requests),
        String(s.status403),
        String(s.status429),
        numberOrDash(s.minRemaining, 0),
        numberOrDash(s.limit, 0),
        s.predictedExhaustionMs === undefined ? '—' : secondsOrDash(s.predictedExhaustionMs / 1000),
        s.exhaustedAfterMs === undefined ? 'never' : secondsOrDash(s.exhaustedAfterMs / 1000),
        // Counted from the exhaustion; "not in this run" when the window did not reset before the end.
        s.exhaustedAfterMs === undefined ? '—' : s.quotaBackAfterMs === undefined ? 'not in this run' : secondsOrDash(s.quotaBackAfterMs / 1000),
      ]),
    numeric: [1, 2, 3, 4, 5],
  };
}

export function stallTable(summary: Summary): TableModel {
  return {
    header: ['Object', 'Reason', 'Longest stuck', 'Stuck at the end'],
    rows: summary.stalls.map((s) => [s.object, s.reason, secondsOrDash(s.maxSeconds), s.atEnd ? 'yes' : 'no']),
  };
}

export function allMetricsTable(summary: Summary): TableModel {
  return {
    header: ['Metric', 'Value'],
    rows: Object.entries(summary.metrics).map(([metric, value]) => [metric, formatMetricValue(metric, value)]),
    numeric: [1],
  };
}

/** The scenario's planned timeline; offsets are from the start of the measure phase. */
export function timelineTable(summary: Summary): TableModel {
  return {
    header: ['At (measure phase)', 'Until', 'Action'],
    rows: (summary.timeline ?? []).map((entry) => [
      `+${formatDuration(entry.atMs)}`,
      entry.endMs === undefined ? dash : `+${formatDuration(entry.endMs)}`,
      entry.label,
    ]),
  };
}
