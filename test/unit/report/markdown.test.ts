import { describe, expect, it } from 'vitest';
import { buildSummary, renderMarkdown } from '../../../src/report/index.ts';
import { mdCell, mdCode } from '../../../src/report/markdown.ts';
import { syntheticRunMeta, syntheticSamples } from './synthetic-run.ts';

const samples = syntheticSamples();

/** Rows of the markdown table that follows `heading`. */
function tableAfter(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`## ${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[] = [];
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(lines[i]!);
  return rows;
}

describe('renderMarkdown', () => {
  it('lists every threshold result with ✓/✗ and its message', () => {
    const summary = buildSummary(samples, syntheticRunMeta());
    const md = renderMarkdown(summary);
    expect(md.startsWith('# fluxbench · synthetic · ❌ failed\n')).toBe(true);
    const rows = tableAfter(md, 'Thresholds');
    expect(rows).toHaveLength(summary.thresholds.length);
    summary.thresholds.forEach((t, i) => {
      expect(rows[i]!.startsWith(`| ${t.ok ? '✓' : '✗'} | \`${t.expression}\``)).toBe(true);
      expect(rows[i]).toContain(t.message);
    });
    expect(md).toContain(`${summary.thresholds.filter((t) => t.ok).length} of ${summary.thresholds.length} passed.`);
  });

  it('has the lag percentile table, restarts, faults and GitHub sections from the data', () => {
    const summary = buildSummary(samples, syntheticRunMeta());
    const md = renderMarkdown(summary);
    const lag = tableAfter(md, 'Lag per pushed commit');
    expect(lag.map((row) => row.split('|')[1]!.trim())).toEqual(['artifact', 'applied', 'ready', 'controllers (artifact → applied)']);
    expect(lag[1]).toContain('| 60 |');
    // The controllers' part: one per applied sample, and never more than the applied lag.
    expect(lag[3]).toContain('| 60 |');
    const p95 = (row: string) => Number(row.split('|')[4]!.trim().replace(/s$/, ''));
    expect(p95(lag[3]!)).toBeLessThan(p95(lag[1]!));
    expect(p95(lag[3]!)).toBeCloseTo(summary.lag.controllers!.p95, 0);
    const restarts = tableAfter(md, 'Restarts and OOM kills');
    expect(restarts[0]).toMatch(/^\| \+2m30s \| kustomize-controller \| oom_killed \| memory limit 256Mi exceeded \|/);
    const faults = tableAfter(md, 'Faults');
    expect(faults[0]).toMatch(/^\| latency \| github \| \+1m \| \+1m30s \| 30s \|/);
    const identities = tableAfter(md, 'GitHub');
    expect(identities.map((row) => row.split('|')[1]!.trim())).toEqual(['token-a', 'token-b']);
    expect(md).toContain(`429: ${summary.github.status429}`);
    expect(md).toContain('<details><summary>All summary metrics');
  });

  it('adds a Diagnosis section only when the diagnosis carries text', () => {
    const withText = renderMarkdown(buildSummary(samples, syntheticRunMeta({ diagnosis: { markdown: 'apps/web → infra/db (DependencyNotReady)' } })));
    expect(withText).toContain('## Diagnosis\n\napps/web → infra/db (DependencyNotReady)');
    const asString = renderMarkdown(buildSummary(samples, syntheticRunMeta({ diagnosis: 'cycle: a → b → a' })));
    expect(asString).toContain('## Diagnosis\n\ncycle: a → b → a');
    const structured = renderMarkdown(buildSummary(samples, syntheticRunMeta({ diagnosis: { stuck: [] } })));
    expect(structured).not.toContain('## Diagnosis');
    expect(renderMarkdown(buildSummary(samples, syntheticRunMeta()))).not.toContain('## Diagnosis');
  });

  it('shows the run error and says so when there is no data at all', () => {
    const md = renderMarkdown(buildSummary([], syntheticRunMeta({ status: 'error', error: 'kube-apiserver did not start\nport 6443 in use', thresholds: [] })));
    expect(md).toContain('# fluxbench · synthetic · 💥 error');
    expect(md).toContain('> **Error:** kube-apiserver did not start\n> port 6443 in use');
    expect(md).toContain('No thresholds defined.');
    expect(md).toContain('No controller samples.');
    expect(md).toContain('No requests recorded.');
  });

  it('escapes pipes and keeps backticks inside code spans', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    expect(mdCode('x `y` z')).toBe('``x `y` z``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
  });
});

describe('restart table', () => {
  it('leaves out starts and teardown exits, shows memory limits', () => {
    const meta = syntheticRunMeta({ thresholds: [] });
    const t0 = Date.parse(meta.startedAt);
    const p = (ts: number, name: string, detail: Record<string, unknown>, value?: number) => ({
      ts: t0 + ts,
      kind: 'process' as const,
      name,
      labels: { controller: 'source-controller' },
      detail,
      ...(value !== undefined ? { value } : {}),
    });
    const md = renderMarkdown(
      buildSummary(
        [
          p(0, 'start', { pid: 1 }),
          p(1000, 'memory_limit', { limitBytes: 64 * 2 ** 20 }, 64 * 2 ** 20),
          p(5000, 'exit', { pid: 1, code: 2, signal: null, cause: 'crashed' }),
          p(9000, 'exit', { pid: 2, code: 0, signal: 'SIGTERM', cause: 'stopped' }),
        ],
        meta,
      ),
    );
    const start = md.indexOf('## Restarts and OOM kills');
    const section = md.slice(start, md.indexOf('\n## ', start + 5));
    expect(section).toContain('| +1s | source-controller | memory_limit | limit 64Mi |');
    expect(section).toContain('| +5s | source-controller | exit | crashed | 2 | — |');
    expect(section).not.toContain('stopped');
    expect(section).not.toContain('| start |');
  });
});
