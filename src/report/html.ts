/**
 * report.html: one self-contained file that opens offline. uPlot's JS and CSS are inlined from
 * node_modules at render time, the chart data is embedded as JSON, and a small inlined script
 * draws the charts (src/report/assets/report-client.js).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurementSections } from '../measurements/index.ts';
import type { Sample } from '../metrics/sample.ts';
import { buildChartData, type ChartData } from './chart-data.ts';
import { diagnosisText, formatMetricValue, runOrigin } from './format.ts';
import type { Summary } from './summary.ts';
import {
  allMetricsTable,
  controllerTable,
  faultTable,
  fluxVersionCell,
  githubIdentityTable,
  githubTotalsLine,
  keyMetricsTable,
  lagTable,
  restartTable,
  runTable,
  stallTable,
  timelineTable,
  type TableModel,
} from './tables.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON for a <script type="application/json"> block: `<` escaped so no text can close the tag. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline script text made safe inside <script>...</script>. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

interface Assets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
  css: string;
}

let cachedAssets: Assets | undefined;

/** Reads uPlot's dist files and our client assets (once per process). */
export function loadAssets(): Assets {
  if (cachedAssets) return cachedAssets;
  const require = createRequire(import.meta.url);
  const uplotDist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const here = dirname(fileURLToPath(import.meta.url));
  cachedAssets = {
    uplotJs: readFileSync(join(uplotDist, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(join(uplotDist, 'uPlot.min.css'), 'utf8'),
    clientJs: readFileSync(join(here, 'assets', 'report-client.js'), 'utf8'),
    css: readFileSync(join(here, 'assets', 'report.css'), 'utf8'),
  };
  return cachedAssets;
}

/**
 * report.html: one self-contained page (uPlot and the report's script inlined, no network) with
 * the verdict, thresholds, charts of every series (memory, CPU, queue, lag, GitHub quota) with
 * the timeline's faults as bands, and the measurements' tables. Pure: a string from the summary
 * and the raw samples.
 */
export function renderHtml(summary: Summary, samples: readonly Sample[]): string {
  const assets = loadAssets();
  const chartData = buildChartData(samples, summary.faults, runOrigin(summary));
  const run = summary.run;
  const title = `fluxbench · ${run.scenarioName} · ${run.runId}`;
  const body: string[] = [];
  body.push(`<header><h1>${escapeHtml(`fluxbench · ${run.scenarioName}`)} <span class="verdict v-${summary.verdict}" id="verdict">${escapeHtml(summary.verdict)}</span></h1>`);
  body.push(`<p class="meta">${escapeHtml(`${run.runId} · ${run.provider} · Flux ${fluxVersionCell(run.versions)} · Kubernetes ${run.versions.kubernetes}`)}</p></header>`);
  body.push(htmlTable(runTable(summary), 'run'));
  if (run.error) body.push(`<div class="run-error">${escapeHtml(run.error)}</div>`);
  for (const warning of summary.warnings ?? []) body.push(`<div class="run-warning">${escapeHtml(`Warning: ${warning}`)}</div>`);

  body.push('<h2>Thresholds</h2>');
  body.push(thresholdHtml(summary));

  body.push('<h2>Charts</h2>');
  if (chartData.faults.length > 0) body.push('<p class="meta">Shaded bands on time charts mark injected faults.</p>');
  body.push(`<div class="charts">${chartData.charts.map(chartContainer).join('\n')}</div>`);

  body.push(sectionHtml('Key metrics', keyMetricsTable(summary), 'No data.', 'key-metrics'));
  body.push(sectionHtml('Controllers', controllerTable(summary), 'No controller samples.', 'controllers'));
  for (const own of measurementSections()) {
    const table = own.table(summary);
    if (!(own.optional && table.rows.length === 0)) body.push(sectionHtml(own.title, table, own.empty, own.id));
  }
  body.push(sectionHtml('Lag per pushed commit', lagTable(summary), '', 'lag'));
  body.push(sectionHtml('Restarts and OOM kills', restartTable(summary), 'None.', 'restarts'));
  body.push(sectionHtml('Faults', faultTable(summary), 'None injected.', 'faults'));
  const timeline = timelineTable(summary);
  if (timeline.rows.length > 0) body.push(sectionHtml('Timeline (planned)', timeline, '', 'timeline'));
  const github = githubTotalsLine(summary);
  body.push('<h2>GitHub</h2>');
  body.push(github === undefined ? '<p>No requests recorded.</p>' : `<p>${escapeHtml(github)}</p>`);
  const identities = githubIdentityTable(summary);
  if (identities.rows.length > 0) body.push(htmlTable(identities, 'github-identities'));
  body.push(sectionHtml('Stalls', stallTable(summary), 'No stalled objects.', 'stalls'));
  const diagnosis = diagnosisText(summary.diagnosis);
  if (diagnosis) body.push(`<h2>Diagnosis</h2><div class="diagnosis">${escapeHtml(diagnosis)}</div>`);
  body.push(`<details><summary>All summary metrics</summary>${htmlTable(allMetricsTable(summary), 'metrics')}</details>`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotCss.replace(/<\/style/gi, '<\\/style')}</style>
<style>${assets.css.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body>
${body.join('\n')}
<script type="application/json" id="fluxbench-data">${scriptJson(chartData)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(assets.clientJs)}</script>
</body>
</html>
`;
}

/** Points a chart will draw: the count of non-null values over its series. */
export function chartPointCount(chart: ChartData['charts'][number]): number {
  return chart.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
}

function chartContainer(chart: ChartData['charts'][number]): string {
  const points = chartPointCount(chart);
  const note = chart.note ? `<p class="note">${escapeHtml(chart.note)}</p>` : '';
  return `<div class="chart" id="chart-${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}" data-points="${points}"><h3>${escapeHtml(chart.title)}</h3>${note}<div class="plot"></div></div>`;
}

function thresholdHtml(summary: Summary): string {
  if (summary.thresholds.length === 0) return '<p id="thresholds-none">No thresholds defined.</p>';
  const failed = summary.thresholds.filter((t) => !t.ok).length;
  const rows = summary.thresholds.map((t) => {
    const actual = t.actual === undefined ? 'no data' : String(t.actual);
    const shown = t.actual === undefined ? 'no data' : formatMetricValue(t.metric, t.actual);
    return `<tr class="${t.ok ? 'ok' : 'fail'}" data-ok="${t.ok}" data-metric="${escapeHtml(t.metric)}" data-actual="${escapeHtml(actual)}"><td class="mark">${t.ok ? '✓' : '✗'}</td><td><code>${escapeHtml(t.expression)}</code></td><td><code>${escapeHtml(t.metric)}</code></td><td class="num">${escapeHtml(shown)}</td><td>${escapeHtml(t.message)}</td></tr>`;
  });
  return `<p>${summary.thresholds.length - failed} of ${summary.thresholds.length} passed.</p><table class="data" id="thresholds"><thead><tr><th></th><th>Threshold</th><th>Metric</th><th>Actual</th><th>Result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function sectionHtml(title: string, model: TableModel, empty: string, id: string): string {
  return `<h2>${escapeHtml(title)}</h2>${model.rows.length === 0 ? `<p>${escapeHtml(empty)}</p>` : htmlTable(model, id)}`;
}

function htmlTable(model: TableModel, id: string): string {
  const head = model.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = model.rows
    .map((row) => `<tr>${row.map((cell, i) => `<td${model.numeric?.includes(i) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="data" id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}
