/** junit.xml: one testsuite, one testcase per threshold result, plus "run completed". */
import type { Summary } from './summary.ts';

/** Statuses for which the run did not complete (the "run completed" testcase fails). */
const INCOMPLETE_STATUSES = new Set(['error', 'timeout', 'interrupted', 'running']);

/** Escapes text for XML content and attributes and drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * junit.xml for CI: a "run completed" test case (failed when the run errored, timed out or was
 * interrupted) and one test case per threshold result (a failure names the metric, the actual
 * value and the limit). Pure.
 */
export function renderJunit(summary: Summary): string {
  const run = summary.run;
  const suite = `fluxbench.${run.scenarioName}`;
  const cases: string[] = [];
  let failures = 0;

  const completed = !INCOMPLETE_STATUSES.has(run.status);
  const completedMessage = completed
    ? ''
    : `run ${run.status}${run.exitCode !== undefined ? ` (exit ${run.exitCode})` : ''}${run.error ? `: ${run.error}` : ''}`;
  if (!completed) failures += 1;
  cases.push(
    testcase(suite, 'run completed', run.durationSeconds, completed ? undefined : { type: run.status, message: completedMessage, body: run.error ?? completedMessage }),
  );

  for (const t of summary.thresholds) {
    if (!t.ok) failures += 1;
    const name = t.metric === t.expression || t.expression.startsWith(`${t.metric} `) ? t.expression : `${t.expression} [${t.metric}]`;
    cases.push(testcase(`${suite}.thresholds`, name, 0, t.ok ? undefined : { type: 'threshold', message: t.message, body: t.message }, t.ok ? t.message : undefined));
  }

  const tests = cases.length;
  const timestamp = run.startedAt.replace(/\.\d+Z$/, 'Z');
  const props = [
    ['runId', run.runId],
    ['scenario', run.scenarioName],
    ['status', run.status],
    ['verdict', summary.verdict],
    ['provider', run.provider],
    ['flux', run.versions.flux],
    ['kubernetes', run.versions.kubernetes],
  ]
    .map(([name, value]) => `      <property name="${escapeXml(name!)}" value="${escapeXml(value!)}"/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fluxbench" tests="${tests}" failures="${failures}" errors="0" time="${seconds(run.durationSeconds)}">
  <testsuite name="${escapeXml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${seconds(run.durationSeconds)}" timestamp="${escapeXml(timestamp)}">
    <properties>
${props}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}

function testcase(
  classname: string,
  name: string,
  time: number,
  failure?: { type: string; message: string; body: string },
  systemOut?: string,
): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="${seconds(time)}"`;
  if (!failure && !systemOut) return `${open}/>`;
  const inner: string[] = [];
  if (failure) inner.push(`      <failure type="${escapeXml(failure.type)}" message="${escapeXml(failure.message)}">${escapeXml(failure.body)}</failure>`);
  if (systemOut) inner.push(`      <system-out>${escapeXml(systemOut)}</system-out>`);
  return `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function seconds(value: number): string {
  return (Math.round(value * 1000) / 1000).toFixed(3);
}
