import { oneLine, displayId, renderChain, renderCycle, renderCycleEdges, staleGroupHeading, staleObjectList, summaryLine } from './render-chain.ts';
import type { Diagnosis, Finding } from './schema.ts';

function ago(time: string, now: number): string {
  const ms = now - Date.parse(time);
  if (!Number.isFinite(ms) || ms < 0) return time;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

function findingLines(finding: Finding, now: number): string[] {
  const lines = [`  ${renderChain(finding)}`];
  // Symptoms carry the fixes (clone_timeout, registry_rate_limited): kept whole up to a paragraph.
  for (const symptom of finding.symptoms) lines.push(`      ${symptom.type}: ${oneLine(symptom.detail, 600)}`);
  const seen = new Set<string>();
  for (const hop of finding.chain) {
    for (const event of hop.events) {
      const line = `      event ${displayId(hop.id)}: ${event.type} ${event.reason}${event.count > 1 ? ` (x${event.count})` : ''} ${ago(event.time, now)}: ${oneLine(event.message, 200)}`;
      if (!seen.has(line)) lines.push(line);
      seen.add(line);
    }
  }
  return lines;
}

/** Readable report for a terminal. */
export function renderDiagnosisText(diagnosis: Diagnosis): string {
  const now = Date.parse(diagnosis.generatedAt);
  const lines: string[] = [`fluxbench diagnose — ${summaryLine(diagnosis)}`];

  if (diagnosis.cycles.length > 0) {
    lines.push('', `Dependency cycles (${diagnosis.cycles.length}):`);
    for (const cycle of diagnosis.cycles) {
      lines.push(`  cycle: ${renderCycle(cycle.ids)}   (edges: ${renderCycleEdges(cycle)})`);
    }
  }
  if (diagnosis.missing.length > 0) {
    lines.push('', `Missing dependencies (${diagnosis.missing.length}):`);
    for (const m of diagnosis.missing) lines.push(`  ${displayId(m.from)} ${m.via} ${m.to}: not found`);
  }
  if (diagnosis.staleRevisions.length > 0) {
    // First after the graph problems: these objects say Ready, so nothing else on screen flags them.
    lines.push('', `Ready but behind their source (${diagnosis.counts.staleRevision}):`);
    for (const group of diagnosis.staleRevisions) {
      lines.push(`  ${staleGroupHeading(group)}`, `      cause: ${group.explanation}`, `      objects: ${staleObjectList(group)}`);
    }
  }
  for (const held of diagnosis.workersHeld) {
    lines.push('', `Long ${held.kind} reconciles holding ${held.controller}'s workers (${held.objects.length}):`, `  ${held.explanation}`);
    for (const o of held.objects.slice(0, 20)) lines.push(`  ${displayId(o.id)}: ${o.seconds}s${o.message ? `: ${oneLine(o.message, 200)}` : ''}`);
    if (held.objects.length > 20) lines.push(`  … and ${held.objects.length - 20} more`);
  }
  const stuck = diagnosis.findings.filter((f) => f.stuck);
  const settling = diagnosis.findings.filter((f) => !f.stuck);
  if (stuck.length > 0) {
    lines.push('', `Stuck (${stuck.length}):`);
    for (const finding of stuck) lines.push(...findingLines(finding, now));
  }
  if (settling.length > 0) {
    lines.push('', `Not Ready, not stuck yet (${settling.length}):`);
    for (const finding of settling) lines.push(...findingLines(finding, now));
  }
  if (diagnosis.findings.length === 0 && diagnosis.cycles.length === 0) lines.push('', 'Nothing is stuck: every Flux object is Ready.');
  if (diagnosis.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of diagnosis.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
