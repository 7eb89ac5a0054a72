/**
 * The A/B comparison report: ab.md (GitHub-flavoured Markdown) and ab.html (one static page),
 * from the AbReport that ab.json holds. Pure.
 */
import { escapeHtml, mdTable } from '../report/index.ts';
import { formatMetricValue } from '../scenario/index.ts';
import type { AbMetricVerdict, AbVerdict } from './verdict.ts';

/** One run of an A/B, in the order it ran. */
export interface AbRunRecord {
  side: 'A' | 'B';
  round: number;
  runDir: string;
  exitCode: number;
  /** The run's summary metrics; absent when it ended without a summary. */
  metrics?: Record<string, number>;
  /** passed / failed / error … as the run's summary says. */
  verdict?: string;
}

/** What ab.json holds. */
export interface AbReport {
  createdAt: string;
  scenario: string;
  a: { settings: string[] };
  b: { settings: string[] };
  repeat: number;
  limits: Record<string, string>;
  runs: AbRunRecord[];
  stoppedEarly?: string;
  verdict: AbVerdict;
}

/** Called differences first (regressions, then improvements, then plain differences), then the rest by name. */
const order: Record<AbMetricVerdict['verdict'], number> = { regression: 0, improvement: 1, higher: 2, lower: 2, missing: 3, 'no difference': 4 };

function sorted(metrics: readonly AbMetricVerdict[]): AbMetricVerdict[] {
  return [...metrics].sort((x, y) => order[x.verdict] - order[y.verdict] || x.metric.localeCompare(y.metric));
}

function side(metric: string, values: readonly number[], med: number | undefined): string {
  if (med === undefined) return '—';
  const fmt = (v: number) => formatMetricValue(metric, v);
  return values.length > 1 ? `${fmt(med)} [${fmt(Math.min(...values))}–${fmt(Math.max(...values))}]` : fmt(med);
}

function changeText(m: AbMetricVerdict): string {
  if (m.change === undefined) return '—';
  return `${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%`;
}

/** The table model shared by both renderings. */
export function abTable(report: AbReport): { header: string[]; rows: string[][]; numeric: number[] } {
  return {
    header: ['Metric', 'A: median [range]', 'B: median [range]', 'Change', 'Verdict', 'Limit'],
    rows: sorted(report.verdict.metrics).map((m) => [m.metric, side(m.metric, m.a, m.medianA), side(m.metric, m.b, m.medianB), changeText(m), m.verdict, m.limit ?? '']),
    numeric: [3],
  };
}

/** The headline: the regressions, else the differences, else "no difference". */
export function abHeadline(report: AbReport): string {
  const called = report.verdict.metrics.filter((m) => m.verdict === 'regression' || m.verdict === 'improvement' || m.verdict === 'higher' || m.verdict === 'lower');
  const regressions = called.filter((m) => m.verdict === 'regression');
  if (regressions.length > 0) return `B regressed: ${regressions.map((m) => m.metric).join(', ')}`;
  if (called.length > 0) {
    const chance = comparable(report) * report.verdict.falseCallChance;
    const byChance = called.length <= chance ? `, no more than chance alone would call (about ${expectedFalseCalls(report)})` : '';
    return `B differs from A beyond the noise in ${called.length} metric(s)${byChance}; none beyond its regression limit`;
  }
  return 'No difference between A and B beyond the run-to-run noise';
}

/** Metrics with values on both sides: the ones the noise rule judges. */
function comparable(report: AbReport): number {
  return report.verdict.metrics.filter((m) => m.verdict !== 'missing').length;
}

/** How many of the compared metrics the noise rule would call different by chance alone. */
function expectedFalseCalls(report: AbReport): string {
  const n = comparable(report) * report.verdict.falseCallChance;
  return n < 1 ? n.toFixed(1) : String(Math.round(n));
}

function runLines(report: AbReport): string[] {
  return report.runs.map((r) => `round ${r.round} ${r.side}: ${r.verdict ?? 'no summary'} (exit ${r.exitCode}) — ${r.runDir}`);
}

function settingsText(settings: readonly string[]): string {
  return settings.length > 0 ? settings.join(', ') : 'the scenario as written';
}

export function renderAbMarkdown(report: AbReport): string {
  const chance = (report.verdict.falseCallChance * 100).toFixed(1);
  return [
    `# A/B: ${report.scenario}`,
    '',
    `**${abHeadline(report)}.**`,
    '',
    `- A: ${settingsText(report.a.settings)}`,
    `- B: ${settingsText(report.b.settings)}`,
    `- ${report.runs.length} runs, interleaved A B B A … over ${report.repeat} round(s)${report.stoppedEarly ? `; stopped early: ${report.stoppedEarly}` : ''}`,
    `- A difference is called only when the two sides' ranges do not overlap; with these run counts that happens by chance to a metric that did not change with probability ${chance}%, so of the ${comparable(report)} metrics compared about ${expectedFalseCalls(report)} would be called if nothing had changed (more rounds make that smaller). Regressions are judged against the scenario's regression limits.`,
    '',
    mdTable(abTable(report), [0]),
    '',
    '## Runs',
    '',
    ...runLines(report).map((line) => `- ${line}`),
    '',
  ].join('\n');
}

export function renderAbHtml(report: AbReport): string {
  const table = abTable(report);
  const cell = (text: string, tag: 'td' | 'th', i: number) => `<${tag}${table.numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  const rows = table.rows.map((row) => `<tr class="${escapeHtml(row[4]!.replace(/\s+/g, '-'))}">${row.map((c, i) => cell(c, 'td', i)).join('')}</tr>`);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`A/B: ${report.scenario}`)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.num{text-align:right}',
    'tr.regression{background:#fdd}tr.improvement{background:#dfd}tr.higher,tr.lower{background:#ffd}</style></head><body>',
    `<h1>${escapeHtml(`A/B: ${report.scenario}`)}</h1>`,
    `<p><strong>${escapeHtml(abHeadline(report))}.</strong></p>`,
    `<ul><li>A: ${escapeHtml(settingsText(report.a.settings))}</li><li>B: ${escapeHtml(settingsText(report.b.settings))}</li>`,
    `<li>${escapeHtml(`${report.runs.length} runs over ${report.repeat} round(s); chance that an unchanged metric is called different: ${(report.verdict.falseCallChance * 100).toFixed(1)}% (about ${expectedFalseCalls(report)} of the ${comparable(report)} metrics if nothing had changed)`)}</li></ul>`,
    `<table><thead><tr>${table.header.map((h, i) => cell(h, 'th', i)).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
    `<h2>Runs</h2><ul>${runLines(report).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    '</body></html>',
    '',
  ].join('\n');
}
