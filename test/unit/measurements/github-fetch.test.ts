import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { analyzeSamples, flatMetrics, measurementSections } from '../../../src/measurements/index.ts';

const fetch = (ts: number, repo: string, hostSeconds: number, extra: Record<string, unknown> = {}): Sample => ({
  ts,
  kind: 'github',
  name: 'request',
  value: hostSeconds + 0.01,
  labels: { identity: 'flux', repo, route: 'git.upload-pack', method: 'POST', status: '200' },
  detail: { bytesIn: 500, bytesOut: 1_000_000, hostSeconds, hostCpuSeconds: hostSeconds / 2, pack: { objects: 10, deltas: 0, reused: 8, reusedDeltas: 0, packReused: 0 }, ...extra },
});
const failing = (ts: number, message: string, timeoutSeconds = 60): Sample => ({
  ts,
  kind: 'stall',
  name: 'source_failing',
  value: 120,
  labels: { object: 'GitRepository/flux-system/fleet' },
  detail: { reason: 'GitOperationFailed', message, repo: 'fluxbench/fleet', timeoutSeconds },
});
const deadline = "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:1/fluxbench/fleet.git': context deadline exceeded";

describe('what fetches cost the host', () => {
  it('counts only upload-packs that sent a pack or were cut short, per repository, with repacks beside them', () => {
    const lsRefs: Sample = { ...fetch(1, 'fluxbench/fleet', 0.01), detail: { bytesIn: 100, bytesOut: 200, hostSeconds: 0.01, hostCpuSeconds: 0 } };
    const analysis = analyzeSamples([
      lsRefs,
      fetch(2, 'fluxbench/fleet', 2),
      fetch(3, 'fluxbench/fleet', 4, { bytesOut: 3_000_000 }),
      fetch(4, 'fluxbench/fleet', 58, { pack: undefined, cutShort: true, hostCpuSeconds: undefined }),
      fetch(5, 'fluxbench/team-a', 1),
      { ts: 6, kind: 'github', name: 'maintenance', value: 0.5, labels: { repo: 'fluxbench/fleet' }, detail: { wallSeconds: 0.7, exitCode: 0 } },
      { ts: 7, kind: 'github', name: 'maintenance', value: 0.25, labels: { repo: 'fluxbench/fleet' }, detail: { wallSeconds: 0.3, exitCode: 128 } },
    ]);
    const fleet = analysis.github.repos!['fluxbench/fleet']!;
    expect(fleet).toMatchObject({ fetches: 3, cutShort: 1, cpuSeconds: 3, bytesOut: 5_000_000, maxBytesOut: 3_000_000, objects: 20, reusedObjects: 16 });
    expect(fleet.hostSeconds).toMatchObject({ count: 3, p50: 4, max: 58 });
    expect(fleet.maintenance).toEqual({ runs: 2, cpuSeconds: 0.75, wallSeconds: 1, failed: 1 });
    const metrics = flatMetrics(analysis);
    expect(metrics['github.fetch_seconds.p50']).toBe(2);
    expect(metrics['github.fetch_seconds.max']).toBe(58);
    expect(metrics['github.fetch_bytes.max']).toBe(3_000_000);
    expect(metrics['github.maintenance.count']).toBe(2);
    expect(metrics['github.maintenance.cpu_seconds']).toBe(0.75);
    expect(metrics['github.clone_timeouts.count']).toBe(0);
  });

  it('warns when a GitRepository timed out while its clone took the host its spec.timeout or longer, naming both numbers and the fix', () => {
    const analysis = analyzeSamples([fetch(1, 'fluxbench/fleet', 77, { bytesOut: 470_000_000 }), failing(2, deadline)]);
    expect(analysis.github.cloneTimeouts).toHaveLength(1);
    const [warning] = analysis.github.cloneTimeouts!;
    expect(warning).toMatchObject({ object: 'GitRepository/flux-system/fleet', repo: 'fluxbench/fleet', timeoutSeconds: 60, hostSeconds: 77, cutShort: false });
    expect(warning!.warning).toContain('spec.timeout is 1m');
    expect(warning!.warning).toContain('took the host 1m17s');
    expect(warning!.warning).toMatch(/Raise spec\.timeout.*spec\.ignore.*depth 1/);
    expect(flatMetrics(analysis)['github.clone_timeouts.count']).toBe(1);
    const table = measurementSections().find((s) => s.id === 'github-fetches')!.table(analysis);
    expect(table.rows[0]!.at(-1)).toBe(warning!.warning);
  });

  it('counts a fetch the client cut short near the timeout as one the timeout ended', () => {
    const cut = (seconds: number) => fetch(1, 'fluxbench/fleet', seconds, { pack: undefined, cutShort: true });
    const [warning] = analyzeSamples([cut(59.5), failing(2, deadline)]).github.cloneTimeouts ?? [];
    expect(warning).toMatchObject({ cutShort: true, hostSeconds: 59.5 });
    expect(warning!.warning).toContain('still packing fluxbench/fleet after 59.5s when the client gave up');
    // Cut short well before the timeout: something else ended it.
    expect(analyzeSamples([cut(20), failing(2, deadline)]).github.cloneTimeouts).toBeUndefined();
  });

  it('does not warn for fast clones, other failures, or a longer spec.timeout', () => {
    expect(analyzeSamples([fetch(1, 'fluxbench/fleet', 5), failing(2, deadline)]).github.cloneTimeouts).toBeUndefined();
    expect(analyzeSamples([fetch(1, 'fluxbench/fleet', 77), failing(2, 'authentication required')]).github.cloneTimeouts).toBeUndefined();
    expect(analyzeSamples([fetch(1, 'fluxbench/fleet', 77), failing(2, deadline, 180)]).github.cloneTimeouts).toBeUndefined();
    expect(analyzeSamples([fetch(1, 'fluxbench/other', 77), failing(2, deadline)]).github.cloneTimeouts).toBeUndefined();
  });
});
