/** report.md: a compact run report that reads well as a GitHub Actions step summary. */
import { measurementSections } from '../measurements/index.ts';
import { diagnosisText, verdictLabel } from './format.ts';
import type { Summary } from './summary.ts';
import {
  allMetricsTable,
  controllerTable,
  faultTable,
  githubIdentityTable,
  githubTotalsLine,
  keyMetricsTable,
  lagTable,
  restartTable,
  runTable,
  stallTable,
  thresholdTable,
  timelineTable,
  type TableModel,
} from './tables.ts';

/** A table cell: pipes escaped and line breaks flattened so the table stays one row per line. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the text (pipes still escaped for tables). */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** Renders a table; `code` columns are shown as inline code. */
export function mdTable(model: TableModel, code: number[] = []): string {
  const line = (cells: string[], header = false) =>
    `| ${cells.map((cell, i) => (!header && code.includes(i) ? mdCode(cell) : mdCell(cell))).join(' | ')} |`;
  const align = model.header.map((_, i) => (model.numeric?.includes(i) ? '---:' : '---'));
  return [line(model.header, true), `| ${align.join(' | ')} |`, ...model.rows.map((row) => line(row))].join('\n');
}

/**
 * report.md: the verdict, thresholds, every measurement's section (controllers, lag, GitHub,
 * stalls, API, ...), the timeline and the diagnosis, as GitHub-flavoured Markdown. Pure.
 */
export function renderMarkdown(summary: Summary): string {
  const parts: string[] = [];
  parts.push(`# fluxbench · ${mdCell(summary.run.scenarioName)} · ${verdictLabel[summary.verdict]}`);
  parts.push(mdTable(runTable(summary)));
  if (summary.run.error) parts.push(`> **Error:** ${summary.run.error.replace(/\r?\n/g, '\n> ')}`);
  for (const warning of summary.warnings ?? []) parts.push(`> **Warning:** ${mdCell(warning)}`);

  const thresholds = thresholdTable(summary);
  const failed = summary.thresholds.filter((t) => !t.ok).length;
  parts.push(
    thresholds.rows.length === 0
      ? '## Thresholds\n\nNo thresholds defined.'
      : `## Thresholds\n\n${summary.thresholds.length - failed} of ${summary.thresholds.length} passed.\n\n${mdTable(thresholds, [1, 2])}`,
  );
  parts.push(section('Key metrics', keyMetricsTable(summary), 'No data.'));
  parts.push(section('Controllers', controllerTable(summary), 'No controller samples.'));
  for (const own of measurementSections()) {
    const table = own.table(summary);
    if (!(own.optional && table.rows.length === 0)) parts.push(section(own.title, table, own.empty));
  }
  parts.push(
    `## Lag per pushed commit\n\nFrom the push to: the GitRepository artifact (artifact), the Kustomization/HelmRelease applying it (applied), Ready at that revision (ready).\n\n${mdTable(lagTable(summary))}`,
  );
  parts.push(section('Restarts and OOM kills', restartTable(summary), 'None.'));
  parts.push(section('Faults', faultTable(summary), 'None injected.'));
  const timeline = timelineTable(summary);
  if (timeline.rows.length > 0) parts.push(section('Timeline (planned)', timeline, ''));
  const github = githubTotalsLine(summary);
  const identities = githubIdentityTable(summary);
  parts.push(
    github === undefined
      ? '## GitHub\n\nNo requests recorded.'
      : `## GitHub\n\n${mdCell(github)}${identities.rows.length > 0 ? `\n\n${mdTable(identities)}` : ''}`,
  );
  parts.push(
    summary.stalls.length === 0
      ? '## Stalls\n\nNo stalled objects.'
      : `## Stalls\n\n${summary.stalledAtEnd.length} object(s) still stuck at the end.\n\n${mdTable(stallTable(summary))}`,
  );
  const diagnosis = diagnosisText(summary.diagnosis);
  if (diagnosis) parts.push(`## Diagnosis\n\n${diagnosis}`);
  const all = allMetricsTable(summary);
  if (all.rows.length > 0) {
    parts.push(`<details><summary>All summary metrics (${all.rows.length})</summary>\n\n${mdTable(all, [0])}\n\n</details>`);
  }
  return `${parts.join('\n\n')}\n`;
}

function section(title: string, model: TableModel, empty: string): string {
  return `## ${title}\n\n${model.rows.length === 0 ? empty : mdTable(model)}`;
}
