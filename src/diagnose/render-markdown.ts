import { formatDuration } from '../util/units.ts';
import { displayId, oneLine, renderChain, renderCycle, renderCycleEdges, staleObjectList, summaryLine } from './render-chain.ts';
import type { Diagnosis } from './schema.ts';

function cell(text: string, max = 400): string {
  return oneLine(text, max).replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/**
 * The diagnosis as Markdown for the run report. No heading by default (the report writes its
 * own `## Diagnosis`); sub-sections are `###`.
 */
export function renderDiagnosisMarkdown(diagnosis: Diagnosis, options: { heading?: string } = {}): string {
  const lines: string[] = [...(options.heading ? [options.heading, ''] : []), summaryLine(diagnosis) + '.'];
  if (diagnosis.cycles.length > 0) {
    lines.push('', `### Dependency cycles (${diagnosis.cycles.length})`, '');
    for (const cycle of diagnosis.cycles) {
      lines.push(`- ${code(renderCycle(cycle.ids))} (${renderCycleEdges(cycle)})`);
    }
  }
  if (diagnosis.missing.length > 0) {
    lines.push('', `### Missing dependencies (${diagnosis.missing.length})`, '');
    for (const m of diagnosis.missing) lines.push(`- ${code(displayId(m.from))} ${m.via} ${code(m.to)}: not found`);
  }
  if (diagnosis.staleRevisions.length > 0) {
    lines.push('', `### Ready but behind their source (${diagnosis.counts.staleRevision})`, '');
    lines.push('| Source | Serves | Objects behind | Cause |', '| --- | --- | --- | --- |');
    for (const group of diagnosis.staleRevisions) {
      const serves = `${group.revision}${group.artifactAgeSeconds !== undefined ? ` for ${formatDuration(group.artifactAgeSeconds * 1000)}` : ''}`;
      lines.push(`| ${cell(displayId(group.source))} | ${cell(serves)} | ${group.objects.length}: ${cell(staleObjectList(group, 10))} | ${cell(group.explanation, 1000)} |`);
    }
  }
  for (const held of diagnosis.workersHeld) {
    lines.push('', `### Long ${held.kind} reconciles holding ${held.controller}'s workers (${held.objects.length})`, '', cell(held.explanation, 1000), '');
    lines.push('| Object | Seconds | Message |', '| --- | --- | --- |');
    for (const o of held.objects.slice(0, 20)) lines.push(`| ${cell(displayId(o.id))} | ${o.seconds} | ${cell(o.message ?? '-')} |`);
    if (held.objects.length > 20) lines.push(`| … and ${held.objects.length - 20} more | | |`);
  }
  if (diagnosis.findings.length > 0) {
    lines.push('', `### Not Ready or stuck (${diagnosis.findings.length})`, '');
    lines.push('| Object | Stuck | Symptoms | Chain to root cause |', '| --- | --- | --- | --- |');
    for (const finding of diagnosis.findings) {
      const symptoms = finding.symptoms.map((s) => s.type).join(', ') || '-';
      lines.push(`| ${cell(displayId(finding.id))} | ${finding.stuck ? 'yes' : 'no'} | ${cell(symptoms)} | ${cell(renderChain(finding))} |`);
    }
  } else if (diagnosis.cycles.length === 0) {
    lines.push('', 'Nothing is stuck: every Flux object is Ready.');
  }
  if (diagnosis.notes.length > 0) {
    lines.push('', '### Notes', '');
    for (const note of diagnosis.notes) lines.push(`- ${cell(note)}`);
  }
  return `${lines.join('\n')}\n`;
}
